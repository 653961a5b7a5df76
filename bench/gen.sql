-- bench/gen.sql: the seeded plant generator of the benchmarks (bench/run).
--
--   psql -f bench/gen.sql                      defines schema bench
--   SELECT bench.make_plant(seed);             master data (once per database)
--   SELECT bench.make_orders(n, seed);         n would-be orders in bench.order_in
--   CALL bench.load('sacrosanct.orders');      insert them through a guard
--
-- Every random draw is bench.u(seed, stream, i): a hash of its coordinates,
-- so the plant and the orders are the same on every run and do not depend
-- on the order in which rows are produced.
--
-- The plant (DESIGN.md §3): 50 finite resources of 1-3 units on four
-- calendars with holidays and a summer shutdown; 40 products, each with a
-- 5-step routing (lags 0-1, buffer 1-3 days).  Every resource appears in
-- exactly four routing steps and a step's run minutes are proportional to its
-- resource's daily capacity, so the load is spread over the plant instead of
-- piling on a few resources by accident of the draw.
--
-- The orders: N open orders released (not_before) uniformly over the year
-- after today, N/40 of each product (in turn, so that no product is drawn
-- more often by chance and overloads its resources), qty uniform in
-- [0.5, 1.5] x qbar(N), where
-- qbar(N) is chosen so that N orders load the finite capacity of that year
-- to about 75%.  Their promise is generous (released + buffer + 4 to 13
-- weeks), so that greedy insertion backs nearly all of them, as in a plant
-- where sales quote honestly.  They arrive in key order, which is random with
-- respect to their release dates, so the greedy schedule is a real one that
-- a replan would reshuffle.
--
-- With 50 resources at ~75% of a year, the work of an order is fixed by N:
-- at N = 2,000 a step is about a day of its resource (~10 allocations per
-- order); at N = 20,000 and 200,000 it is a tenth and a hundredth of that,
-- and an order needs ~5-6 allocations (one per step, a few split over two
-- days).  bench/run prints the allocations per order and the utilization it
-- actually got.

SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench;
RESET client_min_messages;
-- some helpers read the baseline's tables, which may be created later
SET check_function_bodies = off;

-- the planning day of every benchmark (a Monday); bench/run pins
-- sacrosanct.today to it in postgresql.conf
CREATE OR REPLACE FUNCTION bench.today() RETURNS date
    LANGUAGE sql IMMUTABLE AS $$ SELECT date '2026-01-05' $$;

-- a uniform draw in [0, 1) from (seed, stream, i)
CREATE OR REPLACE FUNCTION bench.u(seed int, stream int, i bigint) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (pg_catalog.hashint8extended(i, seed::bigint * 1000003 + stream)
            & 4503599627370495)::float8 / 4503599627370496.0
$$;

-- parameters of the plant: target utilization and the order size for each N
CREATE TABLE IF NOT EXISTS bench.param (
    name  text PRIMARY KEY,
    value numeric NOT NULL
);

-- the would-be orders of a run, in arrival order (seq)
CREATE TABLE IF NOT EXISTS bench.order_in (
    seq        int PRIMARY KEY,
    order_key  text COLLATE "C" NOT NULL UNIQUE,
    customer   text NOT NULL,
    product    text COLLATE "C" NOT NULL,
    qty        numeric NOT NULL,
    not_before date NOT NULL,
    promised   date NOT NULL
);

-- what the loader did: one row per order it had to insert again
CREATE TABLE IF NOT EXISTS bench.load_retry (
    target     text NOT NULL,
    order_key  text NOT NULL,
    promised   date NOT NULL,
    earliest   date,
    detail     text
);

-- the unguarded peer: sacrosanct.orders' columns, defaults, constraints and
-- indexes, and no trigger
CREATE TABLE IF NOT EXISTS bench.plain_orders (LIKE sacrosanct.orders INCLUDING ALL);

-- keys of the orders the benchmarks insert (B<n>): one sequence for every
-- variant, so that each pays the same for its key
CREATE SEQUENCE IF NOT EXISTS bench.key_seq;

-------------------------------------------------------------------------------
-- Master data
-------------------------------------------------------------------------------

