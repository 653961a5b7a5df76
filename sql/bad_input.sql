SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday
-- Bad input (DESIGN.md §3.4): every column of every table users write, and
-- every argument of the functions, refused with the standard SQLSTATE that
-- fits and a clear message; nothing half-written.
--
-- After each refusal pg_temp.written() names every table whose contents
-- changed since the previous call (calendars to plan_log), or says
-- "nothing written".
\set VERBOSITY default

-- A small plant: calendar C works Monday to Friday 08:00-16:00; resource R
-- on it; product P takes 1 minute per unit on R; order o1 is planned.
INSERT INTO sacrosanct.calendar (code) VALUES ('C');
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'C', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.calendar_holiday (calendar, day) VALUES ('C', '2026-12-25');
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('R', 'C');
INSERT INTO sacrosanct.product (code) VALUES ('P'), ('Q');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('P', 1, 'R', 1);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('o1', 'P', 10, '2026-03-31');

CREATE TEMP TABLE fingerprint (tbl text PRIMARY KEY, md5 text);
CREATE FUNCTION pg_temp.written() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    t text;
    h text;
    changed text[] := '{}';
BEGIN
    FOREACH t IN ARRAY ARRAY['calendar', 'calendar_window', 'calendar_holiday', 'resource',
                             'product', 'routing', 'capacity_change', 'orders', 'demand',
                             'load', 'plan_log', 'renegotiation'] LOOP
        EXECUTE format('SELECT md5(coalesce(string_agg(x::text, E''\n'' ORDER BY x::text COLLATE "C"), ''''))
                          FROM sacrosanct.%I x', t) INTO h;
        IF NOT EXISTS (SELECT FROM fingerprint f WHERE f.tbl = t AND f.md5 = h) THEN
            changed := changed || t;
            INSERT INTO fingerprint VALUES (t, h) ON CONFLICT (tbl) DO UPDATE SET md5 = h;
        END IF;
    END LOOP;
    RETURN CASE WHEN changed = '{}' THEN 'nothing written'
                ELSE 'written: ' || array_to_string(changed, ', ') END;
END
$$;
SELECT pg_temp.written() IS NOT NULL AS baseline_taken;
SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule;

--------------------------------------------------------------------------------
-- calendar
--------------------------------------------------------------------------------
INSERT INTO sacrosanct.calendar (code) VALUES (NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar (code) VALUES ('C');
SELECT pg_temp.written();
-- the schedule refers to codes: renaming is refused
UPDATE sacrosanct.calendar SET code = 'C2' WHERE code = 'C';
SELECT pg_temp.written();
-- a calendar in use by a resource
DELETE FROM sacrosanct.calendar WHERE code = 'C';
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- calendar_window
--------------------------------------------------------------------------------
INSERT INTO sacrosanct.calendar_window VALUES (NULL, 6, '08:00', '12:00');
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_window VALUES ('NOPE', 6, '08:00', '12:00');
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_window VALUES ('C', 0, '08:00', '12:00');
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_window VALUES ('C', 8, '08:00', '12:00');
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_window VALUES ('C', NULL, '08:00', '12:00');
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_window VALUES ('C', 6, NULL, '12:00');
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_window VALUES ('C', 6, '08:00', NULL);
SELECT pg_temp.written();
-- windows are whole minutes
INSERT INTO sacrosanct.calendar_window VALUES ('C', 6, '08:00:30', '12:00');
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_window VALUES ('C', 6, '08:00', '12:00:00.5');
SELECT pg_temp.written();
-- starts = ends is no window
INSERT INTO sacrosanct.calendar_window VALUES ('C', 6, '10:00', '10:00');
SELECT pg_temp.written();
-- '24:00' ends a day; it does not start one
INSERT INTO sacrosanct.calendar_window VALUES ('C', 6, '24:00', '08:00');
SELECT pg_temp.written();
-- overlaps: on the same day
INSERT INTO sacrosanct.calendar_window VALUES ('C', 1, '12:00', '18:00');
SELECT pg_temp.written();
-- an overnight window whose part after midnight overlaps the next day's window
INSERT INTO sacrosanct.calendar_window VALUES ('C', 2, '22:00', '09:00');
SELECT pg_temp.written();
-- Sunday night overlapping Monday morning (the week wraps)
INSERT INTO sacrosanct.calendar_window VALUES ('C', 7, '22:00', '08:30');
SELECT pg_temp.written();
-- an overnight window starting inside its own day's window
INSERT INTO sacrosanct.calendar_window VALUES ('C', 1, '15:00', '07:00');
SELECT pg_temp.written();
-- two new windows overlapping each other
INSERT INTO sacrosanct.calendar_window VALUES ('C', 6, '08:00', '12:00'), ('C', 6, '11:00', '13:00');
SELECT pg_temp.written();
-- the same start twice
INSERT INTO sacrosanct.calendar_window VALUES ('C', 1, '08:00', '09:00');
SELECT pg_temp.written();
-- an update that makes Tuesday's window run into Wednesday's
UPDATE sacrosanct.calendar_window SET starts = '16:00', ends = '09:00' WHERE calendar = 'C' AND isodow = 2;
SELECT pg_temp.written();
-- (put back should it have been accepted: an overlap left in place would
-- refuse every later change of master data; deferred, so that the check
-- sees the row as put back)
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
UPDATE sacrosanct.calendar_window SET starts = '08:00', ends = '16:00' WHERE calendar = 'C' AND isodow = 2;
COMMIT;
SELECT pg_temp.written() IS NOT NULL AS baseline_taken;

--------------------------------------------------------------------------------
-- calendar_holiday
--------------------------------------------------------------------------------
INSERT INTO sacrosanct.calendar_holiday VALUES (NULL, '2026-12-24');
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_holiday VALUES ('NOPE', '2026-12-24');
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_holiday VALUES ('C', NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.calendar_holiday VALUES ('C', '2026-12-25');
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- resource
--------------------------------------------------------------------------------
INSERT INTO sacrosanct.resource (code, calendar) VALUES (NULL, 'C');
SELECT pg_temp.written();
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('R', 'C');
SELECT pg_temp.written();
INSERT INTO sacrosanct.resource (code, calendar, units) VALUES ('R2', 'C', 0);
SELECT pg_temp.written();
INSERT INTO sacrosanct.resource (code, calendar, units) VALUES ('R2', 'C', -1);
SELECT pg_temp.written();
INSERT INTO sacrosanct.resource (code, calendar, units) VALUES ('R2', 'C', NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.resource (code, calendar, units) VALUES ('R2', 'C', 1000001);
SELECT pg_temp.written();
INSERT INTO sacrosanct.resource (code, calendar, units) VALUES ('R2', 'C', 3000000000);
SELECT pg_temp.written();
INSERT INTO sacrosanct.resource (code, calendar, finite) VALUES ('R2', 'C', NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('R2', NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('R2', 'NOPE');
SELECT pg_temp.written();
UPDATE sacrosanct.resource SET units = 0 WHERE code = 'R';
SELECT pg_temp.written();
UPDATE sacrosanct.resource SET code = 'R9' WHERE code = 'R';
SELECT pg_temp.written();
-- a resource a routing uses
DELETE FROM sacrosanct.resource WHERE code = 'R';
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- product
--------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES (NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.product (code) VALUES ('P');
SELECT pg_temp.written();
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('P2', -1);
SELECT pg_temp.written();
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('P2', NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('P2', 3661);
SELECT pg_temp.written();
UPDATE sacrosanct.product SET buffer_days = -1 WHERE code = 'P';
SELECT pg_temp.written();
UPDATE sacrosanct.product SET code = 'P9' WHERE code = 'P';
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- routing (product Q has no orders: only the row itself is judged)
--------------------------------------------------------------------------------
INSERT INTO sacrosanct.routing (product, step, resource) VALUES (NULL, 1, 'R');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource) VALUES ('NOPE', 1, 'R');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource) VALUES ('Q', 0, 'R');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource) VALUES ('Q', -1, 'R');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource) VALUES ('Q', NULL, 'R');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource) VALUES ('Q', 2147483648, 'R');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource) VALUES ('P', 1, 'R');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource) VALUES ('Q', 1, NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource) VALUES ('Q', 1, 'NOPE');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes) VALUES ('Q', 1, 'R', -1);
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes) VALUES ('Q', 1, 'R', NULL);
SELECT pg_temp.written();
-- NaN and infinite minutes are no minutes (steps of their own, in case one is accepted)
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes) VALUES ('Q', 11, 'R', 'NaN');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('Q', 1, 'R', -0.5);
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('Q', 1, 'R', NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('Q', 12, 'R', 'NaN');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('Q', 13, 'R', 'Infinity');
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource, lag_days) VALUES ('Q', 1, 'R', -1);
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource, lag_days) VALUES ('Q', 1, 'R', NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.routing (product, step, resource, lag_days) VALUES ('Q', 1, 'R', 3661);
SELECT pg_temp.written();
-- absurd routing minutes are refused (a billion minutes per unit at most)
UPDATE sacrosanct.routing SET run_minutes = 1e20 WHERE product = 'P';
SELECT pg_temp.written();
-- (cleanup should one of the above have been accepted)
DELETE FROM sacrosanct.routing WHERE product = 'Q';
SELECT pg_temp.written() IS NOT NULL AS baseline_taken;

--------------------------------------------------------------------------------
-- capacity_change (terse: a failing row shows its id and created_at, which
-- differ from run to run)
--------------------------------------------------------------------------------
\set VERBOSITY terse
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES (NULL, '[2026-03-02,2026-03-03)', 60, 'overtime');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('NOPE', '[2026-03-02,2026-03-03)', 60, 'overtime');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('R', NULL, 60, 'overtime');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('R', 'empty', 60, 'overtime');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('R', '[2026-03-02,)', 60, 'overtime');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('R', '(,2026-03-03)', 60, 'overtime');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('R', '[2026-03-05,2026-03-02)', 60, 'overtime');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('R', '[2026-03-02,2026-03-03)', 0, 'nothing');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('R', '[2026-03-02,2026-03-03)', NULL, 'overtime');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('R', '[2026-03-02,2026-03-03)', 2147483648, 'overtime');
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('R', '[2026-03-02,2026-03-03)', 60, NULL);
SELECT pg_temp.written();
INSERT INTO sacrosanct.capacity_change (id, resource, days, minutes, reason)
VALUES (1, 'R', '[2026-03-02,2026-03-03)', 60, 'overtime');
SELECT pg_temp.written();
\set VERBOSITY default

--------------------------------------------------------------------------------
-- orders
--------------------------------------------------------------------------------
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES (NULL, 'P', 1, '2026-03-31');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('o1', 'P', 1, '2026-03-31');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x', NULL, 1, '2026-03-31');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x', 'NOPE', 1, '2026-03-31');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x', 'P', 0, '2026-03-31');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x', 'P', -1, '2026-03-31');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x', 'P', NULL, '2026-03-31');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x', 'P', 'NaN', '2026-03-31');
SELECT pg_temp.written();
-- not planned, but a quantity all the same
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, status) VALUES ('x2', 'P', 'NaN', '2026-03-31', 'done');
SELECT pg_temp.written();
-- absurd quantities are refused (below 10^15, finite)
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x', 'P', 1e20, '2026-03-31');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x', 'P', 'Infinity', '2026-03-31');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, status) VALUES ('x', 'P', 1, '2026-03-31', 'shipped');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, status) VALUES ('x', 'P', 1, '2026-03-31', NULL);
SELECT pg_temp.written();
-- a promise is a day: not infinity, and not minus infinity (with or without a quote)
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x3', 'P', 1, 'infinity');
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x4', 'P', 1, '-infinity');
SELECT pg_temp.written();
SELECT quote_id AS qid FROM sacrosanct.quote('P', 1, hold => '1 hour') \gset
SELECT pg_temp.written() AS after_quote;
\set VERBOSITY terse
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id) VALUES ('x5', 'P', 1, '-infinity', :qid);
\set VERBOSITY default
SELECT pg_temp.written();
-- nor is minus infinity a day to start on
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, not_before) VALUES ('x6', 'P', 1, '2026-03-31', '-infinity');
SELECT pg_temp.written();
-- (cleanup should any of these have been accepted)
DELETE FROM sacrosanct.orders WHERE order_key LIKE 'x_';
SELECT pg_temp.written() IS NOT NULL AS baseline_taken;
-- an unknown quote
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id) VALUES ('x', 'P', 1, '2026-03-31', 424242);
SELECT pg_temp.written();
-- at_risk is the extension's
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, at_risk) VALUES ('x', 'P', 1, '2026-03-31', true);
SELECT pg_temp.written();
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, at_risk) VALUES ('x', 'P', 1, '2026-03-31', NULL);
SELECT pg_temp.written();
UPDATE sacrosanct.orders SET at_risk = true WHERE order_key = 'o1';
SELECT pg_temp.written();
-- updates
UPDATE sacrosanct.orders SET qty = 0 WHERE order_key = 'o1';
SELECT pg_temp.written();
UPDATE sacrosanct.orders SET qty = 'NaN' WHERE order_key = 'o1';
SELECT pg_temp.written();
UPDATE sacrosanct.orders SET qty = 1e20 WHERE order_key = 'o1';
SELECT pg_temp.written();
UPDATE sacrosanct.orders SET product = NULL WHERE order_key = 'o1';
SELECT pg_temp.written();
UPDATE sacrosanct.orders SET product = 'NOPE' WHERE order_key = 'o1';
SELECT pg_temp.written();
UPDATE sacrosanct.orders SET order_key = NULL WHERE order_key = 'o1';
SELECT pg_temp.written();
UPDATE sacrosanct.orders SET status = 'shipped' WHERE order_key = 'o1';
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- quote(product, qty, not_before, hold)
--------------------------------------------------------------------------------
SELECT * FROM sacrosanct.quote(NULL, 1);
SELECT * FROM sacrosanct.quote('NOPE', 1);
SELECT * FROM sacrosanct.quote('Q', 1);
SELECT * FROM sacrosanct.quote('P', 0);
SELECT * FROM sacrosanct.quote('P', -1);
SELECT * FROM sacrosanct.quote('P', NULL);
SELECT * FROM sacrosanct.quote('P', 'NaN');
SELECT * FROM sacrosanct.quote('P', 1e20);
SELECT * FROM sacrosanct.quote('P', 'Infinity');
SELECT * FROM sacrosanct.quote('P', 1, hold => '0');
SELECT * FROM sacrosanct.quote('P', 1, hold => '-1 hour');
SELECT * FROM sacrosanct.quote('P', 1, hold => '1 mon -30 days');
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- replan(reason), capacity(resource, day)
--------------------------------------------------------------------------------
SELECT * FROM sacrosanct.replan(NULL);
SELECT pg_temp.written();
SELECT sacrosanct.capacity('NOPE', '2026-03-02');
-- a NULL argument gives a NULL capacity, as for any strict function
SELECT sacrosanct.capacity(NULL, '2026-03-02') AS no_resource, sacrosanct.capacity('R', NULL) AS no_day;

--------------------------------------------------------------------------------
-- add_capacity(), remove_capacity(): nothing is written for bad input
--------------------------------------------------------------------------------
SELECT sacrosanct.add_capacity('NOPE', '[2026-03-02,2026-03-03)', 60, 'overtime');
SELECT sacrosanct.add_capacity(NULL, '[2026-03-02,2026-03-03)', 60, 'overtime');
SELECT sacrosanct.add_capacity('R', NULL, 60, 'overtime');
SELECT sacrosanct.add_capacity('R', 'empty', 60, 'overtime');
SELECT sacrosanct.add_capacity('R', '[2026-03-02,)', 60, 'overtime');
SELECT sacrosanct.add_capacity('R', '[,2026-03-02)', 60, 'overtime');
SELECT sacrosanct.add_capacity('R', '[2026-03-02,infinity)', 60, 'overtime');
SELECT sacrosanct.add_capacity('R', '[2026-03-02,2026-03-03)', 0, 'overtime');
SELECT sacrosanct.add_capacity('R', '[2026-03-02,2026-03-03)', -60, 'overtime');
SELECT sacrosanct.add_capacity('R', '[2026-03-02,2026-03-03)', NULL, 'overtime');
SELECT sacrosanct.add_capacity('R', '[2026-03-02,2026-03-03)', 60, NULL);
SELECT sacrosanct.add_capacity('R', '[2026-03-02,2026-03-03)', 60, '   ');
SELECT sacrosanct.remove_capacity('NOPE', '[2026-03-02,2026-03-03)', 60, 'breakdown');
SELECT sacrosanct.remove_capacity('R', '[2026-03-02,2026-03-03)', -60, 'breakdown', force => true);
SELECT sacrosanct.remove_capacity('R', '[2026-03-02,2026-03-03)', 60, '');
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- complete_step(), guard(), unguard()
--------------------------------------------------------------------------------
SELECT sacrosanct.complete_step(NULL, 1);
SELECT sacrosanct.complete_step('A', NULL);
SELECT sacrosanct.complete_step('no such order', 1);
CREATE TABLE not_guarded (id int PRIMARY KEY);
SELECT sacrosanct.guard(NULL, 'k', 'p', 'q', 'd');
SELECT sacrosanct.guard('not_guarded', NULL, 'p', 'q', 'd');
SELECT sacrosanct.guard('sacrosanct.orders', 'order_key', 'product', 'qty', 'promised');
SELECT sacrosanct.guard('sacrosanct.schedule', 'order_key', 'product', 'qty', 'promised');
SELECT sacrosanct.unguard(NULL);
SELECT sacrosanct.unguard('not_guarded');
DROP TABLE not_guarded;
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- The schedule is written by sacrosanct only: superusers too are refused
--------------------------------------------------------------------------------
SELECT rolsuper AS i_am_superuser FROM pg_roles WHERE rolname = current_user;
INSERT INTO sacrosanct.demand (order_key, product, qty, promised, backed, step, step_resource,
                               step_work, alloc_step, alloc_day, alloc_minutes)
VALUES ('fake', 'P', 1, '2026-03-31', true, '{1}', '{R}', '{1}', '{}', '{}', '{}');
UPDATE sacrosanct.demand SET promised = '2026-03-03';
DELETE FROM sacrosanct.demand;
TRUNCATE sacrosanct.demand;
INSERT INTO sacrosanct.load (resource, day, planned) VALUES ('R', '2026-03-03', 480);
UPDATE sacrosanct.load SET planned = 0;
DELETE FROM sacrosanct.load;
TRUNCATE sacrosanct.load;
INSERT INTO sacrosanct.plan_log (what, why) VALUES ('replan', 'nobody did');
UPDATE sacrosanct.plan_log SET why = 'rewritten';
DELETE FROM sacrosanct.plan_log;
TRUNCATE sacrosanct.plan_log;
INSERT INTO sacrosanct.schedule (order_key, step, resource, day, minutes) VALUES ('fake', 1, 'R', '2026-03-02', 1);
SELECT pg_temp.written();
-- not even with the triggers of replication turned off
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM sacrosanct.load;
ROLLBACK;
SELECT pg_temp.written();

SELECT order_key, step, resource, day, minutes, quote_id IS NOT NULL AS hold
  FROM sacrosanct.schedule ORDER BY order_key, day;
SELECT * FROM sacrosanct.verify();
