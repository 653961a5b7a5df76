-- reference_random: the C guard against the hand-written PL/pgSQL guard
-- (bench/baseline/guard.sql), decision by decision and allocation by
-- allocation, on small random plants.
--
-- With a fixed seed it builds several random plants (calendars with
-- overnight windows and holidays, finite and non-finite resources, capacity
-- changes, routings with fractional run minutes and lags) and plays a stream
-- of operations on both sacrosanct.orders and baseline.orders, each in its
-- own subtransaction: inserts with promises from too tight to loose, NULL
-- promises, not_before dates, deletes, cancels, completions, changed
-- promises and quantities, re-inserts of refused orders at their reported
-- earliest date, quotes, and a replan() at the end of each plant; plant 0
-- is a fixed one with the rare cases spelled out.
--
-- Reality is mixed into the streams (DESIGN.md §3.2): capacity removals on
-- random resources and days, forced or not (one row of the shared
-- sacrosanct.capacity_change, judged by each guard on its own plan:
-- baseline.check_capacity_change), complete_step() (now and then out of
-- order), days passing (so that minutes become history and promises late),
-- and what customers do with orders at risk: agree a new date, ask one that
-- is not backed, take the earliest, change the quantity, cancel; the ERP
-- renames them.  The last plant is a fixed one where reality takes every
-- turn once.
--
-- After every operation the two schedules, order tables, sets of orders at
-- risk, renegotiations and order records (progress, planned finish,
-- backed) must be equal as sets.  Every disagreement is collected and
-- reported in one is() per property; differing bottlenecks are only
-- reported (diag), not asserted.
--
-- Each plant starts on the same pinned day (reftest.first_day): the plants
-- are built relative to it.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS sacrosanct;
\i bench/baseline/guard.sql

\set first_day '2026-03-04'
SET sacrosanct.today = :'first_day';
SET reftest.first_day = :'first_day';   -- each plant starts on it; days pass in its stream
SET datestyle = 'ISO, YMD';
SET client_min_messages = warning;

CREATE SCHEMA reftest;

-- one row per operation
CREATE TABLE reftest.log (
    id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plant       int,
    op          int,
    kind        text,      -- insert, insert2, reinsert, delete, cancel, done, repromise, requantity, quote, replan, again
    key         text,
    sql         text,
    c_state     text,      -- ok or the SQLSTATE
    b_state     text,
    c_result    text,      -- the statement's first column (RETURNING promised, quote, moved orders)
    b_result    text,
    c_detail    text,
    b_detail    text,
    null_promise boolean DEFAULT false,
    c_replanned boolean,   -- the accepted change went through a replan (plan_log grew)
    b_replanned boolean,
    diff        int,       -- rows that differ between the two schedules and order tables
    diff_sample text,
    risk_diff   int,       -- ... between the sets of orders at risk
    risk_sample text,
    reneg_diff  int,       -- ... between the renegotiations
    reneg_sample text,
    rec_diff    int,       -- ... between the records (progress, planned finish, backed, at risk)
    rec_sample  text,
    c_ms        float8,    -- time taken by each guard
    b_ms        float8
);

CREATE TABLE reftest.verify_log (plant int, side text, problem text, detail text);

-- keys whose promise the guard chose
CREATE TABLE reftest.chosen (key text);

-- rule 1 on its own: sacrosanct.capacity() against baseline.capacity()
CREATE TABLE reftest.capacity_diff (plant int, resource text, day date, c bigint, b bigint);
CREATE FUNCTION reftest.compare_capacity(p int) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO reftest.capacity_diff
    SELECT p, r.code, d, sacrosanct.capacity(r.code, d), baseline.capacity(r.code, d)
      FROM sacrosanct.resource r,
           generate_series(sacrosanct.today() - 3,
                           sacrosanct.today() + current_setting('sacrosanct.horizon_days')::int + 3,
                           interval '1 day') AS g(t),
           LATERAL (SELECT g.t::date AS d) x
     WHERE sacrosanct.capacity(r.code, d) IS DISTINCT FROM baseline.capacity(r.code, d)
$$;

