-- test/stress/prove.sql: the stress checks can fail.  Each case corrupts
-- the schedule by hand in a transaction that rolls back, behind the
-- extension's back (its triggers disabled: ALTER TABLE ... DISABLE TRIGGER
-- USER, which only a superuser may do), and checks that sacrosanct.verify()
-- and the plain-SQL recount (test/stress/recount.sql) each report it, and
-- that their comparison (stress.disagreements()) reports what only one of
-- them sees.  Prints "ok - ..." or "not ok - ..." per case
-- (test/stress/run --prove; the short run of make test runs it).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- a case's verdict: verify() and the recount report what they should
CREATE TEMP TABLE want (problem text, verify int, recount int);
CREATE FUNCTION pg_temp.verdict(what text, disagreements int DEFAULT 0) RETURNS text
    LANGUAGE sql AS $$
    WITH v AS (SELECT problem, count(*)::int AS n FROM sacrosanct.verify() GROUP BY 1),
         r AS (SELECT problem, count(*)::int AS n FROM stress.recount GROUP BY 1),
         bad AS (SELECT w.problem FROM want w
                   LEFT JOIN v ON v.problem = w.problem LEFT JOIN r ON r.problem = w.problem
                  WHERE coalesce(v.n, 0) <> w.verify OR coalesce(r.n, 0) <> w.recount)
    SELECT CASE WHEN NOT EXISTS (SELECT FROM bad)
                 AND (SELECT count(*) FROM stress.disagreements()) = disagreements
                 -- nothing but what the case wants
                 AND NOT EXISTS (SELECT FROM v WHERE problem NOT IN (SELECT problem FROM want))
                 AND NOT EXISTS (SELECT FROM r WHERE problem NOT IN (SELECT problem FROM want))
                THEN 'ok' ELSE 'not ok' END
           || ' - ' || what || ': verify() ' || coalesce((SELECT string_agg(problem || ' x' || n, ', ') FROM v), 'nothing')
           || '; recount ' || coalesce((SELECT string_agg(problem || ' x' || n, ', ') FROM r), 'nothing')
           || '; disagreements ' || (SELECT count(*) FROM stress.disagreements())
           || coalesce('; wanted ' || (SELECT string_agg(problem || ' x' || verify, ', ') FROM want), '')
$$;

-- 0. as it is: nothing
SELECT pg_temp.verdict('the schedule as the run left it');

-- 1. a load row one minute off
BEGIN;
ALTER TABLE sacrosanct.load DISABLE TRIGGER USER;
UPDATE sacrosanct.load SET planned = planned + 1
 WHERE (resource, day) = (SELECT resource, day FROM sacrosanct.load
                           WHERE day >= sacrosanct.today() AND planned > 0 ORDER BY resource, day LIMIT 1);
INSERT INTO want VALUES ('load mismatch', 1, 1);
SELECT pg_temp.verdict('a load row one minute off');
ROLLBACK;

-- 2. a day's capacity taken away without the master-data check: overload
BEGIN;
ALTER TABLE sacrosanct.capacity_change DISABLE TRIGGER USER;
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
SELECT resource, daterange(day, day + 1), -1000000, 'prove: overload'
  FROM sacrosanct.load WHERE day >= sacrosanct.today() AND planned > 0 ORDER BY resource, day LIMIT 1;
INSERT INTO want VALUES ('overload', 1, 1);
SELECT pg_temp.verdict('a loaded day''s capacity removed behind the check');
ROLLBACK;

-- 3. the same, with this backend's plant cached before the change: the
--    extension's own code (verify(), capacity()) reads the stale cache, the
--    recount reads the tables; their comparison reports the day
BEGIN;
ALTER TABLE sacrosanct.capacity_change DISABLE TRIGGER USER;
SELECT sacrosanct.capacity('R01', sacrosanct.today()) IS NOT NULL AS plant_cached \g /dev/null
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
SELECT resource, daterange(day, day + 1), -1000000, 'prove: stale plant'
  FROM sacrosanct.load WHERE day >= sacrosanct.today() AND planned > 0 ORDER BY resource, day LIMIT 1;