-- typical working minutes a day of a calendar (weekly minutes / 5)
CREATE OR REPLACE FUNCTION bench.calendar_day_minutes(cal text) RETURNS numeric
    LANGUAGE sql STABLE AS $$
    SELECT sum(CASE WHEN ends > starts THEN extract(epoch FROM ends - starts)
                    WHEN ends = '00:00' THEN extract(epoch FROM '24:00'::time - starts)
                    ELSE extract(epoch FROM '24:00'::time - starts) + extract(epoch FROM ends - '00:00'::time)
               END) / 60 / 5
      FROM sacrosanct.calendar_window WHERE calendar = cal
$$;

-- The code of product i of the plant: P01 .. P40, or P001 .. P100 and
-- R001 .. R500 on larger plants (bench.make_plant).
CREATE OR REPLACE FUNCTION bench.product_code(i int) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT 'P' || lpad(i::text, (SELECT value::int FROM bench.param WHERE name = 'code_width'), '0')
$$;

-- A plant of nres finite resources and nprod products (5-step routings);
-- the defaults are the plant of N = 2,000 and 20,000, bench/run grows it
-- with N to keep about 400 open orders per work center.
CREATE OR REPLACE FUNCTION bench.make_plant(seed int DEFAULT 42, nres int DEFAULT 50,
                                            nprod int DEFAULT 40) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    t date := bench.today();
    w int := greatest(2, length(greatest(nres, nprod)::text));
