-- demo/demo.sql: the story `make demo` tells in psql.  test/demo plays it
-- on a throw-away cluster; `make test` plays it again and compares every
-- character with test/expected/demo.out, so that the story cannot rot.
--
-- To play it yourself: a superuser, an empty database, sacrosanct installed,
--     cd demo && psql -X -d DB < demo.sql
-- Each refusal in the story is expected by its SQLSTATE: ON_ERROR_STOP is
-- off for that one statement, then demo/expect.psql checks the SQLSTATE.
-- Any other error, or a statement that should have been refused and was
-- not, stops the story, and psql exits with 3.
\set ON_ERROR_STOP on
\set QUIET on
\set VERBOSITY default
\set SHOW_CONTEXT never
\pset footer off
SET datestyle = 'ISO, YMD';
SET client_min_messages = warning;

\echo '== Brightline Displays makes custom point-of-purchase displays.  Its ERP'
\echo '   writes orders into its own table, erp.sales_order; sacrosanct guards it.'
\echo '   Today is Monday 2026-03-30, pinned so that the story repeats.'
\set ECHO queries
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-30';
\echo '-- (demo/plant.sql sets up the plant, the ERP table, the people and three'
\echo '   weeks of history.)'
\set ECHO none
\o /dev/null
\ir plant.sql
\o
\set ECHO queries

\echo
\echo '-- Five work centers.  The CNC router runs two shifts; Good Friday (04-03)'
\echo '   and Easter Monday (04-06) are holidays.  Minutes of capacity a day:'
SELECT code, name, units,
       sacrosanct.capacity(code, '2026-04-02') AS "Thu 04-02",
       sacrosanct.capacity(code, '2026-04-03') AS "Fri 04-03",
       sacrosanct.capacity(code, '2026-04-07') AS "Tue 04-07"
  FROM sacrosanct.resource ORDER BY array_position('{DESIGN,CUT,PRINT,ASSEMBLY,PACK}', code);

\echo '-- Four products.  A routing step takes setup + run minutes per unit; the'
\echo '   buffer is the safety, in days, between the planned finish and the promise.'
SELECT p.code AS product, p.buffer_days AS buffer,
       string_agg(r.resource || ' ' || r.setup_minutes || '+' || r.run_minutes::float8 || '/u',
                  ' > ' ORDER BY r.step) AS routing
  FROM sacrosanct.product p JOIN sacrosanct.routing r ON r.product = p.code
 GROUP BY p.code, p.buffer_days ORDER BY p.buffer_days;

\echo '-- The open orders, each backed by the schedule (one is late: finished, but'
\echo '   the customer''s store was not ready to take it).'
SELECT o.so_number, o.customer, o.item_code AS item, o.quantity AS qty, o.due_date,
       s.planned_finish
  FROM erp.sales_order o JOIN sacrosanct.promise_status s ON s.order_key = o.so_number
 ORDER BY o.due_date, o.so_number;

\echo '-- The printer is booked for almost three weeks:'
SELECT * FROM sacrosanct.gantt() \g (format=unaligned tuples_only=on)

\echo
\echo '== 1. Raj, in sales, promises Atlas Sporting 60 floor displays for Friday'
\echo '   04-17.  The ERP''s own INSERT is refused (SQLSTATE SC001); the DETAIL'
\echo '   says the earliest date the schedule backs, and the bottleneck.'
SET ROLE raj;
\set ON_ERROR_STOP off
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date)
VALUES ('SO-2618', 'Atlas Sporting', 'FLOOR', 60, '2026-04-17');
\set ON_ERROR_STOP on
\set expect SC001
\ir expect.psql

\echo
\echo '== 2. Raj offers Atlas that date.  The same order with it is accepted.'
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date)
VALUES ('SO-2618', 'Atlas Sporting', 'FLOOR', 60, '2026-04-25');

\echo
\echo '== 3. A rush: Corner Deli needs 500 header cards by Monday 04-13.  Loaded'
\echo '   behind everything they would be late, but orders promised later have'
\echo '   slack: the guard replans, the rush goes first, and the later-promised'
\echo '   orders move back and still make their dates.  The plan log says why.'
CREATE TEMP TABLE before_rush AS SELECT order_key, planned_finish FROM sacrosanct.promise_status;
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date)
VALUES ('SO-2619', 'Corner Deli', 'HEADER', 500, '2026-04-13');
SELECT what, why, orders_moved, who, as_role FROM sacrosanct.plan_log ORDER BY id DESC LIMIT 1;
SELECT s.order_key, s.promised, b.planned_finish AS finish_before, s.planned_finish AS finish_now,
       s.slack_days
  FROM sacrosanct.promise_status s LEFT JOIN before_rush b USING (order_key)
 WHERE s.promised >= '2026-04-13' ORDER BY s.promised, s.order_key;

