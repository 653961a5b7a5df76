-- test/stress/recount.sql: an independent recount of the schedule in plain
-- SQL, to hold sacrosanct.verify() against (test/stress/run, test/stress/crash).
--
-- It reads only tables and the schedule view (one row per allocation,
-- itself a plain unnest of sacrosanct.demand) and recomputes, from the
-- definitions of DESIGN.md §3.1 rather than from the extension's code:
--
--   capacity   cap(r, d) = max(0, units(r) x wm(cal(r), d) + sum of the
--              capacity changes covering d), wm the calendar's window
--              minutes of d's ISO weekday (an overnight window counts for
--              its start day, 24:00 is midnight), 0 on a holiday; at most
--              2^31 - 1 (README "How it decides")
--   planned    every finite resource-day's minutes, summed from the
--              allocations (orders and quote holds, past days included)
--   work       ceil(setup_minutes + run_minutes x qty) per routing step
--
-- and reports, one row each (problem, resource, day, order_key, detail):
--
--   load mismatch     sacrosanct.load disagrees with the allocations' sum
--   overload          a finite resource-day from today on planned beyond cap
--   beyond horizon    minutes placed after today + horizon_days
--   capacity differs  sacrosanct.capacity(r, d) disagrees with cap(r, d): the
--                     one call of the extension's code, only to compare
--   missing plan, orphan plan, plan differs
--                     an open row of a guarded table (sacrosanct.orders, the
--                     stress ERP table) without its record, a record without
--                     its open row, or one that reads differently
--   work not planned  a step (not yet complete) of an open order that must
--                     be backed has fewer minutes allocated than its work
--   unbacked promise  an open order promised today or later, not at risk,
--                     whose last step ends later than promised - buffer
--   at risk without renegotiation, stale renegotiation
--
-- No rows: the schedule is what its definition says.

CREATE OR REPLACE VIEW stress.recount AS
WITH params AS (
    SELECT coalesce(nullif(current_setting('sacrosanct.today', true), '')::date, current_date) AS today,
           coalesce(nullif(current_setting('sacrosanct.horizon_days', true), '')::int, 730) AS horizon,
           coalesce(nullif(current_setting('sacrosanct.timezone', true), ''), 'UTC') AS tz
), window_minutes AS (
    SELECT calendar, isodow,
           sum(CASE WHEN ends > starts THEN extract(epoch FROM ends - starts)
                    ELSE extract(epoch FROM (time '24:00' - starts) + (ends - time '00:00')) END) / 60 AS minutes
      FROM sacrosanct.calendar_window
     GROUP BY calendar, isodow
), alloc AS (
    SELECT s.resource, s.day, sum(s.minutes)::bigint AS minutes
      FROM sacrosanct.schedule s
     GROUP BY s.resource, s.day
), finite_alloc AS (
    SELECT a.* FROM alloc a JOIN sacrosanct.resource r ON r.code = a.resource WHERE r.finite
), cap AS (
    SELECT a.resource, a.day, a.minutes AS planned,
           least(2147483647, greatest(0,
               r.units * CASE WHEN h.day IS NULL THEN coalesce(w.minutes, 0) ELSE 0 END
               + coalesce((SELECT sum(c.minutes) FROM sacrosanct.capacity_change c
                            WHERE c.resource = a.resource AND c.days @> a.day), 0)))::bigint AS capacity
      FROM finite_alloc a
      JOIN sacrosanct.resource r ON r.code = a.resource
      LEFT JOIN window_minutes w ON w.calendar = r.calendar AND w.isodow = extract(isodow FROM a.day)
      LEFT JOIN sacrosanct.calendar_holiday h ON h.calendar = r.calendar AND h.day = a.day
     WHERE a.day >= (SELECT today FROM params)
), order_alloc AS (    -- each order's minutes and last day per step
    SELECT s.order_key, s.source, s.step, sum(s.minutes) AS allocated, max(s.day) AS last_day
      FROM sacrosanct.schedule s
     WHERE s.order_key IS NOT NULL
     GROUP BY s.order_key, s.source, s.step
), steps AS (          -- each open order's steps: work from the routing, minutes allocated
    SELECT d.order_key, d.source, d.promised, d.at_risk, d.steps_done, p.buffer_days,
           rt.step, rt.resource, rt.k, count(*) OVER (PARTITION BY d.id) AS nsteps,
           ceil(rt.setup_minutes + rt.run_minutes * d.qty)::bigint AS work,
           oa.allocated, oa.last_day
      FROM sacrosanct.demand d
      JOIN sacrosanct.product p ON p.code = d.product
      JOIN (SELECT r.*, row_number() OVER (PARTITION BY r.product ORDER BY r.step) AS k
              FROM sacrosanct.routing r) rt ON rt.product = d.product
      LEFT JOIN order_alloc oa ON oa.order_key = d.order_key AND oa.source = d.source AND oa.step = rt.step
     WHERE d.order_key IS NOT NULL
), guarded_rows AS (   -- the open rows of the guarded tables, as the guard reads them
    SELECT 'sacrosanct.orders'::regclass AS source, order_key, product, qty, promised, not_before
      FROM sacrosanct.orders WHERE status = 'open'
    UNION ALL
    SELECT 'stress.erp_line'::regclass, line_id::text, sku, units,
           (due AT TIME ZONE (SELECT tz FROM params))::date, release_on
      FROM stress.erp_line WHERE state NOT IN ('shipped', 'void')
)
SELECT 'load mismatch' AS problem, coalesce(a.resource, l.resource) AS resource, coalesce(a.day, l.day) AS day,
       NULL::text AS order_key,
       format('load says %s minutes, allocations sum to %s', coalesce(l.planned, 0), coalesce(a.minutes, 0)) AS detail
  FROM finite_alloc a
  FULL JOIN (SELECT * FROM sacrosanct.load WHERE day <> '-infinity') l ON l.resource = a.resource AND l.day = a.day
 WHERE coalesce(a.minutes, 0) <> coalesce(l.planned, 0)
