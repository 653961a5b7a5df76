-- Replanning instead of lying: a rush order is accepted only when moving
-- orders with slack still backs every promise (rules 6-7), and
-- sacrosanct.replan() reloads everything in promise order.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('LATHE', 'day');
INSERT INTO sacrosanct.product (code) VALUES ('PART');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('PART', 1, 'LATHE', 1);

CREATE VIEW plan AS
  SELECT s.day, o.order_key, o.promised, s.minutes
    FROM sacrosanct.orders o JOIN sacrosanct.schedule s USING (order_key)
   ORDER BY s.day, o.order_key;

-- LATER is due Friday; greedy insertion puts it on Monday.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('LATER', 'PART', 480, '2026-03-06');
-- RUSH wants Monday.  Inserted alone it would get Tuesday, too late; a replan
-- loads RUSH first and LATER on Tuesday, still days before its promise.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('RUSH', 'PART', 480, '2026-03-02');
SELECT * FROM plan;
SELECT what, why, orders_moved FROM sacrosanct.plan_log ORDER BY id;

-- Another rush for Monday cannot have it: RUSH is promised Monday too and
-- sorts first.  Greedy insertion would give it Wednesday; a replan that
-- moves LATER once more backs Tuesday, and that is the date it is told.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('RUSH2', 'PART', 480, '2026-03-02');
-- For Tuesday a replan finds room: LATER moves to Wednesday.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('RUSH2', 'PART', 480, '2026-03-03');
SELECT * FROM plan;

-- Capacity freed by a cancellation stays free: greedy insertion does not
-- move anyone.  A replan loads everything again in promise order and pulls
-- work forward; it returns the orders whose plan changed.
UPDATE sacrosanct.orders SET status = 'cancelled' WHERE order_key = 'RUSH';
SELECT * FROM plan;
SELECT * FROM sacrosanct.replan('compact after RUSH was cancelled');
SELECT * FROM plan;
-- Nothing to move the second time.
SELECT * FROM sacrosanct.replan('again');
SELECT what, why, orders_moved FROM sacrosanct.plan_log ORDER BY id;

-- Ties in promise are broken by order key in byte order ("B" < "a"):
-- greedy insertion put "a" first, the replan puts "B" first.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
  ('a', 'PART', 480, '2026-03-13'), ('B', 'PART', 480, '2026-03-13');
SELECT * FROM plan WHERE promised = '2026-03-13';
SELECT * FROM sacrosanct.replan('tie-break');
SELECT * FROM plan WHERE promised = '2026-03-13';

-- A reason is required.
SELECT * FROM sacrosanct.replan(NULL);
SELECT * FROM sacrosanct.verify();
