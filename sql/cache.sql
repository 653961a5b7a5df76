-- What a backend keeps between statements (the open orders it parsed, the
-- pages of sacrosanct.demand it need not visit again, the order it sorted
-- them in) is never stale: every statement decides on what is committed.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

-- One lathe, 480 minutes a day; a part takes a minute.
INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('LATHE', 'day');
INSERT INTO sacrosanct.product (code) VALUES ('PART');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('PART', 1, 'LATHE', 1);

-- Enough orders to fill several pages of sacrosanct.demand: the first two
-- weeks are booked, ten orders a day, each promised for its day (no slack:
-- nothing can move ahead of them).
INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
SELECT 'A' || lpad(i::text, 3, '0'), 'PART', 48,
       DATE '2026-03-02' + (i - 1) / 10 + 2 * ((i - 1) / 50)
  FROM generate_series(1, 100) i;
SELECT count(*) AS orders, min(planned_finish), max(planned_finish) FROM sacrosanct.demand;
SELECT pg_relation_size('sacrosanct.demand') / current_setting('block_size')::int > 1 AS several_pages;

-- Every page all-visible: the next statement reads them and keeps them.
VACUUM (FREEZE) sacrosanct.demand;
SELECT earliest, planned_finish FROM sacrosanct.quote('PART', 480);   -- Monday 03-16

-- An order that takes the next free day lands on a page that had room;
-- VACUUM makes that page all-visible again, so only its LSN says it changed.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('B', 'PART', 480, '2026-03-16');
VACUUM (FREEZE) sacrosanct.demand;
SELECT earliest, planned_finish FROM sacrosanct.quote('PART', 480);   -- a day later, 03-17

-- A cancel frees a day: the freed page is visited again.
UPDATE sacrosanct.orders SET status = 'cancelled' WHERE order_key = 'A050';
VACUUM (FREEZE) sacrosanct.demand;
SELECT earliest, planned_finish FROM sacrosanct.quote('PART', 48);    -- Friday 03-06

-- A replan sorts from the order kept: the same plan as from scratch.
SELECT count(*) AS moved FROM sacrosanct.replan('kept order');
SELECT * FROM sacrosanct.verify();