\echo
\echo '== 4. Sid, the scheduler, adds a late shift on the printer: four hours a day,'
\echo '   the weekdays of the next two weeks.  Atlas''s 04-17, refused in step 1, can'
\echo '   now be backed, and Raj moves the order to it.'
SET ROLE sid;
SELECT earliest, bottleneck FROM sacrosanct.quote('FLOOR', 60);
SELECT sacrosanct.add_capacity('PRINT', '[2026-04-07,2026-04-11)', 240, 'late shift on the printer')
       AS capacity_change;
SELECT sacrosanct.add_capacity('PRINT', '[2026-04-13,2026-04-18)', 240, 'late shift on the printer')
       AS capacity_change;
SELECT earliest, bottleneck FROM sacrosanct.quote('FLOOR', 60);
SET ROLE raj;
UPDATE erp.sales_order SET due_date = '2026-04-17' WHERE so_number = 'SO-2618';
SELECT order_key, promised, planned_finish, slack_days
  FROM sacrosanct.promise_status WHERE order_key = 'SO-2618';

\echo
\echo '== 5. The shrink-wrap tunnel on the packing line breaks down: no packing'
\echo '   tomorrow, Tuesday 03-31.  Recording the breakdown is refused (SC003):'
\echo '   it would break a promise.'
SET ROLE sid;
\set ON_ERROR_STOP off
SELECT sacrosanct.remove_capacity('PACK', '[2026-03-31,2026-04-01)', 480, 'shrink-wrap tunnel down');
\set ON_ERROR_STOP on
\set expect SC003
\ir expect.psql
\echo '-- Reality does not ask: forced, the breakdown is recorded.  The order it'
\echo '   breaks is put at risk, with a renegotiation; every other order keeps its'
\echo '   promise.'
SELECT sacrosanct.remove_capacity('PACK', '[2026-03-31,2026-04-01)', 480, 'shrink-wrap tunnel down',
                                  force => true) AS capacity_change;
SELECT order_key, old_promise, new_earliest, reason, status FROM sacrosanct.renegotiation;
\echo '-- The order is on Bayside Market''s case, in operations: sacrosanct hands the'
\echo '   case to customer service itself, with the renegotiation.'
\x on
SELECT id AS handoff, item, from_stage, to_stage, state, offered_by, by_sacrosanct, context
  FROM sacrosanct.handoff WHERE by_sacrosanct;
\x off
\set ECHO none
SELECT id AS at_risk_handoff FROM sacrosanct.handoff WHERE by_sacrosanct \gset
\set ECHO queries
\echo '-- Cara, in customer service, takes the case and calls Bayside, who agree to'
\echo '   the new date: the order is backed again.'
SET ROLE cara;
SELECT sacrosanct.accept(:at_risk_handoff) \g /dev/null
UPDATE erp.sales_order SET due_date = '2026-04-02' WHERE so_number = 'SO-2609';
SET ROLE sid;
SELECT order_key, old_promise, new_earliest, status FROM sacrosanct.renegotiation;
SELECT order_key, promised, planned_finish, at_risk
  FROM sacrosanct.promise_status WHERE order_key = 'SO-2609';

\echo
\echo '== 6. The pipeline.  Lumen Tea''s inquiry travels marketing > sales >'
\echo '   engineering > sales > scheduling > operations > customer service.  Each'
\echo '   stage belongs to a role; the owner offers each hop, and the next stage'
\echo '   accepts it or sends it back with a reason.'
SET ROLE maya;
SELECT sacrosanct.open_item('Lumen Tea', 'tea-tasting floor stand, 40 stores',
                            '{"source": "webinar"}', 'sacrosanct_operations') AS item \gset
SELECT sacrosanct.hand_off(:item, 'sales', '{"contact": "K. Ota, trade marketing"}') AS h \gset
SET ROLE raj;
SELECT sacrosanct.accept(:h) \g /dev/null
SELECT sacrosanct.hand_off(:item, 'engineering', '{"requirements": "floor stand, 4 shelves"}') AS h \gset
\echo '-- Engineering sends it back: not enough to design from.'
SET ROLE elena;
SELECT sacrosanct.send_back(:h, 'how deep are the shelves?') \g /dev/null
SET ROLE raj;
SELECT sacrosanct.hand_off(:item, 'engineering',
                           '{"requirements": "floor stand, 4 shelves, 30 cm deep"}') AS h \gset