UNION ALL
SELECT 'overload', resource, day, NULL, format('%s minutes planned, capacity %s', planned, capacity)
  FROM cap WHERE planned > capacity
UNION ALL
SELECT 'capacity differs', resource, day, NULL,
       format('recount %s, sacrosanct.capacity() %s', capacity, sacrosanct.capacity(resource, day))
  FROM cap WHERE capacity <> sacrosanct.capacity(resource, day)
UNION ALL
SELECT 'beyond horizon', resource, day, NULL, format('%s minutes', minutes)
  FROM alloc WHERE day > (SELECT today + horizon FROM params)
UNION ALL
SELECT CASE WHEN g.order_key IS NULL THEN 'orphan plan' WHEN d.order_key IS NULL THEN 'missing plan'
            ELSE 'plan differs' END,
       NULL, NULL, coalesce(g.order_key, d.order_key), coalesce(g.source, d.source)::text
  FROM guarded_rows g
  FULL JOIN (SELECT * FROM sacrosanct.demand WHERE order_key IS NOT NULL) d
    ON d.source = g.source AND d.order_key = g.order_key
 WHERE g.order_key IS NULL OR d.order_key IS NULL
    OR g.product IS DISTINCT FROM d.product OR g.qty IS DISTINCT FROM d.qty
    OR g.promised IS DISTINCT FROM d.promised OR g.not_before IS DISTINCT FROM d.not_before
UNION ALL
SELECT 'work not planned', resource, NULL, order_key,
       format('step %s: %s of %s minutes allocated', step, coalesce(allocated, 0), work)
  FROM steps
 WHERE k > steps_done AND coalesce(allocated, 0) < work
   AND NOT at_risk AND promised >= (SELECT today FROM params)
UNION ALL
SELECT 'unbacked promise', NULL, NULL, order_key,
       format('promised %s, last step ends %s, buffer %s days', promised, last_day, buffer_days)
  FROM steps
 WHERE k = nsteps AND steps_done < nsteps AND NOT at_risk
   AND promised >= (SELECT today FROM params)
   AND (last_day IS NULL OR last_day + buffer_days > promised)
UNION ALL
SELECT 'at risk without renegotiation', NULL, NULL, d.order_key, d.source::text
  FROM sacrosanct.demand d
 WHERE d.at_risk AND NOT EXISTS (SELECT FROM sacrosanct.renegotiation n
                                  WHERE n.status = 'open' AND n.order_key = d.order_key AND n.source = d.source)
UNION ALL
SELECT 'stale renegotiation', NULL, NULL, n.order_key, n.source::text
  FROM sacrosanct.renegotiation n
 WHERE n.status = 'open'
   AND NOT EXISTS (SELECT FROM sacrosanct.demand d
                    WHERE d.at_risk AND d.order_key = n.order_key AND d.source = n.source);

-- The recount against verify(): the resource-days each finds overloaded or
-- whose load disagrees, and the orders each finds unbacked; a row for every
-- finding only one of them makes ("only in recount", "only in verify").
CREATE OR REPLACE FUNCTION stress.disagreements()
    RETURNS TABLE (side text, problem text, what text)
    LANGUAGE sql AS $$
    WITH v AS (
        SELECT problem,
               coalesce(substring(detail FROM '^resource (\S+) on \d{4}-\d\d-\d\d') || ' ' ||
                        substring(detail FROM '^resource \S+ on (\d{4}-\d\d-\d\d)'),
                        substring(detail FROM '^order (\S+) promised')) AS what
          FROM sacrosanct.verify()
         WHERE problem IN ('load mismatch', 'overload', 'unbacked promise')
    ), r AS (
        SELECT problem, coalesce(resource || ' ' || day, order_key) AS what
          FROM stress.recount
         WHERE problem IN ('load mismatch', 'overload', 'unbacked promise')
    )
    SELECT 'only in verify', problem, what FROM (SELECT * FROM v EXCEPT SELECT * FROM r) x
    UNION ALL
    SELECT 'only in recount', problem, what FROM (SELECT * FROM r EXCEPT SELECT * FROM v) y
$$;
