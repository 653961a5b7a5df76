-- demo/tour.sql, the README's five-minute tour: paste it into psql as a
-- superuser, in an empty database, after CREATE EXTENSION sacrosanct;
-- (make demo tells the story longer; make test checks that this file fails
-- only at its two refusals, steps 1 and 5.)
SET datestyle = 'ISO, YMD';
SET sacrosanct.today = '2026-03-30';      -- a Monday, pinned so that these dates repeat
\set VERBOSITY default
\set SHOW_CONTEXT never

-- A plant that makes point-of-purchase displays: a day shift, a CNC router on
-- two shifts, Good Friday off.  The UV printer is the bottleneck.
INSERT INTO sacrosanct.calendar (code) VALUES ('day'), ('two_shifts');
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'day', d, '07:00'::time, '15:00'::time FROM generate_series(1, 5) d UNION ALL
SELECT 'two_shifts', d, '06:00', '22:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.calendar_holiday VALUES ('day', '2026-04-03'), ('two_shifts', '2026-04-03');
INSERT INTO sacrosanct.resource (code, units, calendar) VALUES
  ('DESIGN', 2, 'day'), ('CUT', 1, 'two_shifts'), ('PRINT', 1, 'day'),
  ('ASSEMBLY', 3, 'day'), ('PACK', 1, 'day');
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('FLOOR', 3), ('HEADER', 1);
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes) VALUES
  ('FLOOR', 10, 'DESIGN', 240, 0), ('FLOOR', 20, 'CUT', 45, 4), ('FLOOR', 30, 'PRINT', 60, 12),
  ('FLOOR', 40, 'ASSEMBLY', 0, 30), ('FLOOR', 50, 'PACK', 0, 3),
  ('HEADER', 10, 'PRINT', 20, 0.4), ('HEADER', 20, 'PACK', 0, 0.05);

-- The ERP keeps its own order table; guard() puts sacrosanct inside its INSERTs.
CREATE SCHEMA erp;
CREATE TABLE erp.sales_order (so_number text PRIMARY KEY, customer text, item_code text,
                              quantity int, due_date date, status text NOT NULL DEFAULT 'open');
SELECT sacrosanct.guard('erp.sales_order', key => 'so_number', product => 'item_code',
                        qty => 'quantity', promised => 'due_date', status => 'status',
                        done_values => '{shipped}');
-- Last week (a superuser may move "today"): an order shipped a day late.
SET sacrosanct.today = '2026-03-23';
INSERT INTO erp.sales_order VALUES ('SO-0', 'Corner Deli', 'HEADER', 1000, '2026-03-25');
SET sacrosanct.today = '2026-03-26';
UPDATE erp.sales_order SET status = 'shipped' WHERE so_number = 'SO-0';
SET sacrosanct.today = '2026-03-30';
-- The order book: the printer is booked for two weeks.
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date) VALUES
  ('SO-1', 'Bayside Market',    'HEADER', 2500, '2026-04-02'),
  ('SO-2', 'Greenleaf Grocers', 'HEADER', 3000, '2026-04-07'),
  ('SO-3', 'FreshMart',         'FLOOR',    40, '2026-04-13'),
  ('SO-4', 'Northside',         'FLOOR',    30, '2026-04-14'),
  ('SO-5', 'Atlas Sporting',    'FLOOR',    50, '2026-04-20');
SELECT * FROM sacrosanct.gantt();

-- 1. A salesperson's rush date is refused inside the ERP's INSERT (SQLSTATE
--    SC001): the DETAIL says the earliest date the schedule backs, and the
--    bottleneck.
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date)
VALUES ('SO-6', 'Pinecrest Books', 'FLOOR', 60, '2026-04-10');

-- 2. The same order at the date the DETAIL gave is accepted.
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date)
VALUES ('SO-6', 'Pinecrest Books', 'FLOOR', 60, '2026-04-12');

-- 3. A rush that fits only because a replan moves later-promised orders
--    (they have slack): accepted, and the plan log says why.
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date)
VALUES ('SO-7', 'Corner Deli', 'HEADER', 500, '2026-04-09');
SELECT what, why, orders_moved FROM sacrosanct.plan_log ORDER BY id DESC LIMIT 1;
SELECT order_key, promised, planned_finish, slack_days FROM sacrosanct.promise_status ORDER BY promised;

-- 4. Overtime: a late shift on the printer.  The date refused in step 1 is
--    now quoted, and the order moves to it.
SELECT * FROM sacrosanct.quote('FLOOR', 60);
SELECT sacrosanct.add_capacity('PRINT', '[2026-03-31,2026-04-03)', 240, 'late shift');   -- Tue-Thu
SELECT sacrosanct.add_capacity('PRINT', '[2026-04-06,2026-04-11)', 240, 'late shift');   -- Mon-Fri
SELECT * FROM sacrosanct.quote('FLOOR', 60);
UPDATE erp.sales_order SET due_date = '2026-04-10' WHERE so_number = 'SO-6';

