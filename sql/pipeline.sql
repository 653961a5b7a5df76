-- The divided-labor pipeline (DESIGN.md §4): one customer's case travels
-- marketing -> sales -> engineering (returned once) -> sales -> scheduling
-- -> operations -> customer service.  Each stage is owned by a role; every
-- hop is a handoff, offered by the owning stage and accepted (or returned
-- with a reason) by the next; the sender owns the case until the receiver
-- accepts; nothing is ever overwritten.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
DROP ROLE IF EXISTS mia, sam, eve, stan, oli, cas;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
\set SHOW_CONTEXT never
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

-- Once, as a superuser: the six default stages and their transitions, and
-- the NOLOGIN group roles that own the stages.
SELECT sacrosanct.default_pipeline();
SELECT sacrosanct.create_roles();
SELECT code, role, accept_within, complete_within, wip_limit, needs_backed_order
  FROM sacrosanct.stage ORDER BY accept_within, code;
SELECT from_stage, to_stage, required_context FROM sacrosanct.transition ORDER BY 1, 2;

-- People log in as themselves and work in the stage of the role they are in.
-- A scheduler (sacrosanct_scheduler) works the scheduling stage.
CREATE ROLE mia LOGIN IN ROLE sacrosanct_marketing;
CREATE ROLE sam LOGIN IN ROLE sacrosanct_sales;
CREATE ROLE eve LOGIN IN ROLE sacrosanct_engineering;
CREATE ROLE stan LOGIN IN ROLE sacrosanct_scheduler;
CREATE ROLE oli LOGIN IN ROLE sacrosanct_operations;
CREATE ROLE cas LOGIN IN ROLE sacrosanct_customer_service;

-- The plant, as in guard.sql: one lathe, 480 minutes a day Monday to
-- Friday; a part takes one minute per unit on it.
INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('LATHE', 'day');
INSERT INTO sacrosanct.product (code) VALUES ('PART');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('PART', 1, 'LATHE', 1);

CREATE VIEW case_state AS
  SELECT w.id, w.stage, w.open_handoff, h.to_stage AS offered_to, w.accountable, w.order_key,
         w.outcome
    FROM sacrosanct.work_item w LEFT JOIN sacrosanct.handoff h ON h.id = w.open_handoff;
GRANT SELECT ON case_state TO PUBLIC;

-- 1. Marketing starts the conversation.  Operations will own the account,
--    so it is accountable for the whole journey from the start.
SET ROLE mia;
SELECT sacrosanct.open_item('ACME', '480 spindles', '{"source": "trade fair"}',
                            'sacrosanct_operations') AS item \gset
SELECT sacrosanct.hand_off(:item, 'sales', '{"contact": "J. Doe, purchasing"}') AS h \gset
-- Offered, not taken: marketing still owns the case.
SELECT * FROM case_state;
-- Marketing cannot close what is on its way, nor take it back.
SELECT sacrosanct.close_item(:item, 'lost');
SELECT sacrosanct.accept(:h);

-- 2. Sales qualifies it.  Engineering needs the requirements.
SET ROLE sam;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:item, 'engineering');
SELECT sacrosanct.hand_off(:item, 'engineering',
                           '{"requirements": "480 spindles, 400 mm"}') AS h \gset

-- 3. Engineering designs the solution: returned once, with a reason.  A
--    return without one is refused.
SET ROLE eve;
SELECT sacrosanct.send_back(:h, '');
SELECT sacrosanct.send_back(:h, 'which steel grade?');
SELECT * FROM case_state;
SET ROLE sam;
SELECT sacrosanct.hand_off(:item, 'engineering',
                           '{"requirements": "480 spindles, 400 mm, 42CrMo4"}') AS h \gset
SET ROLE eve;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:item, 'sales', '{"proposal": "P-17"}') AS h \gset

-- 4. Back to sales, who persuades, and hands the promise to scheduling:
--    sales never promises a date.
SET ROLE sam;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:item, 'operations', '{"order_key": "ACME-1"}');
SELECT sacrosanct.hand_off(:item, 'scheduling', '{"proposal": "P-17"}') AS h \gset

-- 5. Scheduling promises against the schedule.  Into operations only with
--    an open order the schedule backs: first there is none.
SET ROLE stan;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:item, 'operations', '{"order_key": "ACME-1"}');
-- The order, entered by the ERP (a superuser here), is planned or refused
-- by the guard: Monday is what the schedule can back.
RESET ROLE;
INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised)
VALUES ('ACME-1', 'ACME', 'PART', 480, '2026-03-02');
SET ROLE stan;
SELECT sacrosanct.hand_off(:item, 'operations', '{"order_key": "ACME-1"}') AS h \gset
-- The order is recorded on the case.
SELECT * FROM case_state;

-- 6. Operations fulfils the order.
SET ROLE oli;
SELECT sacrosanct.accept(:h);
RESET ROLE;
UPDATE sacrosanct.orders SET status = 'done' WHERE order_key = 'ACME-1';
-- Customer service is slow today: its accept clock is made tiny, so the
-- next offer to it is late at once (due_at = offered_at + accept_within).
UPDATE sacrosanct.stage SET accept_within = '1 microsecond' WHERE code = 'customer_service';
SET ROLE oli;
SELECT sacrosanct.hand_off(:item, 'customer_service', '{"invoice": "I-9"}') AS h \gset

-- escalate() (pg_cron runs it every minute) marks the late offer, once,
-- with a NOTIFY sacrosanct_customer_service; it returns its id.
SET ROLE stan;
SELECT pg_sleep(0.01);
SELECT sacrosanct.escalate() = :h AS escalated_the_late_offer;
SELECT count(*) AS escalated_again FROM sacrosanct.escalate();
SELECT clock, item, stage, handoff = :h AS the_offer, resolved_at IS NULL AS still_open,
       escalated_at IS NOT NULL AS escalated
  FROM sacrosanct.sla_breach;

-- 7. Customer service takes it and closes the case.  A closed case accepts
--    nothing.
SET ROLE cas;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.close_item(:item, 'delivered');
SELECT sacrosanct.hand_off(:item, 'scheduling', '{"reorder": true}');
SELECT * FROM case_state;

-- The customer's journey: every stay, who took it in; every handoff, who
-- offered and who answered; the sender owned the case until each accept.
-- (Customer service's row shows the accept clock it was given; an
-- escalation's detail also carries its due_at, left out here.)
RESET ROLE;
SELECT visit, stage, owner, via_handoff, left_at IS NOT NULL AS has_left
  FROM sacrosanct.item_journey WHERE item = :item ORDER BY visit;
SELECT id, from_stage, to_stage, state, offered_by, accepted_by, returned_by, returned_reason,
       due_at - offered_at AS accept_within, escalated_at IS NOT NULL AS escalated
  FROM sacrosanct.handoff ORDER BY id;
SELECT event, stage, session_user_name, current_user_name, detail - 'due_at' AS detail
  FROM sacrosanct.item_event ORDER BY id;
SELECT from_stage, to_stage, handoffs, accepted, returned, offered, return_rate_pct
  FROM sacrosanct.handoff_latency ORDER BY 1, 2;
SELECT stage, items, queued, wip_limit, over_wip_limit FROM sacrosanct.pipeline_wip ORDER BY 1;

-- History is never overwritten: not by a superuser either.
UPDATE sacrosanct.handoff SET returned_reason = 'no reason' WHERE state = 'returned';
DELETE FROM sacrosanct.work_item;
DELETE FROM sacrosanct.item_event;

DROP VIEW case_state;
DROP EXTENSION sacrosanct;
DROP ROLE mia, sam, eve, stan, oli, cas;
