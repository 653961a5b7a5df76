-- Progress from the shop floor: complete_step() releases what a finished
-- step would still have taken, keeps what it took as history, and lets the
-- next step move earlier.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

-- Cutting, then printing two days later (the ink cures); a day of buffer.
INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('CUT', 'day'), ('PRINT', 'day');
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('BANNER', 1);
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes, lag_days) VALUES
    ('BANNER', 1, 'CUT', 1, 0), ('BANNER', 2, 'PRINT', 1, 2);
CREATE VIEW plan AS
  SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule ORDER BY order_key, step, day;

INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('W', 'BANNER', 1440, '2026-03-20'),   -- three days of cutting, three of printing
    ('P', 'BANNER', 240, '2026-03-31');
SELECT * FROM plan;

-- Monday: the first day of W's cutting is done.  Tuesday comes.
SET sacrosanct.today = '2026-03-03';
-- Reported out of order, for a step that does not exist, or for an order
-- that is not open: clear errors.
SELECT sacrosanct.complete_step('W', 2);
SELECT sacrosanct.complete_step('W', 7);
SELECT sacrosanct.complete_step('nope', 1);
SELECT sacrosanct.complete_step(NULL, 1);
-- Tuesday morning the cutting of W is complete, a day early: Tuesday's and
-- Wednesday's minutes are released, Monday's stay as history.
SELECT sacrosanct.complete_step('W', 1);
SELECT * FROM plan WHERE order_key = 'W';
SELECT order_key, steps_done, done_on, planned_finish FROM sacrosanct.demand WHERE order_key = 'W';
SELECT sacrosanct.complete_step('W', 1);
-- The next replan moves the printing earlier: two days after the
-- completion day (the lag), not after the cutting planned before.
SELECT * FROM sacrosanct.replan('progress from the shop floor');
SELECT * FROM plan WHERE order_key = 'W';

-- The last step: the order is finished, with nothing left to plan.
SET sacrosanct.today = '2026-03-05';
SELECT sacrosanct.complete_step('W', 2);
SELECT * FROM plan WHERE order_key = 'W';
SELECT order_key, steps_done, done_on, planned_finish, backed FROM sacrosanct.demand WHERE order_key = 'W';
-- Set done, it records delivered (today by default) and releases what is left.
UPDATE sacrosanct.orders SET status = 'done' WHERE order_key IN ('W', 'P') RETURNING order_key, delivered;
SELECT count(*) AS allocations_left FROM sacrosanct.schedule;
SELECT what, why FROM sacrosanct.plan_log ORDER BY id;
SELECT * FROM sacrosanct.verify();

-- A step completed late moves the rest of the order; what happened is
-- recorded, never refused.  K is cut Monday and printed Wednesday (the
-- lag), L cut Tuesday and printed Thursday.
SET sacrosanct.today = '2026-03-09';
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('K', 'BANNER', 480, '2026-03-13'),
    ('L', 'BANNER', 480, '2026-03-20');
SELECT * FROM plan;
-- Wednesday: K's cutting is reported only now.  Its printing cannot start
-- before Friday, one day of buffer short of the promise: K goes at risk,
-- with a renegotiation, and L does not move.
SET sacrosanct.today = '2026-03-11';
SELECT sacrosanct.complete_step('K', 1);
SELECT * FROM plan;
SELECT order_key, at_risk, backed, planned_finish FROM sacrosanct.demand ORDER BY order_key;
SELECT order_key, old_promise, new_earliest, reason, status FROM sacrosanct.renegotiation;
-- Thursday: L's cutting, two days late too.  Its printing moves to Monday,
-- and the promise of the 20th still holds: a repair.
SET sacrosanct.today = '2026-03-12';
SELECT sacrosanct.complete_step('L', 1);
SELECT * FROM plan WHERE order_key = 'L';
SELECT what, why, orders_moved FROM sacrosanct.plan_log WHERE id > (SELECT max(id) - 3 FROM sacrosanct.plan_log) ORDER BY id;
SELECT * FROM sacrosanct.verify();