INSERT INTO want VALUES ('overload', 0, 1), ('capacity differs', 0, 1);
SELECT pg_temp.verdict('capacity removed while the plant was cached (only the recount sees it)', 1);
ROLLBACK;

-- 4. an order's promise moved behind the guard
BEGIN;
ALTER TABLE sacrosanct.orders DISABLE TRIGGER USER;
UPDATE sacrosanct.orders SET promised = promised - 1
 WHERE order_key = (SELECT order_key FROM sacrosanct.orders WHERE status = 'open' ORDER BY order_key LIMIT 1);
INSERT INTO want VALUES ('plan differs from order', 1, 0), ('plan differs', 0, 1);
SELECT pg_temp.verdict('an order''s promise moved behind the guard');
ROLLBACK;

-- 5. an allocation one minute short: the load disagrees and a step lacks work
BEGIN;
ALTER TABLE sacrosanct.demand DISABLE TRIGGER USER;
UPDATE sacrosanct.demand SET alloc_minutes[1] = alloc_minutes[1] - 1
 WHERE id = (SELECT id FROM sacrosanct.demand
              WHERE order_key IS NOT NULL AND NOT at_risk AND steps_done = 0
                AND promised >= sacrosanct.today() AND alloc_minutes[1] > 1
                AND alloc_day[1] >= sacrosanct.today()
              ORDER BY id LIMIT 1);
INSERT INTO want VALUES ('load mismatch', 1, 1), ('work not planned', 1, 1);
SELECT pg_temp.verdict('an allocation one minute short');
ROLLBACK;

-- 6. an open order's plan gone: its order has no plan, and every
--    resource-day it had minutes on disagrees with the load
BEGIN;
ALTER TABLE sacrosanct.demand DISABLE TRIGGER USER;
CREATE TEMP TABLE victim AS
    SELECT order_key, source FROM sacrosanct.demand WHERE order_key IS NOT NULL ORDER BY id LIMIT 1;
INSERT INTO want
SELECT 'missing plan', 1, 1
UNION ALL
SELECT 'load mismatch', count(DISTINCT (s.resource, s.day)), count(DISTINCT (s.resource, s.day))
  FROM sacrosanct.schedule s JOIN victim v USING (order_key, source);
DELETE FROM sacrosanct.demand d USING victim v WHERE d.order_key = v.order_key AND d.source = v.source;
SELECT pg_temp.verdict('an open order''s plan deleted');
ROLLBACK;

-- 7. a product's buffer raised behind the check: its orders' promises are
--    no longer backed (except the late, the at-risk, the complete, and those
--    promised more than the new buffer after their planned finish: the mix
--    inserts generous promises too)
BEGIN;
ALTER TABLE sacrosanct.product DISABLE TRIGGER USER;
UPDATE sacrosanct.product SET buffer_days = buffer_days + 400 WHERE code = bench.product_code(1);
INSERT INTO want
SELECT 'unbacked promise', count(*), count(*) FROM sacrosanct.demand d
  JOIN sacrosanct.product p ON p.code = d.product
 WHERE d.product = bench.product_code(1) AND d.order_key IS NOT NULL AND NOT d.at_risk
   AND d.promised >= sacrosanct.today() AND d.steps_done < cardinality(d.step)
   AND (d.planned_finish IS NULL OR d.planned_finish + p.buffer_days > d.promised);
SELECT pg_temp.verdict('a product''s buffer raised by 400 days behind the check');
ROLLBACK;

-- 8. the outcome checks of test/stress/run: a refusal its kind may not have
BEGIN;
INSERT INTO stress.outcome (op, sqlstate, ms) VALUES ('insert', 'XX000', 0), ('cancel', 'SC001', 0);
SELECT CASE WHEN (SELECT count(*) FROM stress.unexpected) = 2 THEN 'ok' ELSE 'not ok' END
       || ' - refusals with an unexpected SQLSTATE (XX000 on insert, SC001 on cancel) are caught';
ROLLBACK;