BEGIN
    IF nprod * 5 < nres THEN
        RAISE EXCEPTION 'bench.make_plant: % products of 5 steps cannot visit % resources', nprod, nres;
    END IF;
    INSERT INTO bench.param (name, value) VALUES ('code_width', w), ('nres', nres), ('nprod', nprod);
    IF EXISTS (SELECT FROM sacrosanct.resource) THEN
        RAISE EXCEPTION 'bench.make_plant: the plant has master data already';
    END IF;

    INSERT INTO sacrosanct.calendar (code, name) VALUES
        ('DAY',   'day shift, Mon-Fri, 8 hours with a lunch break'),
        ('DAY6',  'day shift, Mon-Sat'),
        ('TWO',   'two shifts, Mon-Fri 06:00-22:00'),
        ('24X5',  'round the clock, Sunday 22:00 to Friday 22:00');
    INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
    SELECT 'DAY', d, w.s, w.e FROM generate_series(1, 5) d,
           (VALUES ('07:00'::time, '11:30'::time), ('12:00', '15:30')) w(s, e)
    UNION ALL
    SELECT 'DAY6', d, '08:00', '16:00' FROM generate_series(1, 6) d
    UNION ALL
    SELECT 'TWO', d, w.s, w.e FROM generate_series(1, 5) d,
           (VALUES ('06:00'::time, '14:00'::time), ('14:00', '22:00')) w(s, e)
    UNION ALL
    -- 24/5: an overnight window from Sunday 22:00 (counted for Sunday) to
    -- Friday 22:00
    SELECT '24X5', 7, '22:00', '06:00'
    UNION ALL
    SELECT '24X5', d, '06:00', '22:00' FROM generate_series(1, 5) d
    UNION ALL
    SELECT '24X5', d, '22:00', '06:00' FROM generate_series(1, 4) d;

    -- public holidays of 2026 and 2027 and a summer shutdown week for the
    -- day shifts; the round-the-clock lines stop at Christmas and New Year
    INSERT INTO sacrosanct.calendar_holiday (calendar, day)
    SELECT c, h FROM unnest(ARRAY['DAY', 'DAY6', 'TWO']) c,
           unnest(ARRAY['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01',
                        '2026-05-14', '2026-05-25', '2026-10-03', '2026-12-24',
                        '2026-12-25', '2026-12-26', '2026-12-31',
                        '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-01',
                        '2027-05-06', '2027-05-17', '2027-10-03', '2027-12-24',
                        '2027-12-25', '2027-12-26', '2027-12-31']::date[]) h
    UNION ALL
    SELECT 'DAY', h::date FROM generate_series(date '2026-08-03', '2026-08-07', '1 day') h
    UNION ALL
    SELECT 'DAY', h::date FROM generate_series(date '2027-08-02', '2027-08-06', '1 day') h
    UNION ALL
    SELECT '24X5', h FROM unnest(ARRAY['2026-01-01', '2026-12-25', '2027-01-01',
                                       '2027-12-25']::date[]) h;

    -- nres finite resources: 40% day shift, 15% Mon-Sat, 30% two shifts, 15% 24/5
    INSERT INTO sacrosanct.resource (code, name, units, finite, calendar)
    SELECT 'R' || lpad(i::text, w, '0'),
           'work center ' || i,
           1 + floor(bench.u(seed, 1, i) * 3)::int,
           true,
           CASE WHEN c < 0.40 THEN 'DAY' WHEN c < 0.55 THEN 'DAY6'
                WHEN c < 0.85 THEN 'TWO' ELSE '24X5' END
      FROM generate_series(1, nres) i, LATERAL (SELECT bench.u(seed, 2, i) AS c) x;

    -- nprod products, buffer 1-3 days
    INSERT INTO sacrosanct.product (code, name, buffer_days)
    SELECT 'P' || lpad(i::text, w, '0'), 'product ' || i, 1 + floor(bench.u(seed, 3, i) * 3)::int
      FROM generate_series(1, nprod) i;

    -- 5 x nprod routing steps: every resource as often (four times on the
    -- default plant, once on the plant of 500), shuffled, five per product
    -- (a product may visit a work center twice, as rework does).  Each
    -- resource gets a load factor (0.62-0.88); the run minutes per unit of
    -- its four steps share out 0.2% of its typical day times that factor,
    -- their setups 0.4% of it, in random proportions.  So at every N each
    -- resource is loaded in proportion to its factor: a few near-bottlenecks,
    -- a few idle-ish work centers, none overloaded by accident of the draw.
    WITH slots AS (
        SELECT row_number() OVER (ORDER BY bench.u(seed, 4, s), s) - 1 AS pos,
               1 + (s % nres) AS r
          FROM generate_series(0, 5 * nprod - 1) s
    ), steps AS (
        SELECT 'P' || lpad((pos / 5 + 1)::text, w, '0') AS product,
               (pos % 5 + 1) * 10 AS step,
               'R' || lpad(r::text, w, '0') AS resource,
               pos,
               (0.5 + bench.u(seed, 5, pos))::numeric AS v,
               (0.5 + bench.u(seed, 6, pos))::numeric AS w
          FROM slots
    )
    INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes, lag_days)
    SELECT s.product, s.step, s.resource,
           round(cap * f * 0.004 * s.v / sum(s.v) OVER (PARTITION BY s.resource), 2),
           round(cap * f * 0.002 * s.w / sum(s.w) OVER (PARTITION BY s.resource), 3),
           CASE WHEN s.step > 10 AND bench.u(seed, 7, s.pos) < 0.3 THEN 1 ELSE 0 END
      FROM steps s
      JOIN sacrosanct.resource r ON r.code = s.resource,
           LATERAL (SELECT r.units * bench.calendar_day_minutes(r.calendar) AS cap,
                           (0.62 + 0.26 * bench.u(seed, 8, substr(s.resource, 2)::int))::numeric AS f) c
     ORDER BY s.product, s.step;

    -- finite capacity of the year after today, and the work of an order per unit
    INSERT INTO bench.param (name, value)
    SELECT 'capacity_year', sum(sacrosanct.capacity(r.code, d::date))
      FROM sacrosanct.resource r, generate_series(t, t + 364, '1 day') d;
    INSERT INTO bench.param (name, value)
    SELECT 'setup_per_order', sum(setup_minutes) / count(DISTINCT product) FROM sacrosanct.routing
    UNION ALL
    SELECT 'run_per_order_unit', sum(run_minutes) / count(DISTINCT product) FROM sacrosanct.routing
    UNION ALL
    SELECT 'utilization', 0.75;
END;
$$;

-- the mean quantity that makes n orders load the year to the target utilization
CREATE OR REPLACE FUNCTION bench.qbar(n int) RETURNS numeric
    LANGUAGE sql STABLE AS $$
    SELECT greatest(1, (u.value * c.value / n - s.value) / r.value)
      FROM bench.param c, bench.param s, bench.param r, bench.param u
     WHERE c.name = 'capacity_year' AND s.name = 'setup_per_order'
       AND r.name = 'run_per_order_unit' AND u.name = 'utilization'
$$;

-------------------------------------------------------------------------------
-- Orders
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION bench.make_orders(n int, seed int DEFAULT 42) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    t date := bench.today();
    q numeric := bench.qbar(n);
    np int := (SELECT value::int FROM bench.param WHERE name = 'nprod');
