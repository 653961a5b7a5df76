-- A small plant worked by hand: how capacity is counted and how one order
-- is loaded (DESIGN.md §3.1, rules 1-5).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

-- Day shift: two four-hour windows, Monday to Friday, 480 minutes a day.
-- Night shift: 22:00-06:00 crosses midnight; all 480 minutes count for the
-- day it starts on, so Friday night is Friday's and Saturday has none.
INSERT INTO sacrosanct.calendar (code, name) VALUES ('day', 'day shift'), ('night', 'night shift');
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'day', d, w.starts, w.ends
  FROM generate_series(1, 5) d,
       (VALUES ('08:00'::time, '12:00'::time), ('13:00', '17:00')) w(starts, ends);
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'night', d, '22:00', '06:00' FROM generate_series(1, 5) d;
-- Wednesday is a holiday for the day shift only
INSERT INTO sacrosanct.calendar_holiday VALUES ('day', '2026-03-04');

-- LATHE: one finite unit on days.  OVEN: two finite units on nights.
-- PAINT: an outside painter, not finite: what is planned never reduces it.
INSERT INTO sacrosanct.resource (code, name, units, finite, calendar) VALUES
  ('LATHE', 'lathe',           1, true,  'day'),
  ('OVEN',  'curing oven',     2, true,  'night'),
  ('PAINT', 'outside painter', 1, false, 'day');

-- Rule 1: cap = units x window minutes, 0 on a holiday
SELECT d::date AS day, to_char(d, 'Dy') AS dow,
       sacrosanct.capacity('LATHE', d::date) AS lathe,
       sacrosanct.capacity('OVEN', d::date) AS oven,
       sacrosanct.capacity('PAINT', d::date) AS paint
  FROM generate_series('2026-03-02'::date, '2026-03-08', '1 day') d;

-- A widget: turn it (setup 30 + 45 per unit), cure it a day later (90 per
-- unit), paint it (60 per order).  Two buffer days between finish and promise.
INSERT INTO sacrosanct.product (code, name, buffer_days) VALUES ('WIDGET', 'widget', 2);
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes, lag_days) VALUES
  ('WIDGET', 10, 'LATHE', 30, 45, 0),
  ('WIDGET', 20, 'OVEN',   0, 90, 1),
  ('WIDGET', 30, 'PAINT', 60,  0, 0);

-- Rule 2: work = ceil(setup + run x qty).  For 10 widgets: LATHE 480,
-- OVEN 900, PAINT 60.  Rules 3-4: LATHE takes Monday whole (finish Mon);
-- OVEN starts a day later, Tuesday, 900 of its 960 (finish Tue); PAINT
-- starts the day the oven finishes, 60 on Tuesday.  Planned finish Tuesday
-- 03-03; with 2 buffer days the earliest backed promise is Thursday 03-05.
SELECT * FROM sacrosanct.quote('WIDGET', 10);
INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised)
VALUES ('W-1', 'Acme', 'WIDGET', 10, '2026-03-13');
SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule ORDER BY step, day;

-- The next 10 widgets, loaded behind W-1: LATHE Monday is full, Tuesday
-- 480; OVEN from Wednesday (960 free: the holiday is the day shift's);
-- PAINT from Wednesday, a holiday on its calendar, so Thursday.  Finish
-- Thursday 03-05, backed from Saturday 03-07.  Yet the quote says Thursday
-- 03-05 (rule 9): a replan that loads the new order first and W-1 after it
-- still finishes W-1 on the 5th, well before its promise on the 13th.
SELECT * FROM sacrosanct.quote('WIDGET', 10);
-- Promised on the 7th, W-2 fits where greedy insertion puts it: nothing moves.
INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised)
VALUES ('W-2', 'Bolt', 'WIDGET', 10, '2026-03-07');
SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule
 WHERE order_key = 'W-2' ORDER BY step, day;

-- A fractional quantity rounds the work up: 2.5 x 45 + 30 = 142.5 -> 143.
-- The lathe is booked Monday and Tuesday; Wednesday is a holiday; Thursday.
INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised)
VALUES ('W-3', 'Cogs', 'WIDGET', 2.5, '2026-03-31');
SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule
 WHERE order_key = 'W-3' ORDER BY step, day;

-- Planned minutes per finite resource and day: the sum of the allocations.
-- The painter is not finite: it keeps no load and is never full.
SELECT resource, day, planned FROM sacrosanct.load WHERE planned <> 0 AND isfinite(day) ORDER BY 1, 2;
SELECT * FROM sacrosanct.verify();
