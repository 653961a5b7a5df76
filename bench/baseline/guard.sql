-- bench/baseline/guard.sql
--
-- The sacrosanct guard written by hand in PL/pgSQL: DESIGN.md §3.1 (rules 1-9)
-- on the extension's master data, guarding its own order table
-- baseline.orders.  It is the reference model of test/pgtap/reference_random
-- and the baseline the benchmarks compare the C guard against: the way a
-- competent engineer would write the guard without the extension, with
-- set-based SQL where it is natural, indexed tables, and advisory locks.
-- See bench/baseline/README.md.
--
-- Load it with psql into a database where CREATE EXTENSION sacrosanct ran:
--     psql -f bench/baseline/guard.sql
-- (drop schema baseline first to load it again).
--
-- Design in brief:
--   * baseline.demand is the guard's record of each open order (what was
--     planned, planned_finish, backed); baseline.allocation holds its minutes
--     per step and day, baseline.load their sum per finite resource and day.
--   * Greedy insertion (rule 6, first try) works on those tables: loading a
--     step reads capacity and load for a few weeks of days at a time and
--     takes what is free with a running sum, in one INSERT.  It runs inside a
--     PL/pgSQL exception block (a subtransaction); a try that is not kept
--     raises a private SQLSTATE (SC900) to roll itself back, the advisory
--     locks it took included, so the fallback can take every resource lock
--     in the fixed order without holding some out of order.
--   * A replan (rule 7) is computed in memory: capacity of every resource and
--     day of the horizon in one query into an array, the open orders with
--     their routings in one query, then each order walked day by day over the
--     arrays.  Only an acceptable replan that is kept is written back (the
--     future allocations and load replaced, set-based).  The search for the
--     earliest backed date (rule 9) reuses one capacity array for all of its
--     replans.
--   * The entry points (the triggers, quote(), replan()) run with jit off:
--     the planner's estimates for these short queries (small master-data
--     tables, often not analyzed yet, horizon-long day series) can pass
--     jit_above_cost, and compiling then costs many times what the query
--     does.
--   * Locks: pg_advisory_xact_lock(23233, hashtext(resource)), taken in
--     ascending key order: a greedy insertion locks its own resources, a
--     replan, a search for the earliest date and a quote lock all of them.
--     Correct under READ COMMITTED (each statement sees what committed before
--     the lock was granted); under REPEATABLE READ a race ends in a
--     serialization failure on baseline.load instead.
--
-- Not covered (the C guard has them): quote holds, guard() on other tables,
-- replans on master-data changes, remove_capacity(force), complete_step().

CREATE SCHEMA baseline;
COMMENT ON SCHEMA baseline IS
    'Hand-written PL/pgSQL guard (reference model and benchmark baseline of sacrosanct)';

-------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------

-- The guarded order table: the same columns as sacrosanct.orders.
CREATE TABLE baseline.orders (
    order_key   text COLLATE "C" PRIMARY KEY,
    customer    text,
    product     text COLLATE "C" NOT NULL,
    qty         numeric NOT NULL CONSTRAINT orders_qty CHECK (qty > 0),
    promised    date,
    not_before  date,
    status      text NOT NULL DEFAULT 'open'
                CONSTRAINT orders_status CHECK (status IN ('open', 'done', 'cancelled')),
    quote_id    bigint,
    at_risk     boolean NOT NULL DEFAULT false,
    delivered   date
);

-- The guard's record of every open order: what it planned and whether the
-- promise is backed (rule 5).  Replans read "backed before" from here.
CREATE TABLE baseline.demand (
    order_key      text COLLATE "C" PRIMARY KEY,
    product        text COLLATE "C" NOT NULL,
    qty            numeric NOT NULL,
    promised       date NOT NULL,
    not_before     date,
    at_risk        boolean NOT NULL DEFAULT false,
    backed         boolean NOT NULL,
    planned_finish date              -- NULL: not loadable within the horizon
);
CREATE INDEX demand_replan_order ON baseline.demand (promised, order_key);

-- Minutes of an order's step on a resource and day.
CREATE TABLE baseline.allocation (
    order_key   text COLLATE "C" NOT NULL
                REFERENCES baseline.demand ON UPDATE CASCADE,
    step        int  NOT NULL,
    resource    text COLLATE "C" NOT NULL,
    day         date NOT NULL,
    minutes     int  NOT NULL CHECK (minutes > 0),
    PRIMARY KEY (order_key, step, day)
);
CREATE INDEX allocation_day ON baseline.allocation (day);

-- Planned minutes per finite resource and day: the sum of the allocations
-- (a resource that is not finite is never short, so nothing reads its load).
CREATE TABLE baseline.load (
    resource    text COLLATE "C" NOT NULL,
    day         date NOT NULL,
    planned     bigint NOT NULL,
    PRIMARY KEY (resource, day)
);

-- Every committed replan.
CREATE TABLE baseline.plan_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    who         name NOT NULL DEFAULT session_user,
    what        text NOT NULL,
    why         text
);

-------------------------------------------------------------------------------
-- Capacity (rule 1)
-------------------------------------------------------------------------------

-- Working minutes of a calendar per ISO weekday; an overnight window counts
-- whole for its start day, '24:00' is minute 1440.
CREATE VIEW baseline.week_minutes AS
SELECT calendar, isodow,
       sum(CASE WHEN e > s THEN e - s ELSE 1440 - s + e END)::bigint AS minutes
  FROM (SELECT calendar, isodow,
               (extract(epoch FROM starts) / 60)::int AS s,
               (extract(epoch FROM ends) / 60)::int AS e
          FROM sacrosanct.calendar_window) w
 GROUP BY calendar, isodow;

-- cap(r, d) for the days [p_from, p_upto]
CREATE FUNCTION baseline.capacity_days(p_resource text, p_from date, p_upto date)
RETURNS TABLE (day date, cap bigint)
LANGUAGE sql STABLE AS $$
    SELECT g.day,
           least(2147483647, greatest(0,
               CASE WHEN h.day IS NULL THEN r.units * coalesce(w.minutes, 0) ELSE 0 END
               + coalesce((SELECT sum(c.minutes)
                             FROM sacrosanct.capacity_change c
                            WHERE c.resource = r.code AND c.days @> g.day), 0)))::bigint
      FROM sacrosanct.resource r
     CROSS JOIN LATERAL (SELECT p_from + i AS day
                           FROM generate_series(0, p_upto - p_from) AS i) g
      LEFT JOIN baseline.week_minutes w
             ON w.calendar = r.calendar AND w.isodow = extract(isodow FROM g.day)::int
      LEFT JOIN sacrosanct.calendar_holiday h
             ON h.calendar = r.calendar AND h.day = g.day
     WHERE r.code = p_resource