BEGIN
    TRUNCATE bench.order_in;
    INSERT INTO bench.order_in (seq, order_key, customer, product, qty, not_before, promised)
    SELECT i,
           'O' || lpad(i::text, 7, '0'),
           'C' || lpad((1 + floor(bench.u(seed, 11, i) * 500))::text, 3, '0'),
           p.code,
           greatest(1, round(q * (0.5 + bench.u(seed, 13, i)::numeric))),
           nb,
           nb + p.buffer_days + 28 + floor(bench.u(seed, 15, i) * 63)::int
      FROM generate_series(1, n) i,
           LATERAL (SELECT t + floor(bench.u(seed, 14, i) * 365)::int AS nb) r,
           LATERAL (SELECT code, buffer_days FROM sacrosanct.product
                     WHERE code = bench.product_code(1 + i % np)) p;
END;
$$;

-- The earliest backed date an SC001 DETAIL reports; NULL for 'none within'.
CREATE OR REPLACE FUNCTION bench.earliest_in(detail text) RETURNS date
    LANGUAGE sql IMMUTABLE AS $$
    SELECT substring(detail FROM 'earliest backed date: (\d{4}-\d\d-\d\d)')::date
$$;

-- Insert bench.order_in into a guarded table, one order per statement, in
-- arrival order, committing every 500.  An order the guard refuses (SC001)
-- is inserted again at the earliest backed date its refusal reports, as a
-- customer who accepts the honest date would; each such retry is recorded
-- in bench.load_retry.
CREATE OR REPLACE PROCEDURE bench.load(target regclass, batch int DEFAULT 500)
    LANGUAGE plpgsql AS $$
DECLARE
    o record;
    n int := 0;
    detail text;
    earliest date;
    ins text := format('INSERT INTO %s (order_key, customer, product, qty, not_before, promised) '
                       'VALUES ($1, $2, $3, $4, $5, $6)', target);
BEGIN
    FOR o IN SELECT * FROM bench.order_in ORDER BY seq LOOP
        BEGIN
            EXECUTE ins USING o.order_key, o.customer, o.product, o.qty, o.not_before, o.promised;
        EXCEPTION WHEN SQLSTATE 'SC001' THEN
            GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
            earliest := bench.earliest_in(detail);
            INSERT INTO bench.load_retry VALUES (target::text, o.order_key, o.promised, earliest, detail);
            IF earliest IS NOT NULL THEN
                EXECUTE ins USING o.order_key, o.customer, o.product, o.qty, o.not_before, earliest;
            END IF;
        END;
        n := n + 1;
        IF n % batch = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
    COMMIT;
END;
$$;

-------------------------------------------------------------------------------
-- Helpers of the workloads
-------------------------------------------------------------------------------

-- A promise the schedule cannot back: the INSERT must fail with SC001 and
-- report its earliest backed date.  Returns that date; anything else is an
-- error, so a pgbench run of it aborts.
CREATE OR REPLACE FUNCTION bench.refused(target regclass, key text, product text, qty numeric,
                                         promised date) RETURNS date
    LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE format('INSERT INTO %s (order_key, customer, product, qty, promised) '
                   'VALUES ($1, $2, $3, $4, $5)', target)
      USING key, 'bench', product, qty, promised;
    RAISE EXCEPTION 'bench.refused: % promised % for order % was accepted', target, promised, key;
EXCEPTION WHEN SQLSTATE 'SC001' THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    IF detail !~ '^earliest backed date: (\d{4}-\d\d-\d\d|none within)' THEN
        RAISE EXCEPTION 'bench.refused: SC001 without an earliest backed date: %', detail;
    END IF;
    RETURN bench.earliest_in(detail);
END;
$$;

-- planned minutes over finite capacity in the year after today
CREATE OR REPLACE FUNCTION bench.utilization() RETURNS numeric
    LANGUAGE sql STABLE AS $$
    SELECT round(100.0 * (SELECT sum(planned) FROM sacrosanct.load
                           WHERE day >= bench.today() AND day < bench.today() + 365)
                 / (SELECT value FROM bench.param WHERE name = 'capacity_year'), 1)
$$;

-------------------------------------------------------------------------------
-- The baseline's copy of the plant
-------------------------------------------------------------------------------