-- a failure report: its first 20 lines (a disagreement tends to carry on
-- into every later operation)
CREATE FUNCTION reftest.report(lines text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_to_string(lines[1:20], E'\n')
           || CASE WHEN cardinality(lines) > 20 THEN format(E'\n... and %s more', cardinality(lines) - 20) ELSE '' END
$$;

CREATE FUNCTION reftest.rnd(lo int, hi int) RETURNS int
LANGUAGE sql VOLATILE AS $$ SELECT lo + floor(random() * (hi - lo + 1))::int $$;

CREATE FUNCTION reftest.pick(a text[]) RETURNS text
LANGUAGE sql VOLATILE AS $$ SELECT a[reftest.rnd(1, cardinality(a))] $$;

-- the earliest date (or 'none') and the bottleneck an SC001 DETAIL reports
CREATE FUNCTION reftest.earliest(detail text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT substring(detail FROM '^earliest backed date: ([0-9]{4}-[0-9]{2}-[0-9]{2}|none within [0-9]+ days)')
$$;
CREATE FUNCTION reftest.bottleneck(detail text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT substring(detail FROM 'bottleneck: ([^ )]+)')
$$;

-- run one statement in a subtransaction: 'ok' and its first column, or the SQLSTATE
CREATE FUNCTION reftest.try(stmt text, OUT state text, OUT result text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt INTO result;
    state := 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
    IF state NOT LIKE 'SC%' THEN
        GET STACKED DIAGNOSTICS detail = MESSAGE_TEXT;
    END IF;
END $$;

-- rows that differ between the two guards, by what they are: 'alloc' and
-- 'order' (the schedules and order tables), 'risk' (the orders at risk),
-- 'reneg' (the renegotiations), 'record' (each open order's progress,
-- planned finish, backed and at_risk)
CREATE FUNCTION reftest.diff() RETURNS TABLE (t text, n int, sample text)
LANGUAGE sql AS $$
    WITH c AS (SELECT 'alloc' AS t, format('%s/%s/%s/%s/%s', order_key, step, resource, day, minutes) AS r
                 FROM sacrosanct.schedule WHERE order_key IS NOT NULL
               UNION ALL
               SELECT 'order', format('%s/%s/%s/%s/%s/%s/%s', order_key, product, qty, promised,
                                      not_before, status, delivered)
                 FROM sacrosanct.orders
               UNION ALL
               SELECT 'risk', order_key FROM sacrosanct.orders WHERE at_risk
               UNION ALL
               SELECT 'reneg', format('%s/%s/%s/%s/%s', order_key, old_promise, new_earliest, reason, status)
                 FROM sacrosanct.renegotiation
               UNION ALL
               SELECT 'record', format('%s/%s/%s/%s/%s/%s', order_key, steps_done, done_on, planned_finish,
                                       backed, at_risk)
                 FROM sacrosanct.demand WHERE order_key IS NOT NULL),
         b AS (SELECT 'alloc' AS t, format('%s/%s/%s/%s/%s', order_key, step, resource, day, minutes) AS r
                 FROM baseline.allocation
               UNION ALL
               SELECT 'order', format('%s/%s/%s/%s/%s/%s/%s', order_key, product, qty, promised,
                                      not_before, status, delivered)
                 FROM baseline.orders
               UNION ALL
               SELECT 'risk', order_key FROM baseline.orders WHERE at_risk
               UNION ALL
               SELECT 'reneg', format('%s/%s/%s/%s/%s', order_key, old_promise, new_earliest, reason, status)
                 FROM baseline.renegotiation
               UNION ALL
               SELECT 'record', format('%s/%s/%s/%s/%s/%s', order_key, steps_done, done_on, planned_finish,
                                       backed, at_risk)
                 FROM baseline.demand),
         d AS ((SELECT t, 'C only ' || t || ' ' || r AS x FROM (SELECT * FROM c EXCEPT ALL SELECT * FROM b) s)
               UNION ALL
               (SELECT t, 'baseline only ' || t || ' ' || r FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM c) s))
    SELECT k.t, count(d.x)::int,
           (SELECT string_agg(x, '; ') FROM (SELECT d2.x FROM d d2 WHERE d2.t = ANY (k.ts) ORDER BY d2.x LIMIT 6) l)
      FROM (VALUES ('schedule', ARRAY['alloc', 'order']), ('risk', ARRAY['risk']),
                   ('reneg', ARRAY['reneg']), ('record', ARRAY['record'])) k(t, ts)
      LEFT JOIN d ON d.t = ANY (k.ts)
     GROUP BY k.t, k.ts
$$;

-- Has the order minutes on days before today?  Its quantity is then not
-- changed: when a step's work grows while a later step's work is all
-- history, rule 7 plans the step's new minutes after the order's planned
-- finish (the later step finishes on its last past day), which verify()
-- rejects as a finish mismatch.  A gap this test found in the rule itself,
-- both guards alike; not settled yet.
CREATE FUNCTION reftest.has_history(key text) RETURNS boolean
LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM sacrosanct.schedule s
                    WHERE s.order_key = key AND s.day < sacrosanct.today())
$$;

-- No plant, no orders, on the first day.
CREATE FUNCTION reftest.empty_plant(horizon int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('sacrosanct.today', current_setting('reftest.first_day'), true);
    PERFORM set_config('sacrosanct.horizon_days', horizon::text, true);
    DELETE FROM sacrosanct.orders;
    DELETE FROM baseline.orders;
    DELETE FROM sacrosanct.routing;
    DELETE FROM sacrosanct.product;
    DELETE FROM sacrosanct.capacity_change;
    DELETE FROM sacrosanct.resource;
    DELETE FROM sacrosanct.calendar;
END $$;

-- A random plant on an empty schedule.
CREATE FUNCTION reftest.make_plant(p int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    today date := current_setting('reftest.first_day');
    horizon int := reftest.rnd(30, 90);
    cal text;
    dow int;
    s time;
    names text[] := ARRAY['saw', 'Lathe', 'MILL', 'paint', 'QA', 'weld', 'Zinc', 'assy'];
    nres int := reftest.rnd(2, 5);
    res text[];
    i int;
    k int;
BEGIN
    PERFORM reftest.empty_plant(horizon);

    FOREACH cal IN ARRAY ARRAY['K1', 'k2'] LOOP
        INSERT INTO sacrosanct.calendar (code) VALUES (cal);
        FOR dow IN 1..7 LOOP
            CONTINUE WHEN random() < CASE WHEN dow >= 6 THEN 0.6 ELSE 0.15 END;
            -- a day shift from 06:00-09:30, 3 to 9 hours, ending by 18:30
            s := time '06:00' + reftest.rnd(0, 7) * interval '30 minutes';
            INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
            VALUES (cal, dow, s, s + reftest.rnd(6, 18) * interval '30 minutes');
            IF random() < 0.25 THEN
                -- a night shift across midnight, ending by 06:00
                INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
                VALUES (cal, dow, time '20:00' + reftest.rnd(0, 6) * interval '30 minutes',
                        time '00:00' + reftest.rnd(0, 12) * interval '30 minutes');
            ELSIF random() < 0.2 THEN
                -- an evening shift to midnight
                INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
                VALUES (cal, dow, time '19:00' + reftest.rnd(0, 6) * interval '30 minutes', '24:00');
            END IF;
        END LOOP;
        INSERT INTO sacrosanct.calendar_holiday (calendar, day)
        SELECT DISTINCT cal, today + reftest.rnd(0, 40) FROM generate_series(1, reftest.rnd(0, 3));
    END LOOP;

    -- resources: the first is finite, the others finite with probability 0.7
    SELECT array_agg(n) INTO res
      FROM (SELECT n FROM unnest(names) n ORDER BY random() LIMIT nres) x;
    FOR i IN 1..nres LOOP
        INSERT INTO sacrosanct.resource (code, units, finite, calendar)
        VALUES (res[i], reftest.rnd(1, 3), i = 1 OR random() < 0.7, reftest.pick(ARRAY['K1', 'k2']));
    END LOOP;

    -- overtime, breakdowns and days taken out completely
    FOR i IN 1..reftest.rnd(1, 4) LOOP
        k := reftest.rnd(-3, 30);
        INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
        VALUES (reftest.pick(res), daterange(today + k, today + k + reftest.rnd(1, 8)),
                CASE reftest.rnd(1, 3) WHEN 1 THEN reftest.rnd(30, 300)
                                       WHEN 2 THEN -reftest.rnd(30, 300)
                                       ELSE -100000 END,
                'random plant');
    END LOOP;

    FOR i IN 1..reftest.rnd(1, 3) LOOP
        INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('P' || i, reftest.rnd(0, 3));
        FOR k IN 1..reftest.rnd(1, 4) LOOP
            INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes, lag_days)
            SELECT 'P' || i, k * 10, reftest.pick(res), setup, CASE WHEN zero THEN 0 ELSE run END,
                   reftest.rnd(0, 2)
              FROM (SELECT random() < 0.15 AS zero,
                           CASE WHEN random() < 0.3 THEN 0 ELSE round((random() * 90)::numeric, 1) END AS setup,
                           round((random() * 25)::numeric, 2) AS run) x;
        END LOOP;
        -- a zero-work step has no setup either
        UPDATE sacrosanct.routing SET setup_minutes = 0 WHERE product = 'P' || i AND run_minutes = 0
           AND random() < 0.5;
    END LOOP;
END $$;

-- Apply one statement to both guards (%1$s is the table, %2$s the schema;
-- the C guard's first) and log the outcome.
CREATE FUNCTION reftest.apply(p int, op int, kind text, key text, stmt text, null_promise boolean DEFAULT false)
RETURNS reftest.log
LANGUAGE plpgsql AS $$
DECLARE
    c record;
    b record;
    c_logs bigint := (SELECT count(*) FROM sacrosanct.plan_log);
    b_logs bigint := (SELECT count(*) FROM baseline.plan_log);
    d jsonb;
    row reftest.log;
    t0 timestamptz := clock_timestamp();
    t1 timestamptz;
    t2 timestamptz;
BEGIN
    c := reftest.try(format(stmt, 'sacrosanct.orders', 'sacrosanct'));
    t1 := clock_timestamp();
    b := reftest.try(format(stmt, 'baseline.orders', 'baseline'));
    t2 := clock_timestamp();
    SELECT jsonb_object_agg(x.t, jsonb_build_object('n', x.n, 'sample', x.sample)) INTO d
      FROM reftest.diff() x;
    INSERT INTO reftest.log (plant, op, kind, key, sql, c_state, b_state, c_result, b_result,
                             c_detail, b_detail, null_promise, c_replanned, b_replanned, diff, diff_sample,
                             risk_diff, risk_sample, reneg_diff, reneg_sample, rec_diff, rec_sample,
                             c_ms, b_ms)
    VALUES (p, op, kind, key, format(stmt, 'T', 'S'), c.state, b.state, c.result, b.result,
            c.detail, b.detail, null_promise,
            (SELECT count(*) FROM sacrosanct.plan_log) > c_logs,
            (SELECT count(*) FROM baseline.plan_log) > b_logs,
            (d #>> '{schedule,n}')::int, d #>> '{schedule,sample}',
            (d #>> '{risk,n}')::int, d #>> '{risk,sample}',
            (d #>> '{reneg,n}')::int, d #>> '{reneg,sample}',
            (d #>> '{record,n}')::int, d #>> '{record,sample}',
            extract(epoch FROM t1 - t0) * 1000, extract(epoch FROM t2 - t1) * 1000)
    RETURNING * INTO row;
    RETURN row;
END $$;

-- A capacity removal in each world.  The change is one row of the shared
-- sacrosanct.capacity_change: remove_capacity() writes it and the C guard
-- judges it on its plan; the baseline then judges that row on its own plan
-- (baseline.check_capacity_change).  When the C guard refused the change,
-- the row is not there: it is written for a moment (forced, so that the C
-- world takes it too) for the baseline to judge, and rolled back whatever
-- the baseline says.  Each returns how the change was absorbed: 'fits'
-- (nothing moved), 'repair', 'replan' or 'forced'; a refusal is SC003.
CREATE FUNCTION reftest.remove_sacrosanct(res text, days daterange, minutes int, reason text,
                                          force boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    before bigint := (SELECT coalesce(max(id), 0) FROM sacrosanct.plan_log);
BEGIN
    PERFORM sacrosanct.remove_capacity(res, days, minutes, reason, force);
    RETURN coalesce((SELECT string_agg(what, ',' ORDER BY id) FROM sacrosanct.plan_log
                      WHERE id > before AND what IN ('repair', 'replan', 'forced')), 'fits');
END $$;

CREATE FUNCTION reftest.remove_baseline(res text, days daterange, minutes int, reason text,
                                        force boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    way text;
BEGIN
    IF EXISTS (SELECT 1 FROM sacrosanct.capacity_change c WHERE c.reason = remove_baseline.reason) THEN
        RETURN baseline.check_capacity_change(CASE WHEN force THEN reason END);
    END IF;
    BEGIN
        PERFORM sacrosanct.remove_capacity(res, days, minutes, reason, true);
        way := baseline.check_capacity_change(CASE WHEN force THEN reason END);
        RAISE EXCEPTION USING ERRCODE = 'SC9A0', MESSAGE = 'roll back';
    EXCEPTION WHEN SQLSTATE 'SC9A0' THEN
        RETURN way;                        -- taken (the variable outlives the rollback)
    END;
END $$;

-- Reality mixed into a plant's stream: breakdowns and absences, forced or
-- asked; progress from the shop floor (now and then a step reported out of
-- order); a day passing, so that completed and planned minutes become
-- history and promises fall late; and what happens to orders at risk: their
-- customer agrees a new date (the one offered, or another that may not be
-- backed), takes the earliest, changes the quantity, cancels, or the ERP
-- renames the order.  Returns false when it played nothing.
CREATE FUNCTION reftest.play_reality(p int, op int) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    today   date := sacrosanct.today();
    horizon int := current_setting('sacrosanct.horizon_days')::int;
    r       float8 := random();
    key     text;
    res     text;
    first   date;
    force   boolean;
    d       record;
    step    int;
    l       reftest.log;
BEGIN
    key := (SELECT o.order_key FROM sacrosanct.orders o WHERE o.at_risk ORDER BY random() LIMIT 1);
    IF key IS NOT NULL AND random() < 0.3 THEN
        r := random();
        IF r < 0.35 THEN
            l := reftest.apply(p, op, 'risk-promise', key,
                    format('UPDATE %%1$s SET promised = %s WHERE order_key = %L RETURNING promised::text',
                           CASE WHEN random() < 0.6
                                THEN coalesce((SELECT quote_literal(n.new_earliest) FROM sacrosanct.renegotiation n
                                                WHERE n.order_key = key AND n.status = 'open'), 'promised + 7')
                                ELSE format('promised + %s', reftest.rnd(-2, 10)) END,
                           key));
        ELSIF r < 0.5 THEN
            l := reftest.apply(p, op, 'risk-null', key,
                    format('UPDATE %%1$s SET promised = NULL WHERE order_key = %L RETURNING promised::text', key),
                    true);
            INSERT INTO reftest.chosen VALUES (key);
        ELSIF r < 0.6 AND NOT reftest.has_history(key) THEN
            l := reftest.apply(p, op, 'risk-qty', key,
                    format('UPDATE %%1$s SET qty = round(qty * %s, 2) WHERE order_key = %L RETURNING promised::text',
                           round((0.3 + random() * 0.9)::numeric, 2), key));
        ELSIF r < 0.85 AND r >= 0.6 THEN
            l := reftest.apply(p, op, 'risk-release', key,
                    format(reftest.pick(ARRAY[
                               'UPDATE %%1$s SET status = ''cancelled'' WHERE order_key = %L RETURNING status',
                               'UPDATE %%1$s SET status = ''done'' WHERE order_key = %L RETURNING delivered::text',
                               'DELETE FROM %%1$s WHERE order_key = %L RETURNING order_key']), key));
        ELSIF r >= 0.85 THEN
            l := reftest.apply(p, op, 'risk-rekey', key,
                    format('UPDATE %%1$s SET order_key = order_key || ''r'' WHERE order_key = %L RETURNING order_key', key));
        ELSE
            RETURN false;
        END IF;
    ELSIF r < 0.10 THEN
        -- mostly on a day some order works on a finite resource, else anywhere
        IF random() < 0.7 THEN
            SELECT s.resource, s.day - reftest.rnd(0, 2) INTO res, first
              FROM sacrosanct.schedule s JOIN sacrosanct.resource c ON c.code = s.resource AND c.finite
             WHERE s.day >= today
             ORDER BY random() LIMIT 1;
        END IF;
        IF res IS NULL THEN
            SELECT c.code, today + reftest.rnd(-2, horizon) INTO res, first
              FROM sacrosanct.resource c ORDER BY random() LIMIT 1;
        END IF;
        force := random() < 0.6;
        l := reftest.apply(p, op, CASE WHEN force THEN 'force' ELSE 'remove' END, NULL,
                format('SELECT reftest.remove_%%2$s(%L, %L, %s, %L, %s)',
                       res, daterange(first, first + reftest.rnd(1, 5)),
                       CASE WHEN random() < 0.5 THEN 100000 ELSE reftest.rnd(30, 400) END,
                       format('breakdown %s.%s', p, op), force::text));
    ELSIF r < 0.16 THEN
        -- (the next step of an order, reported while it still has minutes
        -- planned from today on: complete_step() does not move the later
        -- steps, so a later report leaves the next one planned before the
        -- completion day plus its lag, which verify() rejects as a step
        -- order problem, and the next replan may refuse with SC003.  A gap
        -- this test found, both guards alike; not settled yet.)
        force := random() < 0.85;
        SELECT dm.order_key, dm.steps_done, dm.step AS steps INTO d
          FROM sacrosanct.demand dm
         WHERE dm.order_key IS NOT NULL
           AND (NOT force
                OR EXISTS (SELECT 1 FROM sacrosanct.schedule s
                            WHERE s.order_key = dm.order_key AND s.step = dm.step[dm.steps_done + 1]
                              AND s.day >= today))
         ORDER BY random() LIMIT 1;
        IF d.order_key IS NULL THEN
            RETURN false;
        END IF;
        step := CASE WHEN force THEN d.steps[d.steps_done + 1]
                     WHEN random() < 0.8 THEN d.steps[reftest.rnd(1, cardinality(d.steps))]
                     ELSE 999 END;
        l := reftest.apply(p, op, 'complete', d.order_key,
                format('SELECT %%2$s.complete_step(%L, %s)::text', d.order_key, step));
    ELSIF r < 0.18 THEN
        PERFORM set_config('sacrosanct.today', (today + reftest.rnd(1, 3))::text, true);
        l := reftest.apply(p, op, 'day', NULL, 'SELECT sacrosanct.today()::text');
    ELSE
        RETURN false;
    END IF;
    RETURN true;
END $$;

-- A stream of operations on one plant.
CREATE FUNCTION reftest.run_plant(p int, nops int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    today   date := sacrosanct.today();
    horizon int := current_setting('sacrosanct.horizon_days')::int;
    products text[] := ARRAY(SELECT code FROM sacrosanct.product ORDER BY code);
    prefixes text[] := ARRAY['a', 'B', 'b', 'A', '_', 'z'];
    op      int;
    r       float8;
    nkeys   int := 0;
    key     text;
    qty     numeric;
    promised text;
    not_before text;
    l       reftest.log;
    e       text;
    nullp   boolean;
    ukey    text;
    cust    text;
    product text;
    ins     text := 'INSERT INTO %%1$s (order_key, customer, product, qty, promised, not_before) '
                    'VALUES (%L, %L, %L, %s, %s, %s) RETURNING promised::text';
BEGIN
    FOR op IN 1..nops LOOP
        CONTINUE WHEN reftest.play_reality(p, op);
        today := sacrosanct.today();
        r := random();
        key := (SELECT o.order_key FROM sacrosanct.orders o WHERE o.status = 'open'
                 ORDER BY random() LIMIT 1);
        -- (changes of promise or quantity go to orders whose promise was the
        -- customer's; those the guard chose are checked in plant 0)
        ukey := (SELECT o.order_key FROM sacrosanct.orders o WHERE o.status = 'open'
                    AND o.order_key NOT IN (SELECT c.key FROM reftest.chosen c)
                  ORDER BY random() LIMIT 1);
        IF r < 0.62 OR key IS NULL THEN
            nkeys := nkeys + 1;
            key := reftest.pick(prefixes) || lpad(nkeys::text, 3, '0') || '.' || p;
            qty := CASE WHEN random() < 0.04 THEN 400 + reftest.rnd(0, 400)
                        ELSE round((0.5 + random() * 19.5)::numeric, 1) END;
            nullp := random() < 0.12;
            promised := CASE WHEN nullp THEN 'NULL'
                             ELSE quote_literal(today + reftest.rnd(-2, 35)) END;
            not_before := CASE WHEN random() < 0.05 THEN quote_literal(today + horizon + reftest.rnd(-3, 1))
                               WHEN random() < 0.2 THEN quote_literal(today + reftest.rnd(-2, 15))
                               ELSE 'NULL' END;
            cust := 'cust' || reftest.rnd(1, 5);
            product := reftest.pick(products);
            IF random() < 0.5 THEN
                -- what would it get?
                l := reftest.apply(p, op, 'quote', NULL,
                        format('SELECT concat_ws('' '', earliest, planned_finish, bottleneck) FROM %%2$s.quote(%L, %s, %s)',
                               product, qty, not_before));
            END IF;
            l := reftest.apply(p, op, 'insert', key,
                    format(ins, key, cust, product, qty, promised, not_before), nullp);
            IF nullp THEN
                INSERT INTO reftest.chosen VALUES (key);
            END IF;
            -- refused with a date: insert it again with the date reported
            e := reftest.earliest(l.c_detail);
            IF l.c_state = 'SC001' AND l.b_state = 'SC001' AND e ~ '^[0-9]'
               AND e = reftest.earliest(l.b_detail) THEN
                l := reftest.apply(p, op, 'reinsert', key,
                        format(ins, key, cust, product, qty, quote_literal(e), not_before));
            END IF;
        ELSIF r < 0.65 THEN
            -- two orders without a promise in one statement: each is planned
            -- at its earliest date before it is written, the second with the
            -- first already in the plan
            nkeys := nkeys + 2;
            key := reftest.pick(prefixes) || lpad((nkeys - 1)::text, 3, '0') || '.' || p;
            l := reftest.apply(p, op, 'insert2', key,
                    format('WITH i AS (INSERT INTO %%1$s (order_key, product, qty, not_before) '
                           'VALUES (%L, %L, %s, NULL), (%L, %L, %s, %s) RETURNING order_key, promised) '
                           'SELECT string_agg(order_key || '' '' || promised, '', '' ORDER BY order_key) FROM i',
                           key, reftest.pick(products),
                           round((0.5 + random() * 19.5)::numeric, 1),
                           reftest.pick(prefixes) || lpad(nkeys::text, 3, '0') || '.' || p, reftest.pick(products),
                           round((0.5 + random() * 19.5)::numeric, 1),
                           CASE WHEN random() < 0.3 THEN quote_literal(today + reftest.rnd(0, 10)) ELSE 'NULL' END),
                    true);
            INSERT INTO reftest.chosen
            SELECT k FROM unnest(ARRAY[key, (SELECT o.order_key FROM sacrosanct.orders o
                                               WHERE o.order_key LIKE '_' || lpad(nkeys::text, 3, '0') || '.' || p)]) k
             WHERE k IS NOT NULL;
        ELSIF r < 0.72 THEN
            l := reftest.apply(p, op, 'delete', key,
                    format('DELETE FROM %%1$s WHERE order_key = %L RETURNING order_key', key));
        ELSIF r < 0.76 THEN
            l := reftest.apply(p, op, 'cancel', key,
                    format('UPDATE %%1$s SET status = ''cancelled'' WHERE order_key = %L RETURNING status', key));
        ELSIF r < 0.80 THEN
            l := reftest.apply(p, op, 'done', key,
                    format('UPDATE %%1$s SET status = ''done'' WHERE order_key = %L RETURNING delivered::text', key));
        ELSIF r < 0.88 AND ukey IS NOT NULL THEN
            nullp := random() < 0.2;
            l := reftest.apply(p, op, 'repromise', ukey,
                    format('UPDATE %%1$s SET promised = %s WHERE order_key = %L RETURNING promised::text',
                           CASE WHEN nullp THEN 'NULL' ELSE format('promised + %s', reftest.rnd(-6, 4)) END, ukey),
                    nullp);
            IF nullp THEN
                INSERT INTO reftest.chosen VALUES (ukey);
            END IF;
        ELSIF r < 0.93 AND ukey IS NOT NULL AND NOT reftest.has_history(ukey) THEN
            l := reftest.apply(p, op, 'requantity', ukey,
                    format('UPDATE %%1$s SET qty = round(qty * %s, 2) WHERE order_key = %L RETURNING promised::text',
                           round((0.5 + random())::numeric, 2), ukey));
        ELSE
            l := reftest.apply(p, op, 'quote', NULL,
                    format('SELECT concat_ws('' '', earliest, planned_finish, bottleneck) FROM %%2$s.quote(%L, %s, %s)',
                           reftest.pick(products), round((0.5 + random() * 19.5)::numeric, 1),
                           CASE WHEN random() < 0.3 THEN quote_literal(today + reftest.rnd(0, 10)) ELSE 'NULL' END));
        END IF;
    END LOOP;

    l := reftest.apply(p, nops + 1, 'replan', NULL,
            'SELECT coalesce(string_agg(order_key, '','' ORDER BY order_key), '''') FROM %2$s.replan(''reference test'')');

    INSERT INTO reftest.verify_log SELECT p, 'C', v.problem, v.detail FROM sacrosanct.verify() v;
    INSERT INTO reftest.verify_log SELECT p, 'baseline', v.problem, v.detail FROM baseline.verify() v;
END $$;

-- Plant 0: a fixed plant with the rare cases spelled out (a zero-work step
-- that would start after the horizon, zero-work orders on the last day and
-- after it, overtime on a holiday, a zeroed day, an overnight window and one
-- to 24:00, two steps of an order on one finite resource and on one
-- non-finite resource, equal promises broken by byte order of the keys).
CREATE FUNCTION reftest.run_fixed() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    today date := sacrosanct.today();    -- a Wednesday
    stmt  text;
    i     int := 0;
    again reftest.log[];
BEGIN
    PERFORM set_config('sacrosanct.horizon_days', '12', true);
    INSERT INTO sacrosanct.calendar (code) VALUES ('all');
    INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
    SELECT 'all', d, '08:00', '16:00' FROM generate_series(1, 7) d;
    INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
    VALUES ('all', 5, '22:00', '06:00'), ('all', 6, '16:00', '24:00');
    INSERT INTO sacrosanct.calendar_holiday (calendar, day) VALUES ('all', today + 5);
    INSERT INTO sacrosanct.resource (code, units, finite, calendar)
    VALUES ('F', 1, true, 'all'), ('N', 1, false, 'all'), ('G', 2, true, 'all');
    INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
    VALUES ('F', daterange(today + 5, today + 6), 120, 'overtime on the holiday'),
           ('G', daterange(today + 1, today + 3), -100000, 'G down'),
           ('N', daterange(today + 2, today + 3), -200, 'N short');
    INSERT INTO sacrosanct.product (code, buffer_days)
    VALUES ('SAME', 0), ('NF', 0), ('Z', 0), ('Y', 0), ('BUF', 2);
    INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes, lag_days)
    VALUES ('SAME', 1, 'F', 0, 1, 0), ('SAME', 2, 'F', 0, 1, 0),
           ('NF', 1, 'N', 0, 1, 0), ('NF', 2, 'N', 0, 1, 0),
           ('Z', 1, 'F', 0, 1, 0), ('Z', 2, 'G', 0, 0, 2),
           ('Y', 1, 'G', 0, 0, 0),
           ('BUF', 1, 'G', 30, 0.333, 1), ('BUF', 2, 'N', 0, 7.25, 0);

    FOREACH stmt IN ARRAY ARRAY[
        format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''s1'', ''SAME'', 300, %L) RETURNING promised::text', today + 1),
        format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''n1'', ''NF'', 400, %L) RETURNING promised::text', today),
        format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''h1'', ''SAME'', 500, %L) RETURNING promised::text', today + 5),
        format('INSERT INTO %%1$s (order_key, product, qty, promised, not_before) VALUES (''z1'', ''Z'', 10, %L, %L) RETURNING promised::text', today + 30, today + 12),
        format('INSERT INTO %%1$s (order_key, product, qty, promised, not_before) VALUES (''z2'', ''Z'', 10, NULL, %L) RETURNING promised::text', today + 10),
        format('INSERT INTO %%1$s (order_key, product, qty, promised, not_before) VALUES (''y1'', ''Y'', 1, %L, %L) RETURNING promised::text', today + 12, today + 12),
        format('INSERT INTO %%1$s (order_key, product, qty, promised, not_before) VALUES (''y2'', ''Y'', 1, NULL, %L) RETURNING promised::text', today + 13),
        format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''b1'', ''BUF'', 3, NULL) RETURNING promised::text'),
        'SELECT concat_ws('' '', earliest, planned_finish, bottleneck) FROM %2$s.quote(''BUF'', 700)',
        format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''t'', ''SAME'', 200, %L) RETURNING promised::text', today + 3),
        format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''T'', ''SAME'', 200, %L) RETURNING promised::text', today + 3),
        format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''_'', ''SAME'', 300, %L) RETURNING promised::text', today + 3),
        'SELECT concat_ws('' '', earliest, planned_finish, bottleneck) FROM %2$s.quote(''SAME'', 150)',
        format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''late'', ''SAME'', 10, %L) RETURNING promised::text', today - 1),
        'UPDATE %1$s SET promised = NULL WHERE order_key = ''t'' RETURNING promised::text',
        'DELETE FROM %1$s WHERE order_key = ''s1'' RETURNING order_key',
        format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''big'', ''SAME'', 5000, %L) RETURNING promised::text', today + 12)
    ] LOOP
        i := i + 1;
        PERFORM reftest.apply(0, i, CASE WHEN stmt LIKE 'INSERT%%' THEN 'insert'
                                         WHEN stmt LIKE 'SELECT%%' THEN 'quote'
                                         WHEN stmt LIKE 'DELETE%%' THEN 'delete'
                                         ELSE 'repromise' END,
                              substring(stmt FROM '''([^'']*)'''), stmt, stmt ~ 'NULL\)|= NULL');
    END LOOP;

    -- A key whose promise the guard chose earlier in the transaction: an
    -- explicit promise for it later (a new INSERT, or an UPDATE) is the
    -- customer's, refused (SC001) when it cannot be backed, never moved.
    -- Played in a subtransaction that is rolled back (kind 'again'), so
    -- that a disagreement here does not spill into the other checks.
    BEGIN
        FOREACH stmt IN ARRAY ARRAY[
            'INSERT INTO %1$s (order_key, product, qty, promised) VALUES (''again'', ''SAME'', 10, NULL) RETURNING promised::text',
            'DELETE FROM %1$s WHERE order_key = ''again'' RETURNING order_key',
            format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''again'', ''SAME'', 400, %L) RETURNING promised::text', today),
            'INSERT INTO %1$s (order_key, product, qty, promised) VALUES (''again2'', ''SAME'', 10, NULL) RETURNING promised::text',
            format('UPDATE %%1$s SET promised = %L WHERE order_key = ''again2'' RETURNING promised::text', today - 1),
            'UPDATE %1$s SET qty = 2000 WHERE order_key = ''again2'' RETURNING promised::text'
        ] LOOP
            i := i + 1;
            PERFORM reftest.apply(0, i, 'again', substring(stmt FROM '''(again2?)'''), stmt,
                                  stmt ~ 'NULL\)');
        END LOOP;
        again := ARRAY(SELECT l FROM reftest.log l WHERE l.kind = 'again' ORDER BY l.id);
        RAISE EXCEPTION USING ERRCODE = 'SC900', MESSAGE = 'roll back';
    EXCEPTION WHEN SQLSTATE 'SC900' THEN
        INSERT INTO reftest.log OVERRIDING SYSTEM VALUE SELECT * FROM unnest(again);
    END;

    PERFORM reftest.apply(0, i + 1, 'replan', NULL,
            'SELECT coalesce(string_agg(order_key, '','' ORDER BY order_key), '''') FROM %2$s.replan(''reference test'')');
    INSERT INTO reftest.verify_log SELECT 0, 'C', v.problem, v.detail FROM sacrosanct.verify() v;
    INSERT INTO reftest.verify_log SELECT 0, 'baseline', v.problem, v.detail FROM baseline.verify() v;
END $$;

-- The last plant: a fixed one where reality takes every turn once (the
-- random plants take them by chance): a breakdown that fits, one absorbed
-- by a replan, one by a repair, one refused, the same one forced (two orders
-- at risk, the kept one not sacrificed), a new promise refused and one
-- agreed, an order at risk renamed and then given the earliest date,
-- progress reported, a day passing, an order finished by its last step, a
-- second forced breakdown, and orders at risk changed and released.
CREATE FUNCTION reftest.run_fixed_reality(p int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    today date := current_setting('reftest.first_day');
    i     int := 0;
    op    record;
BEGIN
    PERFORM reftest.empty_plant(20);
    INSERT INTO sacrosanct.calendar (code) VALUES ('all');
    INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
    SELECT 'all', d, '08:00', '16:00' FROM generate_series(1, 7) d;
    INSERT INTO sacrosanct.resource (code, units, finite, calendar)
    VALUES ('M', 1, true, 'all'), ('N', 1, true, 'all'), ('L', 1, true, 'all'), ('LN', 1, true, 'all');
    INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('ONE', 0), ('TWO', 0), ('LONG', 0), ('LAG', 0);
    INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes, lag_days)
    VALUES ('ONE', 10, 'M', 0, 1, 0), ('TWO', 10, 'M', 0, 1, 0), ('TWO', 20, 'N', 0, 1, 1),
           ('LONG', 10, 'L', 0, 1, 0), ('LAG', 10, 'L', 0, 1, 0), ('LAG', 20, 'LN', 0, 1, 3);

    FOR op IN
        SELECT * FROM (VALUES
            -- rule 9 when greedy insertion cannot finish within the horizon:
            -- L is full to its last day (b9 first, then a9, due on that
            -- day); a LAG order loaded after them has no room, and at
            -- today + horizon + buffer it still sorts after them; sorted
            -- before b9 it finishes on day 3, and b9 and a9 still hold
            ('insert', 'a9', format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''a9'', ''LONG'', 6720, %L) RETURNING promised::text', today + 20)),
            ('insert', 'b9', format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''b9'', ''LONG'', 2880, %L) RETURNING promised::text', today + 6)),
            ('quote', NULL, 'SELECT concat_ws('' '', earliest, planned_finish, bottleneck) FROM %2$s.quote(''LAG'', 480)'),
            ('insert', 'c9', format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''c9'', ''LAG'', 480, %L) RETURNING promised::text', today + 2)),
            ('reinsert', 'c9', format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''c9'', ''LAG'', 480, %L) RETURNING promised::text', today + 3)),
            -- reality
            ('insert', 'y', format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''y'', ''ONE'', 480, %L) RETURNING promised::text', today + 3)),
            ('insert', 'x', format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''x'', ''ONE'', 480, %L) RETURNING promised::text', today + 1)),
            ('remove', NULL, format('SELECT reftest.remove_%%2$s(''M'', %L, 100, ''fits'', false)', daterange(today + 8, today + 9))),
            ('remove', NULL, format('SELECT reftest.remove_%%2$s(''M'', %L, 480, ''x first'', false)', daterange(today + 1, today + 2))),
            ('insert', 'w', format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''w'', ''TWO'', 240, %L) RETURNING promised::text', today + 7)),
            ('remove', NULL, format('SELECT reftest.remove_%%2$s(''N'', %L, 100000, ''w later'', false)', daterange(today + 4, today + 5))),
            ('remove', NULL, format('SELECT reftest.remove_%%2$s(''M'', %L, 100000, ''M down'', false)', daterange(today, today + 3))),
            ('force', NULL, format('SELECT reftest.remove_%%2$s(''M'', %L, 100000, ''M down'', true)', daterange(today, today + 3))),
            ('risk-promise', 'x', format('UPDATE %%1$s SET promised = %L WHERE order_key = ''x'' RETURNING promised::text', today + 2)),
            ('risk-promise', 'x', 'UPDATE %1$s SET promised = (SELECT n.new_earliest FROM %2$s.renegotiation n WHERE n.order_key = ''x'' AND n.status = ''open'') WHERE order_key = ''x'' RETURNING promised::text'),
            ('risk-rekey', 'y', 'UPDATE %1$s SET order_key = ''y2'' WHERE order_key = ''y'' RETURNING order_key'),
            ('risk-null', 'y2', 'UPDATE %1$s SET promised = NULL WHERE order_key = ''y2'' RETURNING promised::text'),
            ('complete', 'w', 'SELECT %2$s.complete_step(''w'', 10)::text'),
            ('complete', 'w', 'SELECT %2$s.complete_step(''w'', 10)::text'),
            ('complete', 'w', 'SELECT %2$s.complete_step(''w'', 30)::text'),
            ('day', NULL, format('SELECT set_config(''sacrosanct.today'', %L, true)', today + 4)),
            ('complete', 'w', 'SELECT %2$s.complete_step(''w'', 20)::text'),
            ('insert', 'v', format('INSERT INTO %%1$s (order_key, product, qty, promised) VALUES (''v'', ''ONE'', 480, %L) RETURNING promised::text', today + 7)),
            ('force', NULL, format('SELECT reftest.remove_%%2$s(''M'', %L, 100000, ''M down again'', true)', daterange(today + 4, today + 8))),
            ('risk-qty', 'v', 'UPDATE %1$s SET qty = 240 WHERE order_key = ''v'' RETURNING promised::text'),
            ('risk-release', 'v', 'DELETE FROM %1$s WHERE order_key = ''v'' RETURNING order_key'),
            ('risk-release', 'x', 'UPDATE %1$s SET status = ''cancelled'' WHERE order_key = ''x'' RETURNING status'),
            ('replan', NULL, 'SELECT coalesce(string_agg(order_key, '','' ORDER BY order_key), '''') FROM %2$s.replan(''reference test'')')
        ) v(kind, key, stmt)
    LOOP
        i := i + 1;
        PERFORM reftest.apply(p, i, op.kind, op.key, op.stmt, op.kind = 'risk-null');
    END LOOP;
    INSERT INTO reftest.verify_log SELECT p, 'C', v.problem, v.detail FROM sacrosanct.verify() v;
    INSERT INTO reftest.verify_log SELECT p, 'baseline', v.problem, v.detail FROM baseline.verify() v;
END $$;

DO $$
BEGIN
    PERFORM reftest.run_fixed();
    PERFORM reftest.compare_capacity(0);
    PERFORM setseed(0.3141);
    FOR p IN 1..30 LOOP
        PERFORM reftest.make_plant(p);
        PERFORM reftest.compare_capacity(p);
        PERFORM reftest.run_plant(p, reftest.rnd(30, 60));
    END LOOP;
    PERFORM reftest.run_fixed_reality(31);
END $$;

-- what the stream covered (shown as diagnostics)
CREATE VIEW reftest.summary AS
SELECT kind, count(*) AS ops,
       count(*) FILTER (WHERE c_state = 'ok') AS accepted,
       count(*) FILTER (WHERE c_state = 'ok' AND c_replanned) AS by_replan,
       count(*) FILTER (WHERE c_state = 'SC001') AS refused,
       count(*) FILTER (WHERE reftest.earliest(c_detail) LIKE 'none%') AS none_in_horizon,
       count(*) FILTER (WHERE null_promise) AS null_promise
  FROM reftest.log GROUP BY kind;

SELECT plan(23);

SELECT diag(format('%s: %s ops, %s accepted (%s by replan), %s refused (%s none within the horizon), %s NULL promises',
                   kind, ops, accepted, by_replan, refused, none_in_horizon, null_promise))
  FROM reftest.summary ORDER BY kind;

SELECT diag(format('capacity removals: %s fit, %s repaired, %s replanned, %s refused, %s forced putting %s orders at risk; renegotiations: %s agreed, %s cancelled, %s open',
                   count(*) FILTER (WHERE c_result = 'fits'), count(*) FILTER (WHERE c_result = 'repair'),
                   count(*) FILTER (WHERE c_result = 'replan'), count(*) FILTER (WHERE c_state = 'SC003'),
                   count(*) FILTER (WHERE c_result = 'forced'),
                   (SELECT count(*) FROM sacrosanct.renegotiation),
                   (SELECT count(*) FROM sacrosanct.renegotiation WHERE status = 'agreed'),
                   (SELECT count(*) FROM sacrosanct.renegotiation WHERE status = 'cancelled'),
                   (SELECT count(*) FROM sacrosanct.renegotiation WHERE status = 'open')))
  FROM reftest.log WHERE kind IN ('remove', 'force');

SELECT is((SELECT string_agg(format('plant %s: capacity of %s on %s: C %s, baseline %s', plant, resource, day, c, b),
                             E'\n' ORDER BY plant, resource, day)
             FROM reftest.capacity_diff),
          NULL, 'the same capacity for every resource and day around the horizon');

SELECT is((SELECT string_agg(format('plant %s op %s %s %s: C %s, baseline %s (%s / %s)', plant, op, kind, key,
                                    c_state, b_state, c_detail, b_detail), E'\n' ORDER BY id)
             FROM reftest.log
            WHERE kind IN ('insert', 'insert2', 'reinsert', 'delete', 'cancel', 'done') AND c_state <> b_state),
          NULL, 'the same accept/refuse decision on every insert, delete, cancel and done');

SELECT is((SELECT string_agg(format('%s: C %s %s, baseline %s %s', sql, c_state, coalesce(c_result, ''),
                                    b_state, coalesce(b_result, '')), E'\n' ORDER BY id)
             FROM reftest.log
            WHERE kind = 'again' AND sql ~ '^(INSERT|UPDATE)' AND NOT null_promise
              AND (c_state <> 'SC001' OR b_state <> 'SC001')),
          NULL,
          'an explicit promise that cannot be backed is refused, even for a key whose promise the guard chose earlier in the transaction');

SELECT is((SELECT string_agg(format('plant %s op %s %s %s: C via %s, baseline via %s', plant, op, kind, key,
                                    CASE WHEN c_replanned THEN 'replan' ELSE 'greedy' END,
                                    CASE WHEN b_replanned THEN 'replan' ELSE 'greedy' END), E'\n' ORDER BY id)
             FROM reftest.log
            WHERE kind IN ('insert', 'insert2', 'reinsert', 'repromise', 'requantity')
              AND c_state = 'ok' AND b_state = 'ok' AND c_replanned <> b_replanned),
          NULL, 'accepted orders go in the same way: greedy insertion or replan');

SELECT is((SELECT string_agg(format('plant %s op %s %s %s: C "%s", baseline "%s"', plant, op, kind, key,
                                    reftest.earliest(c_detail), reftest.earliest(b_detail)), E'\n' ORDER BY id)
             FROM reftest.log
            WHERE c_state = 'SC001' AND b_state = 'SC001'
              AND reftest.earliest(c_detail) IS DISTINCT FROM reftest.earliest(b_detail)),
          NULL, 'the same earliest backed date in every SC001 DETAIL');

SELECT is((SELECT string_agg(format('plant %s op %s %s: C %s, baseline %s', plant, op, key,
                                    c_detail, b_detail), E'\n' ORDER BY id)
             FROM reftest.log
            WHERE (c_state = 'SC001' AND reftest.earliest(c_detail) IS NULL)
               OR (b_state = 'SC001' AND reftest.earliest(b_detail) IS NULL)),
          NULL, 'every SC001 DETAIL starts with "earliest backed date: "');

SELECT is((SELECT string_agg(format('plant %s op %s %s %s: C %s, baseline %s', plant, op, kind, key,
                                    c_result, b_result), E'\n' ORDER BY id)
             FROM reftest.log
            WHERE null_promise AND c_state = 'ok' AND b_state = 'ok' AND kind <> 'again'
              AND c_result IS DISTINCT FROM b_result),
          NULL, 'the same promised date assigned to every NULL promise');

SELECT is((SELECT string_agg(format('plant %s op %s %s %s: %s rows differ: %s', plant, op, kind, key,
                                    diff, diff_sample), E'\n' ORDER BY id)
             FROM reftest.log WHERE diff > 0 AND kind <> 'again'),
          NULL, 'identical schedules and order tables after every operation');

SELECT is((SELECT string_agg(format('plant %s op %s %s: C %s, baseline %s (%s / %s)', plant, op, key,
                                    c_state, b_state, c_detail, b_detail), E'\n' ORDER BY id)
             FROM reftest.log
            WHERE kind = 'reinsert' AND (c_state <> 'ok' OR b_state <> 'ok')),
          NULL, 'a refused order inserted again with its reported earliest date is accepted by both');

SELECT is((SELECT string_agg(format('plant %s op %s %s %s: C %s %s, baseline %s %s (%s / %s)', plant, op, kind, key,
                                    c_state, c_result, b_state, b_result, c_detail, b_detail), E'\n' ORDER BY id)
             FROM reftest.log
            WHERE kind IN ('repromise', 'requantity')
              AND (c_state <> b_state
                   OR (null_promise AND c_result IS DISTINCT FROM b_result))),
          NULL, 'the same decision on every changed promise or quantity');

SELECT is((SELECT string_agg(format('plant %s op %s: C %s, baseline %s', plant, op,
                                    coalesce(c_result, c_state), coalesce(b_result, b_state)), E'\n' ORDER BY id)
             FROM reftest.log
            WHERE kind = 'quote'
              AND (c_state <> b_state
                   OR split_part(c_result, ' ', 1) IS DISTINCT FROM split_part(b_result, ' ', 1)
                   OR split_part(c_result, ' ', 2) IS DISTINCT FROM split_part(b_result, ' ', 2))),
          NULL, 'quote(): the same earliest date and planned finish');

SELECT is((SELECT string_agg(format('plant %s: C %s "%s", baseline %s "%s"', plant,
                                    c_state, coalesce(c_result, c_detail), b_state, coalesce(b_result, b_detail)),
                             E'\n' ORDER BY id)
             FROM reftest.log
            WHERE kind = 'replan'
              AND (c_state <> b_state OR c_result IS DISTINCT FROM b_result)),
          NULL, 'replan(): the same decision and the same orders moved');

SELECT is((SELECT string_agg(format('plant %s: %s: %s', plant, problem, detail), E'\n')
             FROM reftest.verify_log WHERE side = 'C'),
          NULL, 'sacrosanct.verify() returns no rows after every plant');

SELECT is((SELECT string_agg(format('plant %s: %s: %s', plant, problem, detail), E'\n')
             FROM reftest.verify_log WHERE side = 'baseline'),
          NULL, 'baseline.verify() returns no rows after every plant');

SELECT is((SELECT reftest.report(array_agg(format('plant %s op %s %s: C %s %s, baseline %s %s (%s / %s)', plant, op, sql,
                                    c_state, c_result, b_state, b_result, c_detail, b_detail) ORDER BY id))
             FROM reftest.log
            WHERE kind IN ('remove', 'force')
              AND (c_state <> b_state OR c_result IS DISTINCT FROM b_result
                   OR c_state NOT IN ('ok', 'SC003') OR (kind = 'force' AND c_state <> 'ok'))),
          NULL,
          'the same decision on every capacity removal, forced or not, taken the same way (nothing moved, repair, replan, forced)');

SELECT is((SELECT reftest.report(array_agg(format(E'plant %s op %s %s:\nC %s\nbaseline %s', plant, op, sql,
                                    c_detail, b_detail) ORDER BY id))
             FROM reftest.log
            WHERE c_state = 'SC003' AND b_state = 'SC003' AND c_detail IS DISTINCT FROM b_detail),
          NULL, 'the same SC003 DETAIL on every refused removal: the orders it would break, with their new earliest dates');

SELECT is((SELECT reftest.report(array_agg(format('plant %s op %s %s: C %s, baseline %s (%s / %s)', plant, op, sql,
                                    c_state, b_state, c_detail, b_detail) ORDER BY id))
             FROM reftest.log
            WHERE kind = 'complete' AND (c_state <> b_state OR c_state NOT IN ('ok', '22023', '55000'))),
          NULL, 'the same decision on every complete_step(), in routing order or not');

SELECT is((SELECT reftest.report(array_agg(format('plant %s op %s %s %s: C %s %s, baseline %s %s (%s / %s)', plant, op, kind, key,
                                    c_state, c_result, b_state, b_result, c_detail, b_detail) ORDER BY id))
             FROM reftest.log
            WHERE kind LIKE 'risk-%'
              AND (c_state <> b_state OR c_result IS DISTINCT FROM b_result
                   OR reftest.earliest(c_detail) IS DISTINCT FROM reftest.earliest(b_detail))),
          NULL, 'the same decision on every new promise, NULL promise, quantity, release and new key of an order at risk');

SELECT is((SELECT reftest.report(array_agg(format('plant %s op %s %s %s: %s rows differ: %s', plant, op, kind, key,
                                    risk_diff, risk_sample) ORDER BY id))
             FROM reftest.log WHERE risk_diff > 0 AND kind <> 'again'),
          NULL, 'the same orders at risk after every operation');

SELECT is((SELECT reftest.report(array_agg(format('plant %s op %s %s %s: %s rows differ: %s', plant, op, kind, key,
                                    reneg_diff, reneg_sample) ORDER BY id))
             FROM reftest.log WHERE reneg_diff > 0 AND kind <> 'again'),
          NULL, 'the same renegotiations (order, old promise, new earliest, reason, status) after every operation');

SELECT is((SELECT reftest.report(array_agg(format('plant %s op %s %s %s: %s rows differ: %s', plant, op, kind, key,
                                    rec_diff, rec_sample) ORDER BY id))
             FROM reftest.log WHERE rec_diff > 0 AND kind <> 'again'),
          NULL, 'the same record of every open order (steps done, completion day, planned finish, backed, at risk) after every operation');

-- the stream must have exercised what it compares
SELECT ok((SELECT count(*) FILTER (WHERE kind = 'insert' AND c_state = 'ok' AND NOT c_replanned) >= 30
              AND count(*) FILTER (WHERE kind IN ('insert', 'reinsert') AND c_state = 'ok' AND c_replanned) >= 5
              AND count(*) FILTER (WHERE c_state = 'SC001') >= 20
              AND count(*) FILTER (WHERE reftest.earliest(c_detail) LIKE 'none%') >= 1
              AND count(*) FILTER (WHERE kind = 'reinsert') >= 10
              AND count(*) FILTER (WHERE null_promise AND kind = 'insert' AND c_state = 'ok') >= 5
              AND count(*) FILTER (WHERE kind IN ('delete', 'cancel', 'done') AND c_state = 'ok') >= 10
              AND count(*) FILTER (WHERE kind = 'quote') >= 5
             FROM reftest.log),
          'the stream covered greedy and replan acceptances, refusals, the horizon, re-inserts, NULL promises, releases and quotes');

SELECT ok((SELECT count(*) FILTER (WHERE kind = 'force' AND c_result = 'forced') >= 10
              AND count(*) FILTER (WHERE kind = 'remove' AND c_state = 'SC003') >= 5
              AND count(*) FILTER (WHERE kind IN ('remove', 'force') AND c_result = 'repair') >= 5
              AND count(*) FILTER (WHERE kind IN ('remove', 'force') AND c_result = 'replan') >= 1
              AND count(*) FILTER (WHERE kind IN ('remove', 'force') AND c_result = 'fits') >= 5
              AND count(*) FILTER (WHERE kind = 'complete' AND c_state = 'ok') >= 30
              AND count(*) FILTER (WHERE kind = 'complete' AND c_state <> 'ok') >= 5
              AND count(*) FILTER (WHERE kind = 'day') >= 10
              AND count(*) FILTER (WHERE kind = 'risk-promise' AND c_state = 'ok') >= 3
              AND count(*) FILTER (WHERE kind = 'risk-promise' AND c_state = 'SC001') >= 2
              AND count(*) FILTER (WHERE kind = 'risk-null' AND c_state = 'ok') >= 2
              AND count(*) FILTER (WHERE kind = 'risk-release' AND c_state = 'ok') >= 3
              AND count(*) FILTER (WHERE kind = 'risk-rekey' AND c_state = 'ok') >= 1
             FROM reftest.log)
          AND (SELECT count(*) FILTER (WHERE status = 'agreed') >= 3 AND count(*) FILTER (WHERE status = 'cancelled') >= 3
                 FROM sacrosanct.renegotiation),
          'reality covered: forced removals with orders at risk, refused ones, repairs, replans, changes that fit, progress in and out of order, days passing, renegotiations agreed, refused, taken at the earliest date, cancelled and renamed');

-- bottlenecks are reported, not asserted
SELECT diag(format('bottleneck differs: plant %s op %s %s %s: C %s, baseline %s', plant, op, kind,
                   coalesce(key, ''), c, b))
  FROM (SELECT id, plant, op, kind, key,
               CASE WHEN kind = 'quote' THEN split_part(c_result, ' ', 3) ELSE reftest.bottleneck(c_detail) END AS c,
               CASE WHEN kind = 'quote' THEN split_part(b_result, ' ', 3) ELSE reftest.bottleneck(b_detail) END AS b
          FROM reftest.log
         WHERE (c_state = 'SC001' AND b_state = 'SC001') OR (kind = 'quote' AND c_state = 'ok')) x
 WHERE c IS DISTINCT FROM b
 ORDER BY id;

SELECT * FROM finish();
ROLLBACK;