-- 5. People and their stages; Bayside's order SO-1 is on a case in operations.
SELECT sacrosanct.default_pipeline(), sacrosanct.create_roles();
CREATE ROLE mia LOGIN IN ROLE sacrosanct_marketing;
CREATE ROLE sam LOGIN IN ROLE sacrosanct_sales;
CREATE ROLE eve LOGIN IN ROLE sacrosanct_engineering;
CREATE ROLE stan LOGIN IN ROLE sacrosanct_scheduler;
CREATE ROLE oli LOGIN IN ROLE sacrosanct_operations;
CREATE ROLE cas LOGIN IN ROLE sacrosanct_customer_service;
SET ROLE cas;
SELECT sacrosanct.open_item('Bayside Market', 'reorder of header cards') AS bayside \gset
SELECT sacrosanct.hand_off(:bayside, 'scheduling') AS h \gset
SET ROLE stan;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:bayside, 'operations', '{"order_key": "SO-1"}') AS h \gset
SET ROLE oli;
SELECT sacrosanct.accept(:h);
RESET ROLE;
--    The packing line is down Tuesday and Wednesday: refused (SC003), it
--    would break a promise.  Forced, the order is put at risk with a
--    renegotiation, and sacrosanct hands its case to customer service.
SELECT sacrosanct.remove_capacity('PACK', '[2026-03-31,2026-04-02)', 480, 'shrink-wrap tunnel down');
SELECT sacrosanct.remove_capacity('PACK', '[2026-03-31,2026-04-02)', 480, 'shrink-wrap tunnel down',
                                  force => true);
SELECT order_key, old_promise, new_earliest, reason, status FROM sacrosanct.renegotiation;
SELECT from_stage, to_stage, state, by_sacrosanct, context FROM sacrosanct.handoff WHERE by_sacrosanct;

-- 6. An inquiry travels marketing > sales > engineering > sales > scheduling
--    > operations > customer service; engineering sends one handoff back with
--    a reason; a late one is escalated.
SET ROLE mia;
SELECT sacrosanct.open_item('Lumen Tea', 'tea-tasting floor stand') AS item \gset
SELECT sacrosanct.hand_off(:item, 'sales') AS h \gset
SET ROLE sam;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:item, 'engineering', '{"requirements": "4 shelves"}') AS h \gset
SET ROLE eve;
SELECT sacrosanct.send_back(:h, 'how deep are the shelves?');
SET ROLE sam;
SELECT sacrosanct.hand_off(:item, 'engineering', '{"requirements": "4 shelves, 30 cm"}') AS h \gset
SET ROLE eve;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:item, 'sales', '{"proposal": "P-1"}') AS h \gset
SET ROLE sam;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:item, 'scheduling') AS h \gset
--    Scheduling should accept within 4 hours.  To see a late offer without
--    waiting, back-date it (a superuser, replica mode: the way a restore
--    writes history); escalate() (pg_cron runs it every minute) marks it.
RESET ROLE;
SET session_replication_role = replica;
UPDATE sacrosanct.handoff SET offered_at = offered_at - interval '5 hours',
                              due_at = due_at - interval '5 hours' WHERE id = :h;
RESET session_replication_role;
SELECT sacrosanct.escalate();
SELECT clock, customer, stage, late_by_minutes FROM sacrosanct.sla_breach;
SET ROLE stan;
SELECT sacrosanct.accept(:h);
RESET ROLE;                                                                 -- the ERP, no date:
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity)      -- the earliest
VALUES ('SO-8', 'Lumen Tea', 'FLOOR', 40) RETURNING due_date;               -- backed one
SET ROLE stan;
SELECT sacrosanct.hand_off(:item, 'operations', '{"order_key": "SO-8"}') AS h \gset
SET ROLE oli;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:item, 'customer_service') AS h \gset
SET ROLE cas;
SELECT sacrosanct.accept(:h);
RESET ROLE;
SELECT from_stage, to_stage, state, offered_by, accepted_by, returned_reason,
       escalated_at IS NOT NULL AS escalated
  FROM sacrosanct.handoff WHERE item = :item ORDER BY id;

-- 7. What the scheduler and BI tools see.
SELECT * FROM sacrosanct.gantt();
SELECT order_key, promised, planned_finish, buffer_penetration, zone, at_risk
  FROM sacrosanct.promise_status ORDER BY promised;
SELECT * FROM sacrosanct.on_time_delivery;
SELECT stage, items, queued FROM sacrosanct.pipeline_wip;
SELECT from_stage, to_stage, handoffs, returned, return_rate_pct, p50_accept_minutes
  FROM sacrosanct.handoff_latency;
SELECT * FROM sacrosanct.verify();                  -- no rows: the invariant holds
