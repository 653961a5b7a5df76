-- The sacrosanct story, told in psql by `make demo`.
\pset footer off
\set ECHO queries
SET datestyle = 'ISO, YMD';

\echo
\echo '# 1. Install the extension: one schema, nothing else touched.'
CREATE EXTENSION sacrosanct;
SELECT extversion AS version FROM pg_extension WHERE extname = 'sacrosanct';
\dn sacrosanct

\echo
\echo '# 2. A small plant.  Today is pinned to Monday 2026-03-02 so the story repeats.'
SET sacrosanct.today = '2026-03-02';
\set ECHO none
INSERT INTO sacrosanct.calendar (code, name) VALUES ('day', 'day shift'), ('night', 'night shift');
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'day', d, w.s, w.e FROM generate_series(1, 5) d,
       (VALUES ('08:00'::time, '12:00'::time), ('13:00', '17:00')) w(s, e);
INSERT INTO sacrosanct.calendar_window SELECT 'night', d, '22:00', '06:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.calendar_holiday VALUES ('day', '2026-03-04');
INSERT INTO sacrosanct.resource (code, name, units, finite, calendar) VALUES
  ('LATHE', 'lathe', 1, true, 'day'),
  ('OVEN', 'curing oven', 2, true, 'night'),
  ('PAINT', 'outside painter', 1, false, 'day');
INSERT INTO sacrosanct.product (code, name, buffer_days) VALUES ('WIDGET', 'widget', 2);
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes, lag_days) VALUES
  ('WIDGET', 10, 'LATHE', 30, 45, 0), ('WIDGET', 20, 'OVEN', 0, 90, 1), ('WIDGET', 30, 'PAINT', 60, 0, 0);
\set ECHO queries
SELECT code, units, finite, calendar FROM sacrosanct.resource ORDER BY code;
SELECT step, resource, setup_minutes, run_minutes, lag_days FROM sacrosanct.routing ORDER BY step;
SELECT d::date AS day, sacrosanct.capacity('LATHE', d::date) AS lathe,
       sacrosanct.capacity('OVEN', d::date) AS oven
  FROM generate_series('2026-03-02'::date, '2026-03-06', '1 day') d;

\echo
\echo '# 3. Sales asks before promising: what date can the schedule back for 10 widgets?'
SELECT * FROM sacrosanct.quote('WIDGET', 10);

\echo
\echo '# 4. The ERP inserts orders as it always did.  This one fits:'
INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised)
VALUES ('SO-1001', 'Acme', 'WIDGET', 10, '2026-03-13');
SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule ORDER BY day, step;

\echo
\echo '# 5. A salesperson promises 16 widgets for Thursday.  The database says no, and when:'
INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised)
VALUES ('SO-1002', 'Bolt', 'WIDGET', 16, '2026-03-05');

\echo
\echo '# 6. The same order with the date the schedule backs is accepted:'
INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised)
VALUES ('SO-1002', 'Bolt', 'WIDGET', 16, '2026-03-07');

\echo
\echo '# 7. No date given: the guard promises the earliest one it can back.'
INSERT INTO sacrosanct.orders (order_key, customer, product, qty)
VALUES ('SO-1003', 'Cogs', 'WIDGET', 4) RETURNING order_key, promised;

\echo
\echo '# 8. Dyna needs 2 widgets by the 10th.  Loaded behind everything they would ship the 11th;'
\echo '#    SO-1001 has slack until the 13th, so the schedule is replanned, not crashed.'
INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised)
VALUES ('SO-1004', 'Dyna', 'WIDGET', 2, '2026-03-10');
SELECT what, why, orders_moved FROM sacrosanct.plan_log;
SELECT o.order_key, o.promised, max(s.day) AS planned_finish
  FROM sacrosanct.orders o JOIN sacrosanct.schedule s USING (order_key)
 GROUP BY 1, 2 ORDER BY 2, 1;

\echo
\echo '# 9. The oven breaks down on Tuesday night.  Recording it would break a promise:'
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('OVEN', '[2026-03-03,2026-03-04)', -960, 'burner failure');

\echo
\echo '# 10. Overtime instead: more capacity never breaks anything.'
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('LATHE', '[2026-03-05,2026-03-07)', 120, 'two hours overtime Thursday and Friday');
SELECT * FROM sacrosanct.quote('WIDGET', 10);

\echo
\echo '# 11. The invariant, recomputed from scratch: no rows means every promise is backed.'
SELECT * FROM sacrosanct.verify();
