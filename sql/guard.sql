-- The guard on sacrosanct.orders: every open order is planned on INSERT or
-- refused, and every change keeps the schedule honest (DESIGN.md §3.2).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

-- One lathe, 480 minutes a day Monday to Friday; a part takes one minute
-- per unit on it, so a quantity reads as minutes.
INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('LATHE', 'day');
INSERT INTO sacrosanct.product (code) VALUES ('PART');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('PART', 1, 'LATHE', 1);

CREATE VIEW plan AS
  SELECT o.order_key, o.promised, o.status, s.day, s.minutes
    FROM sacrosanct.orders o LEFT JOIN sacrosanct.schedule s USING (order_key)
   ORDER BY s.day, o.order_key;

-- A takes Monday.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('A', 'PART', 480, '2026-03-02');
-- B wants Monday too: refused, with the date the schedule can back.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('B', 'PART', 480, '2026-03-02');
-- The same order at that date is accepted.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('B', 'PART', 480, '2026-03-03');
SELECT * FROM plan;

-- No promised date: the guard sets the earliest backed one.
INSERT INTO sacrosanct.orders (order_key, product, qty) VALUES ('C', 'PART', 240)
RETURNING order_key, promised;
-- Several at once: each row is planned at its earliest date before it is
-- written, with the rows before it already in the plan.
INSERT INTO sacrosanct.orders (order_key, product, qty) VALUES ('D1', 'PART', 240), ('D2', 'PART', 240)
RETURNING order_key, promised;
SELECT * FROM plan WHERE order_key IN ('C', 'D1', 'D2');

-- A row that is not inserted holds nothing: ON CONFLICT DO NOTHING.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('A', 'PART', 480, '2026-03-02')
ON CONFLICT (order_key) DO NOTHING;
-- An upsert that changes the quantity re-plans the order.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('A', 'PART', 240, '2026-03-02')
ON CONFLICT (order_key) DO UPDATE SET qty = excluded.qty;
SELECT * FROM plan WHERE order_key = 'A';

-- A change the schedule cannot back is refused and the old plan stays.
UPDATE sacrosanct.orders SET qty = 960 WHERE order_key = 'A';
SELECT * FROM plan WHERE order_key = 'A';
-- A later promise is always fine; so is a later not_before within it.
UPDATE sacrosanct.orders SET promised = '2026-03-13', not_before = '2026-03-09' WHERE order_key = 'A';
SELECT * FROM plan WHERE order_key = 'A';

-- Cancelling releases the capacity; done records delivery today.
UPDATE sacrosanct.orders SET status = 'cancelled' WHERE order_key = 'B';
UPDATE sacrosanct.orders SET status = 'done' WHERE order_key = 'C';
SELECT order_key, status, delivered FROM sacrosanct.orders WHERE order_key IN ('B', 'C') ORDER BY 1;
-- Reopened, an order is planned again like a new one: Monday is free now
-- that A starts on the 9th.
UPDATE sacrosanct.orders SET status = 'open', promised = '2026-03-02' WHERE order_key = 'B';
-- Renamed, it keeps its plan.
UPDATE sacrosanct.orders SET order_key = 'B2' WHERE order_key = 'B';
-- Deleted, it releases its capacity.
DELETE FROM sacrosanct.orders WHERE order_key = 'D1';
SELECT * FROM plan;

-- An order imported as done is history: not planned.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, status, delivered)
VALUES ('OLD', 'PART', 9999, '2025-12-01', 'done', '2025-11-28');
SELECT count(*) AS planned_rows FROM sacrosanct.schedule WHERE order_key = 'OLD';

-- at_risk is the extension's to set.
UPDATE sacrosanct.orders SET at_risk = true WHERE order_key = 'A';
-- TRUNCATE would drop orders without releasing their capacity.
TRUNCATE sacrosanct.orders;
-- A promise in the past cannot be backed.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('E', 'PART', 1, '2026-02-27');

-- A promise the writer gives is never moved, only refused: not even when
-- the guard chose one for the same key earlier, in a rolled-back savepoint.
BEGIN;
SAVEPOINT s;
INSERT INTO sacrosanct.orders (order_key, product, qty) VALUES ('K', 'PART', 10);
ROLLBACK TO s;
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('K', 'PART', 2400, '2026-03-02');
ROLLBACK;
-- A key already taken is the table's to refuse, with or without a promise.
INSERT INTO sacrosanct.orders (order_key, product, qty) VALUES ('A', 'PART', 10);

SELECT * FROM sacrosanct.verify();
