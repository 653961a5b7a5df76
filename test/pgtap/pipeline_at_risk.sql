-- pipeline_at_risk.sql: when a forced capacity removal puts an order at
-- risk (DESIGN.md §3.2), the schedule calls sc_pipeline_order_at_risk()
-- in the same transaction, and the work item carrying the order is handed
-- to customer_service by sacrosanct itself, on behalf of the scheduler,
-- with the renegotiation in the handoff's context.
--
-- The trigger point is sacrosanct.remove_capacity(..., force => true) of
-- the schedule side.  Until it exists, this file plans its tests and
-- skips them; once it does, they run.
--
-- Two cases carry orders on one lathe (480 minutes a day): RISK-1 is in
-- operations (promised Monday), RISK-2 is in scheduling with an offer to
-- operations open (promised Tuesday).  A forced breakdown removes Monday
-- and Tuesday: both orders are put at risk.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS sacrosanct;
SET LOCAL sacrosanct.today = '2026-03-02';

SELECT plan(16);
GRANT ALL ON __tcache__, __tcache___id_seq, __tresults___numb_seq TO PUBLIC;

SELECT sacrosanct.default_pipeline();
SELECT sacrosanct.create_roles();
CREATE ROLE rsk_stan LOGIN IN ROLE sacrosanct_scheduler;
CREATE ROLE rsk_oli LOGIN IN ROLE sacrosanct_operations;
CREATE ROLE rsk_cas LOGIN IN ROLE sacrosanct_customer_service;

INSERT INTO sacrosanct.calendar VALUES ('rsk');
INSERT INTO sacrosanct.calendar_window SELECT 'rsk', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('RSK_LATHE', 'rsk');
INSERT INTO sacrosanct.product (code) VALUES ('RSK_PART');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('RSK_PART', 1, 'RSK_LATHE', 1);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('RISK-1', 'RSK_PART', 480, '2026-03-02'), ('RISK-2', 'RSK_PART', 480, '2026-03-03');

SET ROLE rsk_stan;
SELECT sacrosanct.open_item('Risky Co', 'order 1') AS i1 \gset
SELECT sacrosanct.hand_off(:i1, 'operations', '{"order_key": "RISK-1"}') AS h1 \gset
SELECT sacrosanct.open_item('Risky Co', 'order 2') AS i2 \gset
SELECT sacrosanct.hand_off(:i2, 'operations', '{"order_key": "RISK-2"}') AS h2 \gset
SET ROLE rsk_oli;
SELECT sacrosanct.accept(:h1);
RESET ROLE;

SELECT to_regprocedure('sacrosanct.remove_capacity(text,daterange,integer,text,boolean)') IS NOT NULL
       AS wired \gset
\if :wired
-- The breakdown, by a scheduler: no member of operations.
SET ROLE rsk_stan;
SELECT sacrosanct.remove_capacity('RSK_LATHE', '[2026-03-02,2026-03-04)', 480, 'spindle broke', force => true);
RESET ROLE;
SELECT id AS r1 FROM sacrosanct.renegotiation WHERE order_key = 'RISK-1' \gset
SELECT id AS r2 FROM sacrosanct.renegotiation WHERE order_key = 'RISK-2' \gset
SELECT id AS cs1 FROM sacrosanct.handoff WHERE item = :i1 AND to_stage = 'customer_service' \gset
SELECT id AS cs2 FROM sacrosanct.handoff WHERE item = :i2 AND to_stage = 'customer_service' \gset

SELECT is((SELECT from_stage || '>' || to_stage || ' ' || state || ' ' || offered_by || ' ' || by_sacrosanct
             FROM sacrosanct.handoff WHERE id = :cs1),
          'operations>customer_service offered rsk_stan true',
          'the case in operations is offered to customer service by sacrosanct, on behalf of the scheduler');
SELECT is((SELECT context FROM sacrosanct.handoff WHERE id = :cs1),
          (SELECT jsonb_build_object('renegotiation', id, 'order_key', order_key, 'reason', reason,
                                     'old_promise', old_promise, 'new_earliest', new_earliest)
             FROM sacrosanct.renegotiation WHERE id = :r1),
          'its context carries the renegotiation, the order, the reason, the broken promise and the date the schedule backs');
SELECT is((SELECT stage || ' ' || open_handoff FROM sacrosanct.work_item WHERE id = :i1),
          'operations ' || :cs1, 'operations owns the case until customer service accepts');
SELECT ok((SELECT due_at = offered_at + interval '4 hours' FROM sacrosanct.handoff WHERE id = :cs1),
          'the offer has customer service''s accept clock');
SELECT is((SELECT event || ' ' || by_sacrosanct || ' ' || current_user_name || ' ' || (detail->>'on_behalf_of')
             FROM sacrosanct.item_event WHERE handoff = :cs1),
          'offered true rsk_stan rsk_stan', 'the journal says sacrosanct did it, for whom');
SELECT is((SELECT state || ' ' || returned_by || ' ' || (returned_reason LIKE 'order RISK-2 is at risk%')::text
             FROM sacrosanct.handoff WHERE id = :h2),
          'returned rsk_stan true', 'the open offer of the other case gives way, returned with the reason');
SELECT is((SELECT from_stage || '>' || to_stage || ' ' || by_sacrosanct || ' ' || (context->>'renegotiation')
             FROM sacrosanct.handoff WHERE id = :cs2),
          'scheduling>customer_service true ' || :r2,
          'and its case goes to customer service although scheduling has no such transition');
SELECT is((SELECT count(*)::int FROM sacrosanct.handoff WHERE item = :i2 AND state = 'offered'), 1,
          'still one open handoff per case');
SELECT is((SELECT at_risk FROM sacrosanct.orders WHERE order_key = 'RISK-1'), true, 'the order is at risk');
-- nothing of the bypass is left: the scheduler is refused as before
SET ROLE rsk_stan;
SELECT throws_ok(format('SELECT sacrosanct.close_item(%s, %L)', :i1, 'x'), 'SC004', NULL,
                 'the same transaction: a scheduler still cannot act for operations');
SELECT throws_ok(format('INSERT INTO sacrosanct.handoff (item, to_stage, by_sacrosanct) VALUES (%s, %L, true)',
                        :i2, 'operations'), 'SC004', NULL, 'nor make a handoff as sacrosanct');
-- customer service takes the case the usual way
SET ROLE rsk_cas;
SELECT lives_ok(format('SELECT sacrosanct.accept(%s)', :cs1), 'customer service accepts the case');
SELECT is((SELECT stage FROM sacrosanct.work_item WHERE id = :i1), 'customer_service', 'and owns it');
SELECT sacrosanct.hand_off(:i1, 'scheduling', '{"renegotiate": "RISK-1"}') AS back \gset
SET ROLE rsk_stan;
SELECT sacrosanct.accept(:back);
SELECT throws_like(format('SELECT sacrosanct.hand_off(%s, %L, %L)', :i1, 'operations', '{"order_key": "RISK-1"}'),
                   'order "RISK-1" is not an open order the schedule backs',
                   'until it is renegotiated, the order does not go back to operations');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM sacrosanct.item_event WHERE by_sacrosanct), 3,
          'three things done by sacrosanct: two offers and one return');
SELECT is((SELECT count(*)::int FROM sacrosanct.item_event WHERE by_sacrosanct AND session_user_name <> session_user), 0,
          'each records the session user');
\else
SELECT skip('sacrosanct.remove_capacity(..., force => true) is not there yet: nothing calls sc_pipeline_order_at_risk()', 16);
\endif

SELECT * FROM finish();
ROLLBACK;