$$;

CREATE FUNCTION baseline.capacity(p_resource text, p_day date) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT cap FROM baseline.capacity_days(p_resource, p_day, p_day)
$$;

CREATE FUNCTION baseline.horizon_days() RETURNS int
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('sacrosanct.horizon_days', true), '730')::int
$$;

-------------------------------------------------------------------------------
-- Locks
-------------------------------------------------------------------------------

-- Transaction advisory locks on resources, in one fixed order (ascending key)
-- for every writer, so that writers never deadlock among themselves.
CREATE FUNCTION baseline.lock_resources(p_codes text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    k int;
BEGIN
    FOR k IN SELECT DISTINCT hashtext(c) FROM unnest(p_codes) AS c ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(23233, k);
    END LOOP;
END $$;

CREATE FUNCTION baseline.lock_all() RETURNS void
LANGUAGE sql AS $$
    SELECT baseline.lock_resources(ARRAY(SELECT code FROM sacrosanct.resource))
$$;

-------------------------------------------------------------------------------
-- Loading (rules 2-4)
-------------------------------------------------------------------------------

-- Rule 3: load p_work minutes of one step on a resource from day p_start,
-- recording allocations and load.  Returns the last day that received
-- minutes, or NULL when the work does not fit by p_last (the caller then
-- unloads the order).
CREATE FUNCTION baseline.load_step(p_key text, p_step int, p_resource text, p_finite boolean,
                                   p_start date, p_work bigint, p_last date)
RETURNS date
LANGUAGE plpgsql AS $$
DECLARE
    remaining  bigint := p_work;
    from_day   date := p_start;
    span       int := 27;
    upto       date;
    took       bigint;
    chunk_last date;
    last_day   date;
BEGIN
    WHILE remaining > 0 LOOP
        IF from_day > p_last THEN
            RETURN NULL;
        END IF;
        upto := least(from_day + span, p_last);
        WITH free AS (
            SELECT c.day,
                   CASE WHEN p_finite THEN c.cap - coalesce(l.planned, 0) ELSE c.cap END AS avail
              FROM baseline.capacity_days(p_resource, from_day, upto) c
              LEFT JOIN baseline.load l
                     ON l.resource = p_resource AND l.day = c.day
                    AND l.day BETWEEN from_day AND upto
        ), run AS (
            SELECT f.day, f.avail,
                   sum(f.avail) OVER (ORDER BY f.day) - f.avail AS taken_before
              FROM free f
             WHERE f.avail > 0
        ), take AS (
            SELECT r.day, least(r.avail, remaining - r.taken_before) AS minutes
              FROM run r
             WHERE r.taken_before < remaining
        ), ins AS (
            INSERT INTO baseline.allocation (order_key, step, resource, day, minutes)
            SELECT p_key, p_step, p_resource, t.day, t.minutes FROM take t
            RETURNING day, minutes
        ), upd AS (
            INSERT INTO baseline.load AS l (resource, day, planned)
            SELECT p_resource, i.day, i.minutes FROM ins i WHERE p_finite
            ON CONFLICT (resource, day) DO UPDATE SET planned = l.planned + excluded.planned
        )
        SELECT coalesce(sum(i.minutes), 0), max(i.day) INTO took, chunk_last FROM ins i;

        remaining := remaining - took;
        IF chunk_last IS NOT NULL THEN
            last_day := chunk_last;
        END IF;
        from_day := upto + 1;
        span := least(span * 2, 366);
    END LOOP;
    RETURN coalesce(last_day, p_start);
END $$;

-- Remove an order's allocations from p_from on, and their load.
CREATE FUNCTION baseline.unload(p_key text, p_from date) RETURNS void
LANGUAGE sql AS $$
    WITH del AS (
        DELETE FROM baseline.allocation a
         WHERE a.order_key = p_key AND a.day >= p_from
        RETURNING a.resource, a.day, a.minutes
    )
    UPDATE baseline.load l
       SET planned = l.planned - d.minutes
      FROM (SELECT resource, day, sum(minutes) AS minutes FROM del GROUP BY resource, day) d
     WHERE l.resource = d.resource AND l.day = d.day
$$;

-- Rule 4: load an order's steps in step order from max(today, not_before).
-- With p_history the order's minutes on days before today stay and count
-- (rule 7).  finish NULL: it cannot finish by p_last, and nothing new of it
-- stays loaded.  bottleneck: the resource of the step that took longest from
-- its start (ties: more work, then the earlier step), or the step that ran
-- past the horizon.
CREATE FUNCTION baseline.load_order(p_key text, p_product text, p_qty numeric,
                                    p_not_before date, p_today date, p_last date,
                                    p_history boolean,
                                    OUT finish date, OUT bottleneck text)
LANGUAGE plpgsql AS $$
DECLARE
    st          record;
    first_step  boolean := true;
    start_day   date := greatest(p_today, p_not_before);
    prev_finish date;
    step_finish date;
    remaining   bigint;
    past        bigint;
    past_last   date;
    best_wait   int := -1;
    best_work   bigint := -1;
BEGIN
    FOR st IN
        SELECT r.step, r.resource, r.lag_days, res.finite,
               ceil(r.setup_minutes + r.run_minutes * p_qty)::bigint AS work
          FROM sacrosanct.routing r
          JOIN sacrosanct.resource res ON res.code = r.resource
         WHERE r.product = p_product
         ORDER BY r.step
    LOOP
        IF NOT first_step THEN
            start_day := greatest(p_today, prev_finish + st.lag_days);
        END IF;
        first_step := false;

        past := 0;
        IF p_history THEN
            SELECT coalesce(sum(a.minutes), 0), max(a.day) INTO past, past_last
              FROM baseline.allocation a
             WHERE a.order_key = p_key AND a.step = st.step
               AND a.resource = st.resource AND a.day < p_today;
        END IF;
        remaining := st.work - past;

        IF remaining <= 0 THEN
            step_finish := CASE WHEN past > 0 THEN past_last ELSE start_day END;
        ELSE
            step_finish := NULL;
            IF start_day <= p_last THEN
                step_finish := baseline.load_step(p_key, st.step, st.resource, st.finite,
                                                  start_day, remaining, p_last);
            END IF;
            IF step_finish IS NULL THEN
                bottleneck := st.resource;
                PERFORM baseline.unload(p_key, p_today);
                RETURN;
            END IF;
        END IF;

        IF step_finish - start_day > best_wait
           OR (step_finish - start_day = best_wait AND st.work > best_work) THEN
            best_wait := step_finish - start_day;
            best_work := st.work;
            bottleneck := st.resource;
        END IF;
        prev_finish := step_finish;
    END LOOP;

    IF first_step THEN
        RAISE EXCEPTION USING ERRCODE = 'SC002',
            MESSAGE = format('product "%s" has no routing', p_product),
            DETAIL = format('sacrosanct.routing has no step for product "%s", so no date can be backed.', p_product),
            HINT = 'Add the steps that make the product to sacrosanct.routing.';
    END IF;
    IF prev_finish > p_last THEN
        PERFORM baseline.unload(p_key, p_today);
        RETURN;
    END IF;
    finish := prev_finish;
END $$;

-------------------------------------------------------------------------------
-- Greedy insertion, replans and the earliest backed date (rules 6, 7, 9)
-------------------------------------------------------------------------------

-- SC002 for a product that cannot be ordered; returns its buffer_days.
CREATE FUNCTION baseline.product_buffer(p_product text) RETURNS int
LANGUAGE plpgsql STABLE AS $$
DECLARE
    buf int;
BEGIN
    SELECT p.buffer_days INTO buf FROM sacrosanct.product p WHERE p.code = p_product;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'SC002',
            MESSAGE = format('unknown product "%s"', p_product),
            DETAIL = format('Product "%s" is not in sacrosanct.product.', p_product),
            HINT = 'Add the product and its routing first, or correct the product code.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM sacrosanct.routing r WHERE r.product = p_product) THEN
        RAISE EXCEPTION USING ERRCODE = 'SC002',
            MESSAGE = format('product "%s" has no routing', p_product),
            DETAIL = format('sacrosanct.routing has no step for product "%s", so no date can be backed.', p_product),
            HINT = 'Add the steps that make the product to sacrosanct.routing.';
    END IF;
    RETURN buf;
END $$;

-- The record of the order being placed: a new one, or the old record of a
-- changed order (renamed to its new key; its past allocations stay).
CREATE FUNCTION baseline.put_order(p_key text, p_old_key text, p_product text, p_qty numeric,
                                   p_promised date, p_not_before date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_old_key IS NOT NULL THEN
        UPDATE baseline.demand
           SET order_key = p_key, product = p_product, qty = p_qty, promised = p_promised,
               not_before = p_not_before, backed = false, planned_finish = NULL
         WHERE order_key = p_old_key;
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    INSERT INTO baseline.demand (order_key, product, qty, promised, not_before, backed)
    VALUES (p_key, p_product, p_qty, p_promised, p_not_before, false);
END $$;

-- Rule 6, first try: load the order alone on the current schedule.  With
-- p_keep and a backed promise the plan stays; otherwise everything this
-- call did (its locks included) is rolled back.
CREATE FUNCTION baseline.greedy(p_key text, p_old_key text, p_product text, p_qty numeric,
                                p_promised date, p_not_before date,
                                p_keep boolean, p_lock boolean,
                                OUT backed boolean, OUT finish date, OUT bottleneck text)
LANGUAGE plpgsql AS $$
DECLARE
    v_today date := sacrosanct.today();
    v_last  date := v_today + baseline.horizon_days();
    v_buf   int := baseline.product_buffer(p_product);
    lo      record;
BEGIN
    BEGIN
        IF p_lock THEN
            PERFORM baseline.lock_resources(ARRAY(
                SELECT r.resource FROM sacrosanct.routing r WHERE r.product = p_product
                UNION
                SELECT a.resource FROM baseline.allocation a WHERE a.order_key = p_old_key));
        END IF;
        PERFORM baseline.put_order(p_key, p_old_key, p_product, p_qty, p_promised, p_not_before);
        PERFORM baseline.unload(p_key, v_today);
        lo := baseline.load_order(p_key, p_product, p_qty, p_not_before, v_today, v_last,
                                  p_old_key IS NOT NULL);
        finish := lo.finish;
        bottleneck := lo.bottleneck;
        backed := lo.finish IS NOT NULL AND lo.finish + v_buf <= p_promised;
        IF p_keep AND backed THEN
            UPDATE baseline.demand d SET planned_finish = lo.finish, backed = true
             WHERE d.order_key = p_key;
            RETURN;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'SC900', MESSAGE = 'baseline: roll back a try';
    EXCEPTION WHEN SQLSTATE 'SC900' THEN
        NULL;
    END;
END $$;

-- Rule 1 for every resource and every day of a replan, set-based, once per
-- replan or search: resource codes (sorted), finite flags, and capacities
-- resource-major (resource i, day index d from p_today: cap[(i-1)*ndays + d + 1]).
CREATE FUNCTION baseline.board(p_today date, p_last date,
                               OUT res text[], OUT finite boolean[], OUT cap bigint[])
LANGUAGE sql STABLE AS $$
    SELECT array_agg(r.code ORDER BY r.code),
           array_agg(r.finite ORDER BY r.code),
           (SELECT array_agg(c.cap ORDER BY r2.code, c.day)
              FROM sacrosanct.resource r2
             CROSS JOIN LATERAL baseline.capacity_days(r2.code, p_today, p_last) c)
      FROM sacrosanct.resource r
$$;

-- Rule 7: a replan, in memory.  Every open order (the order being placed,
-- p_key, included; its old record p_old_key left out) is loaded again from
-- an empty board by (promised, order_key) -- p_key_last puts p_key after the
-- other orders of its date, as a quote -- with its minutes on past days kept
-- as history.  Acceptable when p_key (if any) is backed and every order
-- backed before still is; p_stop_early returns at the first refusal.  With
-- p_keep an acceptable replan is written: the future allocations and load
-- are replaced and each record gets its planned_finish and backed.
-- Returns p_key's finish and bottleneck, and each order's outcome.
-- The caller holds every resource lock.
CREATE FUNCTION baseline.replan_mem(p_res text[], p_finite boolean[], p_cap bigint[],
                                    p_today date, p_last date,
                                    p_key text, p_old_key text, p_product text, p_qty numeric,
                                    p_promised date, p_not_before date,
                                    p_key_last boolean, p_stop_early boolean, p_keep boolean,
                                    OUT accepted boolean, OUT finish date, OUT bottleneck text,
                                    OUT out_key text[], OUT out_finish date[], OUT out_backed boolean[],
                                    OUT out_backed_before boolean[])
LANGUAGE plpgsql AS $$
DECLARE
    ndays     int := p_last - p_today + 1;
    planned   bigint[] := array_fill(0::bigint, ARRAY[coalesce(cardinality(p_res), 0) * ndays]);
    o         record;
    -- the new allocations: key, step, resource index, day index, minutes
    a_key     text[] := '{}';
    a_step    int[] := '{}';
    a_res     int[] := '{}';
    a_day     int[] := '{}';
    a_min     int[] := '{}';
    n         int := 0;
    n_before  int;
    no        int := 0;
    k         int;
    i         int;
    d         int;
    base      int;
    start_d   int;
    prev_fin  int;
    step_fin  int;
    last_d    int;
    remaining bigint;
    avail     bigint;
    take      bigint;
    fits      boolean;
    best_wait int;
    best_work bigint;
    bn        text;
    is_backed boolean;
BEGIN
    accepted := true;
    out_key := '{}';
    out_finish := '{}';
    out_backed := '{}';
    out_backed_before := '{}';

    FOR o IN
        WITH ord AS (
            SELECT dm.order_key AS key, dm.order_key AS hist_key, dm.product, dm.qty, dm.promised,
                   dm.not_before, false AS is_new,
                   dm.backed AND NOT dm.at_risk AND dm.planned_finish IS NOT NULL
                       AND dm.promised >= p_today AS backed_before
              FROM baseline.demand dm
             WHERE dm.order_key IS DISTINCT FROM p_old_key
               AND dm.order_key IS DISTINCT FROM p_key
            UNION ALL
            SELECT p_key COLLATE "C", coalesce(p_old_key, p_key) COLLATE "C", p_product, p_qty, p_promised,
                   p_not_before, true, false
             WHERE p_key IS NOT NULL
        ), past AS (
            SELECT a.order_key, a.step, a.resource, sum(a.minutes) AS minutes, max(a.day) AS last_day
              FROM baseline.allocation a
             WHERE a.day < p_today
             GROUP BY a.order_key, a.step, a.resource
        )
        SELECT ord.key, ord.promised, ord.not_before, ord.is_new, ord.backed_before, p.buffer_days,
               array_agg(r.step ORDER BY r.step) AS steps,
               array_agg(array_position(p_res, r.resource::text) ORDER BY r.step) AS ridx,
               array_agg(r.lag_days ORDER BY r.step) AS lags,
               array_agg(ceil(r.setup_minutes + r.run_minutes * ord.qty)::bigint ORDER BY r.step) AS work,
               array_agg(coalesce(pa.minutes, 0) ORDER BY r.step) AS past,
               array_agg(pa.last_day ORDER BY r.step) AS past_last
          FROM ord
          JOIN sacrosanct.product p ON p.code = ord.product
          LEFT JOIN sacrosanct.routing r ON r.product = ord.product
          LEFT JOIN past pa
                 ON pa.order_key = ord.hist_key AND pa.step = r.step AND pa.resource = r.resource
         GROUP BY ord.key, ord.promised, ord.not_before, ord.is_new, ord.backed_before, p.buffer_days
         ORDER BY ord.promised, (p_key_last AND ord.is_new), ord.key COLLATE "C"
    LOOP
        IF o.steps[1] IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'SC003',
                MESSAGE = format('open order "%s" needs a product with a routing', o.key),
                HINT = 'Keep the product and its routing until its open orders are done or cancelled.';
        END IF;

        -- rule 4, day indexes counted from today
        n_before := n;
        fits := true;
        best_wait := -1;
        best_work := -1;
        bn := NULL;
        start_d := greatest(p_today, o.not_before) - p_today;
        FOR k IN 1..cardinality(o.steps) LOOP
            IF k > 1 THEN
                start_d := greatest(0, prev_fin + o.lags[k]);
            END IF;
            remaining := o.work[k] - o.past[k];
            IF remaining <= 0 THEN
                step_fin := CASE WHEN o.past[k] > 0 THEN o.past_last[k] - p_today ELSE start_d END;
            ELSE
                -- rule 3: walk the days from start_d, take what is free
                base := (o.ridx[k] - 1) * ndays;
                d := start_d;
                last_d := NULL;
                WHILE remaining > 0 AND d < ndays LOOP
                    i := base + d + 1;
                    avail := CASE WHEN p_finite[o.ridx[k]] THEN p_cap[i] - planned[i] ELSE p_cap[i] END;
                    IF avail > 0 THEN
                        take := least(avail, remaining);
                        planned[i] := planned[i] + take;
                        n := n + 1;
                        a_key[n] := o.key;
                        a_step[n] := o.steps[k];
                        a_res[n] := o.ridx[k];
                        a_day[n] := d;
                        a_min[n] := take;
                        remaining := remaining - take;
                        last_d := d;
                    END IF;
                    IF remaining > 0 THEN
                        d := d + 1;
                    END IF;
                END LOOP;
                IF remaining > 0 THEN
                    fits := false;
                    bn := p_res[o.ridx[k]];
                    EXIT;
                END IF;
                step_fin := last_d;
            END IF;
            IF step_fin - start_d > best_wait
               OR (step_fin - start_d = best_wait AND o.work[k] > best_work) THEN
                best_wait := step_fin - start_d;
                best_work := o.work[k];
                bn := p_res[o.ridx[k]];
            END IF;
            prev_fin := step_fin;
        END LOOP;
        IF fits AND prev_fin >= ndays THEN
            fits := false;
        END IF;
        IF NOT fits THEN
            -- rule 8: nothing of it stays on the board
            FOR i IN n_before + 1 .. n LOOP
                planned[(a_res[i] - 1) * ndays + a_day[i] + 1] :=
                    planned[(a_res[i] - 1) * ndays + a_day[i] + 1] - a_min[i];
            END LOOP;
            n := n_before;
        END IF;

        is_backed := fits AND prev_fin + o.buffer_days <= o.promised - p_today;
        no := no + 1;
        out_key[no] := o.key;
        out_finish[no] := CASE WHEN fits THEN p_today + prev_fin END;
        out_backed[no] := is_backed;
        out_backed_before[no] := o.backed_before;
        IF o.is_new THEN
            finish := out_finish[no];
            bottleneck := bn;
            IF NOT is_backed THEN
                accepted := false;
            END IF;
        ELSIF o.backed_before AND NOT is_backed THEN
            accepted := false;
        END IF;
        IF NOT accepted AND p_stop_early THEN
            RETURN;
        END IF;
    END LOOP;

    IF NOT (accepted AND p_keep) THEN
        RETURN;
    END IF;

    -- write the replan
    IF p_key IS NOT NULL THEN
        PERFORM baseline.put_order(p_key, p_old_key, p_product, p_qty, p_promised, p_not_before);
    END IF;
    DELETE FROM baseline.allocation a WHERE a.day >= p_today;
    DELETE FROM baseline.load l WHERE l.day >= p_today;
    INSERT INTO baseline.allocation (order_key, step, resource, day, minutes)
    SELECT u.k, u.s, p_res[u.r], p_today + u.d, u.m
      FROM unnest(a_key[1:n], a_step[1:n], a_res[1:n], a_day[1:n], a_min[1:n]) AS u(k, s, r, d, m);
    INSERT INTO baseline.load (resource, day, planned)
    SELECT p_res[u.r], p_today + u.d, sum(u.m)
      FROM unnest(a_res[1:n], a_day[1:n], a_min[1:n]) AS u(r, d, m)
     WHERE p_finite[u.r]
     GROUP BY u.r, u.d;
    UPDATE baseline.demand dm SET planned_finish = u.f, backed = u.b
      FROM unnest(out_key, out_finish, out_backed) AS u(k, f, b)
     WHERE dm.order_key = u.k;
END $$;

-- Rule 9: the earliest promise date rule 6 accepts, searched below the
-- greedy insertion's planned_finish + buffer_days by bisection with the
-- replan test (up to today + horizon + buffer when greedy does not fit).
-- p_floor: a promise known to be refused (the search starts after it).
-- greedy: the date is the greedy one (greedy insertion backs it).
-- The caller holds every resource lock.
CREATE FUNCTION baseline.earliest(p_key text, p_old_key text, p_product text, p_qty numeric,
                                  p_not_before date, p_floor date, p_key_last boolean,
                                  OUT earliest date, OUT planned_finish date,
                                  OUT bottleneck text, OUT greedy boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_today   date := sacrosanct.today();
    v_horizon int := baseline.horizon_days();
    v_last    date := v_today + v_horizon;
    v_buf     int := baseline.product_buffer(p_product);
    b         record;
    g         record;
    t         record;
    lo        date;
    hi        date;
    good      date;
    bad       date;
    mid       date;
    good_fin  date;
    good_bn   text;
BEGIN
    g := baseline.greedy(p_key, p_old_key, p_product, p_qty, 'infinity', p_not_before,
                         false, false);
    greedy := false;
    bottleneck := g.bottleneck;

    lo := greatest(v_today, p_not_before) + v_buf;
    IF p_floor IS NOT NULL THEN
        lo := greatest(lo, p_floor + 1);
    END IF;
    hi := coalesce(g.finish + v_buf, v_last + v_buf);
    IF lo > hi THEN
        lo := hi;
    END IF;

    b := baseline.board(v_today, v_last);
    IF g.finish IS NULL THEN
        t := baseline.replan_mem(b.res, b.finite, b.cap, v_today, v_last, p_key, p_old_key,
                                 p_product, p_qty, hi, p_not_before, p_key_last, true, false);
        IF NOT t.accepted THEN
            RETURN;                         -- none within the horizon
        END IF;
        good_fin := t.finish;
        good_bn := t.bottleneck;
    END IF;

    good := hi;
    bad := lo - 1;
    WHILE good - bad > 1 LOOP
        mid := bad + (good - bad) / 2;
        t := baseline.replan_mem(b.res, b.finite, b.cap, v_today, v_last, p_key, p_old_key,
                                 p_product, p_qty, mid, p_not_before, p_key_last, true, false);
        IF t.accepted THEN
            good := mid;
            good_fin := t.finish;
            good_bn := t.bottleneck;
        ELSE
            bad := mid;
        END IF;
    END LOOP;

    earliest := good;
    IF g.finish IS NOT NULL AND good = hi THEN
        greedy := true;
        planned_finish := g.finish;
    ELSE
        planned_finish := good_fin;
        bottleneck := good_bn;
    END IF;
END $$;

-- SC001 for a promise the schedule cannot back.
CREATE FUNCTION baseline.refuse(p_key text, p_promised date, p_earliest date, p_greedy boolean,
                                p_finish date, p_bottleneck text, p_buffer int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_earliest IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'SC001',
            MESSAGE = CASE WHEN p_promised IS NULL
                           THEN format('no date within the horizon backs order "%s"', p_key)
                           ELSE format('promised date %s of order "%s" is not backed by the schedule',
                                       to_char(p_promised, 'YYYY-MM-DD'), p_key) END,
            DETAIL = format(E'earliest backed date: none within %s days\nbottleneck: %s cannot finish the order by %s.',
                            baseline.horizon_days(), p_bottleneck,
                            to_char(sacrosanct.today() + baseline.horizon_days(), 'YYYY-MM-DD')),
            HINT = format('Add capacity on %s (overtime: a capacity_change with positive minutes), or have a superuser raise sacrosanct.horizon_days if the order belongs that far out.',
                          p_bottleneck);
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'SC001',
        MESSAGE = format('promised date %s of order "%s" is not backed by the schedule',
                         to_char(p_promised, 'YYYY-MM-DD'), p_key),
        DETAIL = format(E'earliest backed date: %s (bottleneck: %s)\n%s, it would finish on %s; the product''s buffer is %s day%s.',
                        to_char(p_earliest, 'YYYY-MM-DD'), p_bottleneck,
                        CASE WHEN p_greedy THEN 'Loaded after the orders already planned'
                             ELSE 'Loaded before later-promised orders by a replan' END,
                        to_char(p_finish, 'YYYY-MM-DD'), p_buffer,
                        CASE WHEN p_buffer = 1 THEN '' ELSE 's' END),
        HINT = format('Promise %s or later, or add capacity on %s (overtime: a capacity_change with positive minutes) and try again.',
                      to_char(p_earliest, 'YYYY-MM-DD'), p_bottleneck);
END $$;

-- Plan a new open order (p_old_key NULL) or re-plan a changed one: greedy,
-- else replan, else SC001 with the earliest backed date.
CREATE FUNCTION baseline.place(p_key text, p_old_key text, p_product text, p_qty numeric,
                               p_promised date, p_not_before date)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_today date := sacrosanct.today();
    v_last  date := v_today + baseline.horizon_days();
    b       record;
    g       record;
    r       record;
    e       record;
BEGIN
    -- greedy insertion under the locks of the order's own resources
    g := baseline.greedy(p_key, p_old_key, p_product, p_qty, p_promised, p_not_before, true, true);
    IF g.backed THEN
        RETURN;
    END IF;

    -- a replan needs every resource; greedy once more, things may have
    -- changed while we waited for them
    PERFORM baseline.lock_all();
    g := baseline.greedy(p_key, p_old_key, p_product, p_qty, p_promised, p_not_before, true, false);
    IF g.backed THEN
        RETURN;
    END IF;
    b := baseline.board(v_today, v_last);
    r := baseline.replan_mem(b.res, b.finite, b.cap, v_today, v_last, p_key, p_old_key,
                             p_product, p_qty, p_promised, p_not_before, false, true, true);
    IF r.accepted THEN
        INSERT INTO baseline.plan_log (what, why)
        VALUES ('replan', format('order %s promised %s', p_key, p_promised));
        RETURN;
    END IF;

    e := baseline.earliest(p_key, p_old_key, p_product, p_qty, p_not_before, p_promised, false);
    PERFORM baseline.refuse(p_key, p_promised, e.earliest, e.greedy, e.planned_finish,
                            e.bottleneck, baseline.product_buffer(p_product));
END $$;

-- An open order written without a promise: plan it at the earliest backed
-- date (rule 9) under every lock, and return that date.  (Re-plans the
-- order of p_old_key when given.)
CREATE FUNCTION baseline.place_earliest(p_key text, p_old_key text, p_product text,
                                        p_qty numeric, p_not_before date)
RETURNS date
LANGUAGE plpgsql AS $$
DECLARE
    v_today date := sacrosanct.today();
    v_last  date := v_today + baseline.horizon_days();
    b       record;
    g       record;
    r       record;
    e       record;
BEGIN
    PERFORM baseline.lock_all();
    e := baseline.earliest(p_key, p_old_key, p_product, p_qty, p_not_before, NULL, false);
    IF e.earliest IS NULL THEN
        PERFORM baseline.refuse(p_key, NULL, NULL, NULL, NULL, e.bottleneck, NULL);
    END IF;
    IF e.greedy THEN
        g := baseline.greedy(p_key, p_old_key, p_product, p_qty, e.earliest, p_not_before, true, false);
    ELSE
        b := baseline.board(v_today, v_last);
        r := baseline.replan_mem(b.res, b.finite, b.cap, v_today, v_last, p_key, p_old_key,
                                 p_product, p_qty, e.earliest, p_not_before, false, true, true);
        IF NOT r.accepted THEN
            PERFORM baseline.refuse(p_key, NULL, NULL, NULL, NULL, r.bottleneck, NULL);
        END IF;
        INSERT INTO baseline.plan_log (what, why)
        VALUES ('replan', format('order %s promised %s', p_key, e.earliest));
    END IF;
    RETURN e.earliest;
END $$;

-- DELETE, done, cancelled: the order's allocations go, past days included.
CREATE FUNCTION baseline.release(p_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM baseline.lock_resources(ARRAY(
        SELECT DISTINCT a.resource FROM baseline.allocation a WHERE a.order_key = p_key));
    PERFORM baseline.unload(p_key, '-infinity');
    DELETE FROM baseline.demand d WHERE d.order_key = p_key;
END $$;

-------------------------------------------------------------------------------
-- The guard: triggers on baseline.orders
-------------------------------------------------------------------------------

-- BEFORE: at_risk belongs to the guard, a finished order is delivered today
-- unless the row says when, and an open order without a promise gets the
-- earliest backed date.
CREATE FUNCTION baseline.orders_before() RETURNS trigger
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    exclude text;
BEGIN
    IF NEW.at_risk IS DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.at_risk ELSE false END) THEN
        RAISE EXCEPTION USING ERRCODE = '42501',
            MESSAGE = 'column "at_risk" is maintained by the guard',
            HINT = 'Leave "at_risk" out of the INSERT or UPDATE.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = 'done' AND OLD.status <> 'done'
       AND NEW.delivered IS NULL THEN
        NEW.delivered := sacrosanct.today();
    END IF;

    IF NEW.promised IS NULL AND NEW.status = 'open'
       AND NEW.order_key IS NOT NULL AND NEW.product IS NOT NULL AND NEW.qty > 0
       -- a duplicate key: leave it to the primary key to refuse
       AND NOT (TG_OP = 'INSERT'
                AND EXISTS (SELECT 1 FROM baseline.orders o WHERE o.order_key = NEW.order_key)) THEN
        IF TG_OP = 'UPDATE' AND OLD.status = 'open' THEN
            exclude := OLD.order_key;
        END IF;
        NEW.promised := baseline.place_earliest(NEW.order_key, exclude, NEW.product, NEW.qty,
                                                NEW.not_before);
        -- a reservation for this row's AFTER trigger to take, or for the
        -- statement trigger to undo (with the plan an UPDATE replaced); a
        -- transaction-local setting, so a rolled-back subtransaction takes
        -- it back
        PERFORM set_config('baseline.assigned',
                           jsonb_set(coalesce(nullif(current_setting('baseline.assigned', true), ''), '{}')::jsonb,
                                     ARRAY[NEW.order_key],
                                     CASE WHEN exclude IS NULL THEN 'null'::jsonb
                                          ELSE jsonb_build_object('product', OLD.product, 'qty', OLD.qty,
                                                                  'promised', OLD.promised,
                                                                  'not_before', OLD.not_before,
                                                                  'key', OLD.order_key) END)::text, true);
    END IF;
    RETURN NEW;
END $$;

-- AFTER: plan or release the order.  A refusal is an error, so the row and
-- everything planned for it roll back together.
CREATE FUNCTION baseline.orders_after() RETURNS trigger
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    assigned   jsonb;
BEGIN
    -- a row the BEFORE trigger planned
    IF TG_OP <> 'DELETE' THEN
        assigned := nullif(current_setting('baseline.assigned', true), '')::jsonb;
        IF assigned ? NEW.order_key THEN
            PERFORM set_config('baseline.assigned', (assigned - NEW.order_key::text)::text, true);
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'open' THEN
            PERFORM baseline.release(OLD.order_key);
        END IF;
        RETURN NULL;
    END IF;

    IF TG_OP = 'UPDATE' AND OLD.status = 'open' THEN
        IF NEW.status <> 'open' THEN
            PERFORM baseline.release(OLD.order_key);
            RETURN NULL;
        END IF;
        IF (NEW.product, NEW.qty, NEW.promised, NEW.not_before)
           IS NOT DISTINCT FROM (OLD.product, OLD.qty, OLD.promised, OLD.not_before) THEN
            IF NEW.order_key <> OLD.order_key THEN
                PERFORM baseline.lock_resources(ARRAY(
                    SELECT DISTINCT a.resource FROM baseline.allocation a
                     WHERE a.order_key = OLD.order_key));
                UPDATE baseline.demand d SET order_key = NEW.order_key
                 WHERE d.order_key = OLD.order_key;
            END IF;
            RETURN NULL;
        END IF;
    ELSIF NEW.status <> 'open' THEN
        RETURN NULL;
    END IF;

    PERFORM baseline.place(NEW.order_key,
                           CASE WHEN TG_OP = 'UPDATE' AND OLD.status = 'open' THEN OLD.order_key END,
                           NEW.product, NEW.qty, NEW.promised, NEW.not_before);
    RETURN NULL;
END $$;

-- After each statement: undo what BEFORE planned for rows never written,
-- putting back the plan an UPDATE replaced.
CREATE FUNCTION baseline.orders_statement() RETURNS trigger
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    assigned jsonb := nullif(current_setting('baseline.assigned', true), '')::jsonb;
    k        text;
    o        jsonb;
BEGIN
    FOR k, o IN SELECT * FROM jsonb_each(coalesce(assigned, '{}')) LOOP
        IF o = 'null'::jsonb THEN
            PERFORM baseline.release(k);
        ELSE
            PERFORM baseline.place(o ->> 'key', k, o ->> 'product', (o ->> 'qty')::numeric,
                                   (o ->> 'promised')::date, (o ->> 'not_before')::date);
        END IF;
    END LOOP;
    PERFORM set_config('baseline.assigned', '', true);
    RETURN NULL;
END $$;

CREATE FUNCTION baseline.orders_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'SC003',
        MESSAGE = 'cannot truncate guarded table orders',
        DETAIL = 'TRUNCATE does not fire row triggers, so the capacity of its open orders would stay taken by orders nobody holds.',
        HINT = 'DELETE the rows or set them done or cancelled: that releases their capacity.';
END $$;

CREATE TRIGGER orders_before BEFORE INSERT OR UPDATE ON baseline.orders
    FOR EACH ROW EXECUTE FUNCTION baseline.orders_before();
CREATE TRIGGER orders_after AFTER INSERT OR UPDATE OR DELETE ON baseline.orders
    FOR EACH ROW EXECUTE FUNCTION baseline.orders_after();
CREATE TRIGGER orders_statement AFTER INSERT OR UPDATE ON baseline.orders
    FOR EACH STATEMENT EXECUTE FUNCTION baseline.orders_statement();
CREATE TRIGGER orders_truncate BEFORE TRUNCATE ON baseline.orders
    FOR EACH STATEMENT EXECUTE FUNCTION baseline.orders_truncate();

-------------------------------------------------------------------------------
-- Functions benchmarks call
-------------------------------------------------------------------------------

-- The earliest backed date of a would-be order (rule 9).  It has no key, so
-- it sorts after every order of its promised date.  earliest NULL: nothing
-- within the horizon.  Every try is rolled back; nothing is held.
CREATE FUNCTION baseline.quote(product text, qty numeric, not_before date DEFAULT NULL)
RETURNS TABLE (earliest date, planned_finish date, bottleneck text)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    k text := 'quote ' || pg_backend_pid();
    e record;
BEGIN
    IF qty IS NULL OR qty <= 0 THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = 'a quote needs a quantity greater than zero';
    END IF;
    PERFORM baseline.product_buffer(quote.product);
    PERFORM baseline.lock_all();
    WHILE EXISTS (SELECT 1 FROM baseline.demand d WHERE d.order_key = k) LOOP
        k := k || '+';
    END LOOP;
    e := baseline.earliest(k, NULL, quote.product, quote.qty, quote.not_before, NULL, true);
    earliest := e.earliest;
    planned_finish := e.planned_finish;
    bottleneck := e.bottleneck;
    RETURN NEXT;
END $$;

-- Rule 7 on demand: reload every open order by (promised, order_key).
-- Refuses with SC003, changing nothing, when a backed promise would break;
-- returns the orders whose plan changed.
CREATE FUNCTION baseline.replan(reason text)
RETURNS TABLE (order_key text, promised date, planned_finish date)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_today  date := sacrosanct.today();
    v_last   date := v_today + baseline.horizon_days();
    bd       record;
    v_before baseline.demand[];
    v_sig    jsonb;
    r        record;
    n        int;
    broken   text;
BEGIN
    PERFORM baseline.lock_all();
    v_before := ARRAY(SELECT d FROM baseline.demand d);
    -- each order's allocations from today on, as one string: what moved is
    -- found with one lookup per order afterwards
    v_sig := (SELECT jsonb_object_agg(t.order_key, t.sig)
                FROM (SELECT a.order_key,
                             string_agg(a.step || ':' || a.day || ':' || a.minutes, ','
                                        ORDER BY a.step, a.day) AS sig
                        FROM baseline.allocation a WHERE a.day >= v_today
                       GROUP BY a.order_key) t);
    bd := baseline.board(v_today, v_last);
    r := baseline.replan_mem(bd.res, bd.finite, bd.cap, v_today, v_last, NULL, NULL, NULL, NULL,
                             NULL, NULL, false, false, true);
    IF NOT r.accepted THEN
        SELECT count(*),
               string_agg(format('order %s promised %s: new earliest %s', d.order_key,
                                 to_char(d.promised, 'YYYY-MM-DD'),
                                 CASE WHEN u.f IS NULL
                                      THEN format('none within %s days', baseline.horizon_days())
                                      ELSE to_char(u.f + p.buffer_days, 'YYYY-MM-DD') END),
                          E'\n' ORDER BY d.promised, d.order_key)
          INTO n, broken
          FROM unnest(r.out_key, r.out_finish, r.out_backed, r.out_backed_before) AS u(k, f, b, bb)
          JOIN baseline.demand d ON d.order_key = u.k
          JOIN sacrosanct.product p ON p.code = d.product
         WHERE u.bb AND NOT u.b;
        RAISE EXCEPTION USING ERRCODE = 'SC003',
            MESSAGE = format('replan would break %s backed promise%s', n, CASE WHEN n = 1 THEN '' ELSE 's' END),
            DETAIL = broken,
            HINT = 'Add capacity elsewhere or renegotiate those orders first; nothing was changed.';
    END IF;
    INSERT INTO baseline.plan_log (what, why) VALUES ('replan', reason);

    RETURN QUERY
    SELECT d.order_key::text, d.promised, d.planned_finish
      FROM baseline.demand d
      JOIN unnest(v_before) b ON b.order_key = d.order_key
      LEFT JOIN (SELECT a.order_key,
                        string_agg(a.step || ':' || a.day || ':' || a.minutes, ','
                                   ORDER BY a.step, a.day) AS sig
                   FROM baseline.allocation a WHERE a.day >= v_today
                  GROUP BY a.order_key) s ON s.order_key = d.order_key
     WHERE d.planned_finish IS DISTINCT FROM b.planned_finish
        OR d.backed IS DISTINCT FROM b.backed
        OR (v_sig ->> d.order_key) IS DISTINCT FROM s.sig
     ORDER BY d.promised, d.order_key;
END $$;

-- No rows: the invariant holds (every open order planned and backed, every
-- finite resource-day within capacity, load = sum of allocations).
CREATE FUNCTION baseline.verify() RETURNS TABLE (problem text, detail text)
LANGUAGE sql STABLE AS $$
    SELECT 'load disagrees with allocations',
           format('%s on %s: load %s, allocations %s', coalesce(a.resource, l.resource),
                  coalesce(a.day, l.day), coalesce(l.planned, 0), coalesce(a.minutes, 0))
      FROM (SELECT a.resource, a.day, sum(a.minutes) AS minutes
              FROM baseline.allocation a
              JOIN sacrosanct.resource r ON r.code = a.resource AND r.finite
             GROUP BY a.resource, a.day) a
      FULL JOIN baseline.load l ON l.resource = a.resource AND l.day = a.day
     WHERE coalesce(a.minutes, 0) <> coalesce(l.planned, 0)
    UNION ALL
    SELECT 'finite resource overloaded',
           format('%s on %s: planned %s, capacity %s', l.resource, l.day, l.planned,
                  baseline.capacity(l.resource, l.day))
      FROM baseline.load l
      JOIN sacrosanct.resource r ON r.code = l.resource AND r.finite
     WHERE l.day >= sacrosanct.today() AND l.planned > 0
       AND l.planned > baseline.capacity(l.resource, l.day)
    UNION ALL
    SELECT 'open order not backed',
           format('order %s promised %s, planned finish %s', o.order_key, o.promised, d.planned_finish)
      FROM baseline.orders o
      LEFT JOIN baseline.demand d ON d.order_key = o.order_key
     WHERE o.status = 'open' AND NOT o.at_risk AND o.promised >= sacrosanct.today()
       AND (d.order_key IS NULL OR NOT d.backed OR d.promised <> o.promised
            OR d.planned_finish + (SELECT p.buffer_days FROM sacrosanct.product p
                                    WHERE p.code = d.product) > o.promised)
    UNION ALL
    SELECT 'record of an order that is not open', format('order %s', d.order_key)
      FROM baseline.demand d
      LEFT JOIN baseline.orders o ON o.order_key = d.order_key AND o.status = 'open'
     WHERE o.order_key IS NULL
    UNION ALL
    -- (minutes on past days are history: a step holds its work or its
    -- history, whichever is more)
    SELECT 'step not fully loaded',
           format('order %s step %s: %s of %s minutes', d.order_key, r.step,
                  coalesce(s.minutes, 0),
                  greatest(ceil(r.setup_minutes + r.run_minutes * d.qty), coalesce(s.past, 0)))
      FROM baseline.demand d
      JOIN sacrosanct.routing r ON r.product = d.product
      LEFT JOIN (SELECT order_key, step, sum(minutes) AS minutes,
                        coalesce(sum(minutes) FILTER (WHERE day < sacrosanct.today()), 0) AS past
                   FROM baseline.allocation GROUP BY order_key, step) s
             ON s.order_key = d.order_key AND s.step = r.step
     WHERE d.planned_finish IS NOT NULL
       AND coalesce(s.minutes, 0)
           <> greatest(ceil(r.setup_minutes + r.run_minutes * d.qty), coalesce(s.past, 0))
$$;