-- Give the PL/pgSQL baseline (bench/baseline/guard.sql) the schedule the C
-- guard built from bench.order_in: its orders, its records and allocations,
-- its load.  The baseline plans by the same rule, so loading the same orders
-- through its own trigger builds the same state; bench/run does that by
-- default (minutes at N = 20,000: every replan fallback reloads every order
-- in PL/pgSQL) and checks it with bench.differences().  The copy is for the
-- smoke run and for sizes where that load is too slow; bench/run then checks
-- that both guards decide alike from it (bench.same_decisions) and that
-- baseline.verify() holds.
CREATE OR REPLACE FUNCTION bench.copy_to_baseline() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL session_replication_role = replica;   -- no trigger fires
    INSERT INTO baseline.orders SELECT * FROM sacrosanct.orders;
    INSERT INTO baseline.demand (order_key, product, qty, promised, not_before, at_risk, backed, planned_finish,
                                 steps_done, done_on)
    SELECT order_key, product, qty, promised, not_before, at_risk, backed, planned_finish, steps_done, done_on
      FROM sacrosanct.demand WHERE order_key IS NOT NULL;
    INSERT INTO baseline.renegotiation (order_key, old_promise, new_earliest, reason, status, created_at, resolved_at)
    SELECT order_key, old_promise, new_earliest, reason, status, created_at, resolved_at
      FROM sacrosanct.renegotiation WHERE source = 'sacrosanct.orders'::regclass;
    INSERT INTO baseline.allocation (order_key, step, resource, day, minutes)
    SELECT order_key, step, resource, day, minutes
      FROM sacrosanct.schedule WHERE order_key IS NOT NULL AND minutes > 0;
    INSERT INTO baseline.load (resource, day, planned)
    SELECT resource, day, planned FROM sacrosanct.load WHERE planned <> 0 AND isfinite(day);
END;
$$;

-- Orders (with their promises) and allocations on which the C guard and the
-- baseline differ: 0 when both schedules are the same.  prefix: only order
-- keys starting with it.
CREATE OR REPLACE FUNCTION bench.differences(prefix text DEFAULT '') RETURNS bigint
    LANGUAGE sql STABLE AS $$
    WITH c AS (SELECT order_key, step, day, sum(minutes) AS m FROM sacrosanct.schedule
                WHERE order_key LIKE prefix || '%' GROUP BY 1, 2, 3),
         b AS (SELECT order_key, step, day, sum(minutes) AS m FROM baseline.allocation
                WHERE order_key LIKE prefix || '%' GROUP BY 1, 2, 3),
         d AS ((TABLE c EXCEPT TABLE b) UNION (TABLE b EXCEPT TABLE c))
    SELECT count(DISTINCT k) FROM (
        SELECT order_key AS k FROM d
        UNION ALL
        SELECT coalesce(s.order_key, x.order_key)
          FROM (SELECT * FROM sacrosanct.orders WHERE order_key LIKE prefix || '%') s
          FULL JOIN (SELECT * FROM baseline.orders WHERE order_key LIKE prefix || '%') x USING (order_key)
         WHERE s.promised IS DISTINCT FROM x.promised OR s.status IS DISTINCT FROM x.status) z
$$;

-- One order into a guard: NULL when it is accepted, else the earliest backed
-- date its SC001 reports ('infinity' for none within the horizon).
CREATE OR REPLACE FUNCTION bench.decide(target regclass, key text, product text, qty numeric,
                                        not_before date, promised date) RETURNS date
    LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE format('INSERT INTO %s (order_key, customer, product, qty, not_before, promised) '
                   'VALUES ($1, $2, $3, $4, $5, $6)', target)
      USING key, 'check', product, qty, not_before, promised;
    RETURN NULL;
EXCEPTION WHEN SQLSTATE 'SC001' THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN coalesce(bench.earliest_in(detail), 'infinity');
END;
$$;

-- Same inputs, same decisions: k new orders, each inserted into both guards
-- in turn (as in bench/insert_*.pgbench, drawn from the seed), and every
-- tight-th of them promised only a week after release, which greedy
-- insertion rarely backs (replan fallback, or SC001 and its earliest date).
-- Returns how many orders the two guards decided differently.
CREATE OR REPLACE FUNCTION bench.same_decisions(k int, tight int, qlo int, qhi int, seed int DEFAULT 42)
    RETURNS TABLE (orders int, accepted int, refused int, differ bigint)
    LANGUAGE plpgsql AS $$