SET ROLE elena;
SELECT sacrosanct.accept(:h) \g /dev/null
SELECT sacrosanct.hand_off(:item, 'sales', '{"proposal": "P-0417: FLOOR x 40"}') AS h \gset
SET ROLE raj;
SELECT sacrosanct.accept(:h) \g /dev/null
\echo '-- Sales hands the promise to scheduling: sales never promises a date.'
SELECT sacrosanct.hand_off(:item, 'scheduling', '{"proposal": "P-0417"}') AS h \gset
\echo '-- Scheduling''s stage says it accepts within 4 hours.  Nobody did: to show'
\echo '   that without waiting, a superuser moves this offer back five hours, the'
\echo '   way a restore writes history (replica mode: the rules'' triggers do not'
\echo '   fire).  escalate(), which pg_cron runs every minute, marks it once and'
\echo '   notifies sacrosanct_scheduling.'
RESET ROLE;
SET session_replication_role = replica;
UPDATE sacrosanct.handoff SET offered_at = offered_at - interval '5 hours',
                              due_at = due_at - interval '5 hours'
 WHERE id = :h;
RESET session_replication_role;
SELECT sacrosanct.escalate() AS escalated;
SELECT clock, customer, stage, handoff, round(late_by_minutes) AS late_by_minutes
  FROM sacrosanct.sla_breach;
\echo '-- Sid takes it late, quotes, and enters the order with no date: the guard'
\echo '   promises the earliest date the schedule backs.'
SET ROLE sid;
SELECT sacrosanct.accept(:h) \g /dev/null
SELECT earliest, bottleneck FROM sacrosanct.quote('FLOOR', 40);
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity)
VALUES ('SO-2620', 'Lumen Tea', 'FLOOR', 40) RETURNING so_number, due_date;
\echo '-- Into operations only with an order the schedule backs.  Otto, the account'
\echo '   manager, takes it and hands the daily business to customer service.'
SELECT sacrosanct.hand_off(:item, 'operations', '{"order_key": "SO-2620"}') AS h \gset
SET ROLE otto;
SELECT sacrosanct.accept(:h) \g /dev/null
SELECT sacrosanct.hand_off(:item, 'customer_service', '{"invoice_to": "Lumen Tea AP"}') AS h \gset
SET ROLE cara;
SELECT sacrosanct.accept(:h) \g /dev/null
\echo '-- The case''s journey: each hop, who offered it, who answered, and how.'
SELECT id AS handoff, from_stage || ' > ' || to_stage AS hop, state, offered_by,
       coalesce(accepted_by, returned_by) AS answered_by,
       coalesce(returned_reason, CASE WHEN escalated_at IS NOT NULL THEN 'escalated' END) AS note
  FROM sacrosanct.handoff WHERE item = :item ORDER BY id;

\echo
\echo '== 7. What the scheduler and BI tools see.  Bianca''s BI tool logs in as a'
\echo '   member of sacrosanct_reader, which may read the views and nothing else.'
SET ROLE bianca;
\echo '-- The Gantt: the late shift on the printer, no packing on 03-31 (blank).'
SELECT * FROM sacrosanct.gantt() \g (format=unaligned tuples_only=on)
\echo '-- Buffer zones: how much of the time from each order''s start to its promise'
\echo '   is used up (green < 1/3, yellow < 2/3, red; late once the promise passed).'
SELECT s.order_key, o.customer, s.promised, s.planned_finish,
       s.buffer_penetration AS penetration, s.zone
  FROM sacrosanct.promise_status s JOIN erp.sales_order o ON o.so_number = s.order_key
 ORDER BY s.promised, s.order_key;
\echo '-- On-time delivery, per week of promises:'
SELECT * FROM sacrosanct.on_time_delivery ORDER BY week_start;
\echo '-- Pipeline WIP per stage, and handoff latency per pair of stages:'
SELECT stage, items, queued, wip_limit, over_wip_limit
  FROM sacrosanct.pipeline_wip
 ORDER BY array_position('{marketing,sales,engineering,scheduling,operations,customer_service}', stage);
SELECT from_stage || ' > ' || to_stage AS hop, handoffs, returned, return_rate_pct,
       round(p50_accept_minutes) AS p50_accept_minutes
  FROM sacrosanct.handoff_latency ORDER BY hop;
\echo '-- And the invariant, recomputed from scratch by the scheduler: no rows, so'
\echo '   every open order is backed, late, or at risk with its renegotiation.'
SET ROLE sid;
SELECT * FROM sacrosanct.verify();