DECLARE
    t date := bench.today();
    p text; q int; nb date; pr date; e1 date; e2 date;
    nacc int := 0; nref int := 0; nbad int := 0;
BEGIN
    FOR i IN 1..k LOOP
        p := bench.product_code(1 + floor(bench.u(seed, 21, i)
                                          * (SELECT value FROM bench.param WHERE name = 'nprod'))::int);
        q := qlo + floor(bench.u(seed, 22, i) * (qhi - qlo + 1))::int;
        nb := t + floor(bench.u(seed, 23, i) * 331)::int;
        pr := nb + CASE WHEN tight > 0 AND i % tight = 0 THEN 7 ELSE 365 END;
        e1 := bench.decide('sacrosanct.orders', 'D' || i, p, q, nb, pr);
        e2 := bench.decide('baseline.orders', 'D' || i, p, q, nb, pr);
        IF e1 IS NULL AND e2 IS NULL THEN
            nacc := nacc + 1;
        ELSE
            nref := nref + 1;
            IF e1 IS DISTINCT FROM e2 THEN
                nbad := nbad + 1;
            END IF;
        END IF;
    END LOOP;
    RETURN QUERY SELECT k, nacc, nref, nbad + bench.differences('D');
END;
$$;

-- What a scheduler does before a replan: overtime on the five most loaded
-- resources of the next 13 weeks, half a shift per unit and working day, so
-- that the replan has capacity to pull orders into.  Returns the resources.
CREATE OR REPLACE FUNCTION bench.add_overtime() RETURNS text
    LANGUAGE sql AS $$
    WITH busy AS (
        SELECT l.resource, sum(l.planned)::numeric
                 / nullif(sum(sacrosanct.capacity(l.resource, l.day)), 0) AS u
          FROM sacrosanct.load l
         WHERE l.day >= bench.today() AND l.day < bench.today() + 91
         GROUP BY l.resource
         ORDER BY u DESC, l.resource
         LIMIT 5
    ), ins AS (
        INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
        SELECT b.resource, daterange(bench.today(), bench.today() + 91), r.units * 240,
               'bench: overtime before a replan'
          FROM busy b JOIN sacrosanct.resource r ON r.code = b.resource
        RETURNING resource
    )
    SELECT string_agg(resource, ' ' ORDER BY resource) FROM ins
$$;

-- Issue 9's workloads (bench/run, "reality"): the busiest finite resource of
-- the next four weeks, and a day on it that holds load.
CREATE OR REPLACE FUNCTION bench.busiest(OUT resource text, OUT day date, OUT planned bigint)
    LANGUAGE sql AS $$
    WITH busy AS (
        SELECT l.resource, sum(l.planned)::numeric
                 / nullif(sum(sacrosanct.capacity(l.resource, l.day)), 0) AS u
          FROM sacrosanct.load l
         WHERE l.day >= bench.today() AND l.day < bench.today() + 28
         GROUP BY l.resource
         ORDER BY u DESC, l.resource
         LIMIT 1
    )
    SELECT l.resource, l.day, l.planned
      FROM sacrosanct.load l JOIN busy b USING (resource)
     WHERE l.day >= bench.today() + 14 AND l.day < bench.today() + 28 AND l.planned > 0
     ORDER BY l.planned DESC, l.day
     LIMIT 1
$$;

-- An ERP-shaped table holding the plant's open orders instead of
-- sacrosanct.orders (which gives them up), for guard() to plan.
CREATE OR REPLACE FUNCTION bench.erp_from_orders() RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    CREATE TABLE bench.erp_line (
        line_id    text PRIMARY KEY,
        sku        text NOT NULL,
        units      numeric NOT NULL,
        due        date,
        release_on date,
        state      text NOT NULL DEFAULT 'open'
    );
    INSERT INTO bench.erp_line (line_id, sku, units, due, release_on)
    SELECT order_key, product, qty, promised, not_before FROM sacrosanct.orders WHERE status = 'open';
    GET DIAGNOSTICS n = ROW_COUNT;
    DELETE FROM sacrosanct.orders;
    RETURN n;
END $$;
