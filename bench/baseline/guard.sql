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
--   * Reality (DESIGN.md §3.2): the baseline reads the extension's master
--     data, so a capacity change is one row of sacrosanct.capacity_change
--     for both guards; baseline.check_capacity_change() then judges it on
--     the baseline's own plan (nothing moves, a repair, a replan, SC003, or
--     forced: orders at risk with a baseline.renegotiation each).
--     baseline.complete_step() records progress in baseline.demand
--     (steps_done, done_on); every later load skips the completed steps.
--
-- Not covered (the C guard has them): quote holds, guard() on other tables,
-- checks of master-data changes other than capacity (calendars, units,
-- routings, buffers), sacrosanct.force_reason.

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
    planned_finish date,             -- NULL: not loadable within the horizon
    steps_done     int NOT NULL DEFAULT 0,  -- leading routing steps reported complete
    done_on        date              -- the day the last of them was reported
);
-- rule 7's order: an order at risk goes after the backed orders of its day
CREATE INDEX demand_replan_order ON baseline.demand (promised, at_risk, order_key);

-- One row each time a forced change put an order at risk (DESIGN.md §3.2):
-- open until a new promise is backed (agreed) or the order is released
-- (cancelled).
CREATE TABLE baseline.renegotiation (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_key    text COLLATE "C" NOT NULL,
    old_promise  date NOT NULL,
    new_earliest date,               -- NULL: none within the horizon
    reason       text NOT NULL,
    status       text NOT NULL DEFAULT 'open'
                 CONSTRAINT renegotiation_status CHECK (status IN ('open', 'agreed', 'cancelled')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz
);
CREATE UNIQUE INDEX renegotiation_open ON baseline.renegotiation (order_key) WHERE status = 'open';

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

-- Remove an order's allocations (of one step, if given) from p_from on,
-- and their load (finite resources only: a row left from when a resource
-- was finite is not its load).
CREATE FUNCTION baseline.unload(p_key text, p_from date, p_step int DEFAULT NULL) RETURNS void
LANGUAGE sql AS $$
    WITH del AS (
        DELETE FROM baseline.allocation a
         WHERE a.order_key = p_key AND a.day >= p_from AND (p_step IS NULL OR a.step = p_step)
        RETURNING a.resource, a.day, a.minutes
    )
    UPDATE baseline.load l
       SET planned = l.planned - d.minutes
      FROM (SELECT del.resource, del.day, sum(del.minutes) AS minutes
              FROM del JOIN sacrosanct.resource r ON r.code = del.resource AND r.finite
             GROUP BY del.resource, del.day) d
     WHERE l.resource = d.resource AND l.day = d.day
$$;

-- Steps of a record that count as complete: none when its product's routing
-- has fewer steps than were reported (the product changed).
CREATE FUNCTION baseline.steps_done(p_done int, p_product text) RETURNS int
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_done <= (SELECT count(*) FROM sacrosanct.routing r WHERE r.product = p_product)
                THEN p_done ELSE 0 END
$$;

-- Rule 4: load an order's steps in step order from max(today, not_before).
-- With p_history the order's minutes on days before today stay and count
-- (rule 7).  Steps its record reports complete load nothing; the next one
-- starts at max(today, done_on + its lag).  finish NULL: it cannot finish by
-- p_last, and nothing new of it stays loaded.  complete: every step is
-- reported complete (backed whatever its buffer).  bottleneck: the resource
-- of the step that took longest from its start (ties: more work, then the
-- earlier step), or the step that ran past the horizon.
CREATE FUNCTION baseline.load_order(p_key text, p_product text, p_qty numeric,
                                    p_not_before date, p_today date, p_last date,
                                    p_history boolean,
                                    OUT finish date, OUT bottleneck text, OUT complete boolean)
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
    done        int;
    done_on     date;
BEGIN
    SELECT baseline.steps_done(d.steps_done, d.product), d.done_on INTO done, done_on
      FROM baseline.demand d WHERE d.order_key = p_key;
    done := coalesce(done, 0);
    complete := false;
    FOR st IN
        SELECT r.step, r.resource, r.lag_days, res.finite,
               ceil(r.setup_minutes + r.run_minutes * p_qty)::bigint AS work,
               row_number() OVER (ORDER BY r.step) AS pos
          FROM sacrosanct.routing r
          JOIN sacrosanct.resource res ON res.code = r.resource
         WHERE r.product = p_product
         ORDER BY r.step
    LOOP
        IF st.pos <= done THEN
            -- complete: nothing to load; the next step follows its completion day
            prev_finish := done_on;
            first_step := false;
            complete := true;
            CONTINUE;
        END IF;
        complete := false;
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
-- changed order (renamed to its new key; its past allocations and its
-- progress stay; it stays at risk only while its promise is the same).
CREATE FUNCTION baseline.put_order(p_key text, p_old_key text, p_product text, p_qty numeric,
                                   p_promised date, p_not_before date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_old_key IS NOT NULL THEN
        UPDATE baseline.demand
           SET order_key = p_key, product = p_product, qty = p_qty, promised = p_promised,
               not_before = p_not_before, backed = false, planned_finish = NULL,
               at_risk = at_risk AND promised = p_promised
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
        backed := lo.finish IS NOT NULL AND (lo.finish + v_buf <= p_promised OR lo.complete);
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
-- an empty board in rule 7's order: (promised, at risk after not, order_key)
-- -- p_key_last puts p_key after the other orders of its date that are not
-- at risk, as a quote -- with its minutes on past days kept as history and
-- its completed steps skipped.  Acceptable when p_key (if any) is backed and
-- every order backed before still is; p_stop_early returns at the first
-- refusal (the order that broke is then the last of out_key).
-- A repair (p_only not NULL) loads only the orders of p_only, in the same
-- order, on the board that the committed allocations of all the others
-- leave.  The orders of p_risk are put at risk: loaded after every other,
-- blocking nothing.
-- With p_keep an acceptable replan is written: the future allocations of
-- the orders it loaded and the load are replaced, and each record gets its
-- planned_finish and backed.
-- Returns p_key's finish and bottleneck, and each loaded order's outcome in
-- the order they were loaded.
-- The caller holds every resource lock.
CREATE FUNCTION baseline.replan_mem(p_res text[], p_finite boolean[], p_cap bigint[],
                                    p_today date, p_last date,
                                    p_key text, p_old_key text, p_product text, p_qty numeric,
                                    p_promised date, p_not_before date,
                                    p_key_last boolean, p_stop_early boolean, p_keep boolean,
                                    p_only text[] DEFAULT NULL, p_risk text[] DEFAULT '{}',
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

    -- a repair starts from what the orders it does not load hold
    IF p_only IS NOT NULL THEN
        FOR o IN
            SELECT array_position(p_res, a.resource::text) AS r, a.day - p_today AS x, sum(a.minutes) AS m
              FROM baseline.allocation a
             WHERE a.day BETWEEN p_today AND p_last AND a.order_key <> ALL (p_only)
             GROUP BY 1, 2
        LOOP
            i := (o.r - 1) * ndays + o.x + 1;
            planned[i] := planned[i] + o.m;
        END LOOP;
    END IF;

    FOR o IN
        WITH ord AS (
            SELECT dm.order_key AS key, dm.order_key AS hist_key, dm.product, dm.qty, dm.promised,
                   dm.not_before, dm.at_risk, false AS is_new,
                   dm.backed AND NOT dm.at_risk AND dm.planned_finish IS NOT NULL
                       AND dm.promised >= p_today AS backed_before,
                   dm.steps_done, dm.done_on
              FROM baseline.demand dm
             WHERE dm.order_key IS DISTINCT FROM p_old_key
               AND dm.order_key IS DISTINCT FROM p_key
               AND (p_only IS NULL OR dm.order_key = ANY (p_only))
            UNION ALL
            -- the order being placed sorts as one not at risk, with the
            -- progress of the record it replaces
            SELECT p_key COLLATE "C", coalesce(p_old_key, p_key) COLLATE "C", p_product, p_qty, p_promised,
                   p_not_before, false, true, false,
                   coalesce(old.steps_done, 0), old.done_on
              FROM (SELECT 1) one
              LEFT JOIN baseline.demand old ON old.order_key = p_old_key
             WHERE p_key IS NOT NULL
        ), past AS (
            SELECT a.order_key, a.step, a.resource, sum(a.minutes) AS minutes, max(a.day) AS last_day
              FROM baseline.allocation a
             WHERE a.day < p_today
             GROUP BY a.order_key, a.step, a.resource
        )
        SELECT ord.key, ord.promised, ord.not_before, ord.is_new, ord.backed_before, p.buffer_days,
               ord.key = ANY (p_risk) AS risk,
               baseline.steps_done(ord.steps_done, ord.product) AS done, ord.done_on,
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
         GROUP BY ord.key, ord.product, ord.promised, ord.not_before, ord.at_risk, ord.is_new,
                  ord.backed_before, ord.steps_done, ord.done_on, p.buffer_days
         ORDER BY ord.key = ANY (p_risk), ord.promised, ord.at_risk, (p_key_last AND ord.is_new),
                  ord.key COLLATE "C"
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
            IF k <= o.done THEN
                -- complete: nothing to load; the next step follows its completion day
                prev_fin := o.done_on - p_today;
                CONTINUE;
            END IF;
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

        -- rule 5; an order with every step complete has nothing left to buffer
        is_backed := fits AND (prev_fin + o.buffer_days <= o.promised - p_today
                               OR o.done >= cardinality(o.steps));
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
        ELSIF o.backed_before AND NOT is_backed AND NOT o.risk THEN
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
    DELETE FROM baseline.allocation a
     WHERE a.day >= p_today AND (p_only IS NULL OR a.order_key = ANY (p_only));
    INSERT INTO baseline.allocation (order_key, step, resource, day, minutes)
    SELECT u.k, u.s, p_res[u.r], p_today + u.d, u.m
      FROM unnest(a_key[1:n], a_step[1:n], a_res[1:n], a_day[1:n], a_min[1:n]) AS u(k, s, r, d, m);
    -- the board holds every order's future minutes: its finite lanes are the load
    DELETE FROM baseline.load l WHERE l.day >= p_today;
    INSERT INTO baseline.load (resource, day, planned)
    SELECT p_res[g.r], p_today + x, planned[(g.r - 1) * ndays + x + 1]
      FROM generate_subscripts(p_res, 1) g(r), generate_series(0, ndays - 1) x
     WHERE p_finite[g.r] AND planned[(g.r - 1) * ndays + x + 1] > 0;
    UPDATE baseline.demand dm SET planned_finish = u.f, backed = u.b
      FROM unnest(out_key, out_finish, out_backed) AS u(k, f, b)
     WHERE dm.order_key = u.k;
END $$;

-- Rule 9: the earliest promise date rule 6 accepts.  When greedy insertion
-- finishes, searched below its planned_finish + buffer_days by bisection
-- with the replan test; when it cannot finish within the horizon, the exact
-- first accepted date up to max(today + horizon, the latest open promise)
-- + buffer_days + 1 (baseline.earliest_scan).
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
    -- a later promise sorts the order after orders it would otherwise
    -- break: past the horizon, up to a day after the latest promise's turn
    hi := coalesce(g.finish,
                   greatest(v_last, (SELECT max(d.promised) FROM baseline.demand d
                                      WHERE d.order_key IS DISTINCT FROM p_old_key
                                        AND d.order_key IS DISTINCT FROM p_key)) + 1) + v_buf;
    IF lo > hi THEN
        lo := hi;
    END IF;

    b := baseline.board(v_today, v_last);
    IF g.finish IS NULL THEN
        t := baseline.earliest_scan(b.res, b.finite, b.cap, v_today, v_last, p_key, p_old_key,
                                    p_product, p_qty, p_not_before, p_key_last, v_buf, lo, hi);
        IF t.earliest IS NOT NULL THEN
            earliest := t.earliest;
            planned_finish := t.finish;
            bottleneck := t.bottleneck;
        END IF;
        RETURN;
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
    IF good = hi THEN
        greedy := true;
        planned_finish := g.finish;
    ELSE
        planned_finish := good_fin;
        bottleneck := good_bn;
    END IF;
END $$;

-- Rule 9 when greedy insertion cannot finish within the horizon: the first
-- date in [p_lo, p_hi] that a replan accepts, what trying every date would
-- find.  The would-be order's place among the others changes only at their
-- promise dates (on day d it sorts among the orders of d, from d + 1 on
-- after them), and within one place nothing depends on the date but whether
-- it backs the would-be order: a place's first accepted date is max(its
-- first date, finish + buffer), if its last date is accepted at all.  An
-- order sorted before the would-be order that breaks breaks at every later
-- date too: then there is none.
CREATE FUNCTION baseline.earliest_scan(p_res text[], p_finite boolean[], p_cap bigint[],
                                       p_today date, p_last date,
                                       p_key text, p_old_key text, p_product text, p_qty numeric,
                                       p_not_before date, p_key_last boolean, p_buf int,
                                       p_lo date, p_hi date,
                                       OUT earliest date, OUT finish date, OUT bottleneck text)
LANGUAGE plpgsql AS $$
DECLARE
    starts date[];
    t      record;
BEGIN
    starts := ARRAY(SELECT DISTINCT x
                      FROM (SELECT p_lo AS x
                            UNION ALL
                            SELECT d.promised + s
                              FROM baseline.demand d, (VALUES (0), (1)) v(s)
                             WHERE d.order_key IS DISTINCT FROM p_old_key
                               AND d.order_key IS DISTINCT FROM p_key) c
                     WHERE x BETWEEN p_lo AND p_hi
                     ORDER BY x);
    FOR i IN 1 .. cardinality(starts) LOOP
        t := baseline.replan_mem(p_res, p_finite, p_cap, p_today, p_last, p_key, p_old_key,
                                 p_product, p_qty, coalesce(starts[i + 1], p_hi + 1) - 1,
                                 p_not_before, p_key_last, true, false);
        IF t.accepted THEN
            earliest := greatest(starts[i], t.finish + p_buf);
            finish := t.finish;
            bottleneck := t.bottleneck;
            RETURN;
        END IF;
        IF NOT (p_key = ANY (t.out_key)) THEN
            RETURN;                         -- broken before its place: none
        END IF;
    END LOOP;
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
    old     baseline.demand;
    b       record;
    g       record;
    r       record;
    e       record;
BEGIN
    SELECT * INTO old FROM baseline.demand d WHERE d.order_key = p_old_key;
    -- greedy insertion under the locks of the order's own resources
    g := baseline.greedy(p_key, p_old_key, p_product, p_qty, p_promised, p_not_before, true, true);
    IF NOT g.backed THEN
        -- a replan needs every resource; greedy once more, things may have
        -- changed while we waited for them
        PERFORM baseline.lock_all();
        g := baseline.greedy(p_key, p_old_key, p_product, p_qty, p_promised, p_not_before, true, false);
    END IF;
    IF NOT g.backed THEN
        b := baseline.board(v_today, v_last);
        r := baseline.replan_mem(b.res, b.finite, b.cap, v_today, v_last, p_key, p_old_key,
                                 p_product, p_qty, p_promised, p_not_before, false, true, true);
        IF NOT r.accepted THEN
            e := baseline.earliest(p_key, p_old_key, p_product, p_qty, p_not_before, p_promised, false);
            PERFORM baseline.refuse(p_key, p_promised, e.earliest, e.greedy, e.planned_finish,
                                    e.bottleneck, baseline.product_buffer(p_product));
        END IF;
        INSERT INTO baseline.plan_log (what, why)
        VALUES ('replan', format('order %s promised %s', p_key, p_promised));
    END IF;
    PERFORM baseline.renegotiation_follow(old, p_key, p_promised);
END $$;

-- An order at risk that was placed again: with a new promise (backed, or
-- it would have been refused) the customer agreed; with the same promise it
-- stays at risk, under its new key if it has one.
CREATE FUNCTION baseline.renegotiation_follow(p_old baseline.demand, p_key text, p_promised date)
RETURNS void
LANGUAGE sql AS $$
    UPDATE baseline.renegotiation n
       SET status = CASE WHEN p_old.promised = p_promised THEN n.status ELSE 'agreed' END,
           resolved_at = CASE WHEN p_old.promised = p_promised THEN NULL ELSE clock_timestamp() END,
           order_key = CASE WHEN p_old.promised = p_promised THEN p_key ELSE n.order_key END
     WHERE p_old.at_risk AND n.order_key = p_old.order_key AND n.status = 'open'
$$;

-- An open order written without a promise: plan it at the earliest backed
-- date (rule 9) under every lock, and return that date.  (Re-plans the
-- order of p_old_key when given: a date the guard chose is a new promise,
-- so an order at risk is not any more.)
CREATE FUNCTION baseline.place_earliest(p_key text, p_old_key text, p_product text,
                                        p_qty numeric, p_not_before date)
RETURNS date
LANGUAGE plpgsql AS $$
DECLARE
    v_today date := sacrosanct.today();
    v_last  date := v_today + baseline.horizon_days();
    old     baseline.demand;
    b       record;
    g       record;
    r       record;
    e       record;
BEGIN
    PERFORM baseline.lock_all();
    SELECT * INTO old FROM baseline.demand d WHERE d.order_key = p_old_key;
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
    IF old.at_risk THEN
        UPDATE baseline.demand d SET at_risk = false WHERE d.order_key = p_key;
        old.promised := NULL;               -- whatever the date, a new one
        PERFORM baseline.renegotiation_follow(old, p_key, e.earliest);
    END IF;
    RETURN e.earliest;
END $$;

-- DELETE, done, cancelled: the order's allocations go, past days included,
-- and a renegotiation it had is cancelled.
CREATE FUNCTION baseline.release(p_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM baseline.lock_resources(ARRAY(
        SELECT DISTINCT a.resource FROM baseline.allocation a WHERE a.order_key = p_key));
    PERFORM baseline.unload(p_key, '-infinity');
    DELETE FROM baseline.demand d WHERE d.order_key = p_key;
    UPDATE baseline.renegotiation n SET status = 'cancelled', resolved_at = clock_timestamp()
     WHERE n.order_key = p_key AND n.status = 'open';
END $$;

-------------------------------------------------------------------------------
-- The guard: triggers on baseline.orders
-------------------------------------------------------------------------------

-- BEFORE: at_risk belongs to the guard (it may set what the order's record
-- says; a writer may not), an order at risk stops being at risk with a new
-- promise (the AFTER trigger refuses it unless the schedule backs it) or
-- when it closes, a finished order is delivered today unless the row says
-- when, and an open order without a promise gets the earliest backed date.
CREATE FUNCTION baseline.orders_before() RETURNS trigger
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    exclude text;
BEGIN
    IF NEW.at_risk IS DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.at_risk ELSE false END)
       AND NOT (TG_OP = 'UPDATE' AND NEW.at_risk = (SELECT d.at_risk FROM baseline.demand d
                                                     WHERE d.order_key = OLD.order_key)) THEN
        RAISE EXCEPTION USING ERRCODE = '42501',
            MESSAGE = 'column "at_risk" is maintained by the guard',
            HINT = 'Leave "at_risk" out of the INSERT or UPDATE.';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.at_risk
       AND (NEW.status <> 'open' OR NEW.promised IS DISTINCT FROM OLD.promised) THEN
        NEW.at_risk := false;
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
                UPDATE baseline.renegotiation n SET order_key = NEW.order_key
                 WHERE n.order_key = OLD.order_key AND n.status = 'open';
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
-- Reality: capacity changes and progress from the shop floor (§3.2)
-------------------------------------------------------------------------------

-- SC003: a change (a replan, a capacity change) would break backed
-- promises.  p_key, p_finish: the orders it breaks in rule 7's order, each
-- with the planned finish it could have (NULL: none within the horizon);
-- the first ten are named.
CREATE FUNCTION baseline.refuse_breaking(p_change text, p_key text[], p_finish date[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n      int := cardinality(p_key);
    broken text;
BEGIN
    SELECT string_agg(format('order %s promised %s: new earliest %s', d.order_key,
                             to_char(d.promised, 'YYYY-MM-DD'),
                             CASE WHEN u.f IS NULL
                                  THEN format('none within %s days', baseline.horizon_days())
                                  ELSE to_char(u.f + p.buffer_days, 'YYYY-MM-DD') END),
                      E'\n' ORDER BY u.i)
           || CASE WHEN n > 10 THEN format(E'\nand %s more', n - 10) ELSE '' END
      INTO broken
      FROM unnest(p_key, p_finish) WITH ORDINALITY AS u(k, f, i)
      JOIN baseline.demand d ON d.order_key = u.k
      JOIN sacrosanct.product p ON p.code = d.product
     WHERE u.i <= 10;
    RAISE EXCEPTION USING ERRCODE = 'SC003',
        MESSAGE = format('%s would break %s backed promise%s', p_change, n, CASE WHEN n = 1 THEN '' ELSE 's' END),
        DETAIL = broken,
        HINT = 'Add capacity elsewhere or renegotiate those orders first; nothing was changed.';
END $$;

-- After a capacity change (a row the caller put in the shared
-- sacrosanct.capacity_change), judge the baseline's plan against the new
-- capacity.  The affected orders are those with minutes on a finite
-- resource-day from today on that is now loaded beyond its capacity (and,
-- as the C guard checks, backed ones whose buffer outgrew their slack).
-- None: nothing moves.  Else a repair: the affected orders are loaded again
-- in rule 7's order around everything else, left where it is; kept when
-- every affected order backed before still is.  Else a full replan (rule 7).
-- Else, unchecked: SC003 naming the orders the repair breaks with the better
-- date either plan found, and nothing changes.  Forced (p_force_reason),
-- the change is kept: the affected orders are repaired with the first that
-- breaks put at risk, over again until none breaks (none of the orders
-- that can be kept is sacrificed); the orders at risk are loaded after all
-- of them, as well as the plant allows, keep their promise, and each gets
-- a renegotiation.  Returns what happened: 'fits', 'repair', 'replan' or
-- 'forced'.
CREATE FUNCTION baseline.check_capacity_change(p_force_reason text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_today  date := sacrosanct.today();
    v_last   date := v_today + baseline.horizon_days();
    ndays    int := v_last - v_today + 1;
    bd       record;
    affected text[];
    risk     text[] := '{}';
    rep      record;
    r        record;
    k        text[];
    f        date[];
BEGIN
    PERFORM baseline.lock_all();
    bd := baseline.board(v_today, v_last);
    affected := ARRAY(
        WITH over AS (
            SELECT l.resource, l.day
              FROM baseline.load l
             WHERE l.day BETWEEN v_today AND v_last
               AND l.planned > bd.cap[(array_position(bd.res, l.resource::text) - 1) * ndays
                                      + (l.day - v_today) + 1]
        )
        SELECT d.order_key
          FROM baseline.demand d
          JOIN sacrosanct.product p ON p.code = d.product
         WHERE (d.backed AND d.planned_finish + p.buffer_days > d.promised)
            OR EXISTS (SELECT 1 FROM baseline.allocation a
                         JOIN over o ON o.resource = a.resource AND o.day = a.day
                        WHERE a.order_key = d.order_key));
    IF cardinality(affected) = 0 THEN
        RETURN 'fits';
    END IF;

    rep := baseline.replan_mem(bd.res, bd.finite, bd.cap, v_today, v_last, NULL, NULL, NULL, NULL,
                               NULL, NULL, false, false, true, affected);
    IF rep.accepted THEN
        INSERT INTO baseline.plan_log (what, why) VALUES ('repair', 'master data changed');
        RETURN 'repair';
    END IF;
    r := baseline.replan_mem(bd.res, bd.finite, bd.cap, v_today, v_last, NULL, NULL, NULL, NULL,
                             NULL, NULL, false, false, true);
    IF r.accepted THEN
        INSERT INTO baseline.plan_log (what, why) VALUES ('replan', 'master data changed');
        RETURN 'replan';
    END IF;

    IF p_force_reason IS NULL THEN
        -- the orders the change breaks (not others a full replan would
        -- shuffle), each with the earlier finish either plan found
        SELECT array_agg(u.k ORDER BY u.i),
               array_agg(CASE WHEN u.f IS NULL OR fu.f < u.f THEN fu.f ELSE u.f END ORDER BY u.i)
          INTO k, f
          FROM unnest(rep.out_key, rep.out_finish, rep.out_backed, rep.out_backed_before)
               WITH ORDINALITY AS u(k, f, b, bb, i)
          LEFT JOIN unnest(r.out_key, r.out_finish) AS fu(k, f) ON fu.k = u.k
         WHERE u.bb AND NOT u.b;
        PERFORM baseline.refuse_breaking('this change', k, f);
    END IF;

    LOOP
        r := baseline.replan_mem(bd.res, bd.finite, bd.cap, v_today, v_last, NULL, NULL, NULL, NULL,
                                 NULL, NULL, false, true, true, affected, risk);
        EXIT WHEN r.accepted;
        risk := risk || r.out_key[cardinality(r.out_key)];
    END LOOP;
    UPDATE baseline.demand d SET at_risk = true WHERE d.order_key = ANY (risk);
    UPDATE baseline.orders o SET at_risk = true WHERE o.order_key = ANY (risk);
    INSERT INTO baseline.renegotiation (order_key, old_promise, new_earliest, reason)
    SELECT d.order_key, d.promised, d.planned_finish + p.buffer_days, p_force_reason
      FROM baseline.demand d
      JOIN sacrosanct.product p ON p.code = d.product
     WHERE d.order_key = ANY (risk)
     ORDER BY d.promised, d.order_key;
    INSERT INTO baseline.plan_log (what, why)
    VALUES ('forced', format('%s; %s order%s at risk', p_force_reason, cardinality(risk),
                             CASE WHEN cardinality(risk) = 1 THEN '' ELSE 's' END));
    RETURN 'forced';
END $$;

-- Progress: the order's step is complete.  Steps complete in routing order;
-- the step's minutes from today on are released, those on past days stay as
-- history, and the record counts the completed steps and the day.  When the
-- last step completes the order is finished: planned today, and backed.
CREATE FUNCTION baseline.complete_step(order_key text, step int) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_today date := sacrosanct.today();
    d       baseline.demand;
    steps   int[];
    pos     int;
BEGIN
    IF order_key IS NULL OR step IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '23502',
            MESSAGE = format('%s must not be NULL', CASE WHEN order_key IS NULL THEN 'order_key' ELSE 'step' END);
    END IF;
    SELECT dm.product INTO d.product FROM baseline.demand dm WHERE dm.order_key = complete_step.order_key;
    PERFORM baseline.lock_resources(ARRAY(SELECT r.resource FROM sacrosanct.routing r
                                           WHERE r.product = d.product));
    SELECT * INTO d FROM baseline.demand dm WHERE dm.order_key = complete_step.order_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '42704',
            MESSAGE = format('no open order "%s"', order_key);
    END IF;
    steps := ARRAY(SELECT r.step FROM sacrosanct.routing r WHERE r.product = d.product ORDER BY r.step);
    pos := array_position(steps, step);
    IF pos IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = format('order "%s" has no step %s', order_key, step);
    ELSIF pos <= d.steps_done THEN
        RAISE EXCEPTION USING ERRCODE = '55000',
            MESSAGE = format('step %s of order "%s" is complete already', step, order_key);
    ELSIF pos > d.steps_done + 1 THEN
        RAISE EXCEPTION USING ERRCODE = '55000',
            MESSAGE = format('step %s of order "%s" cannot be complete before step %s',
                             step, order_key, steps[d.steps_done + 1]);
    END IF;

    PERFORM baseline.unload(order_key, v_today, step);
    UPDATE baseline.demand dm
       SET steps_done = pos, done_on = v_today,
           planned_finish = CASE WHEN pos = cardinality(steps) THEN v_today ELSE dm.planned_finish END,
           backed = dm.backed OR pos = cardinality(steps)
     WHERE dm.order_key = complete_step.order_key;
    INSERT INTO baseline.plan_log (what, why)
    VALUES ('step completed', format('order %s step %s', order_key, step));
END $$;

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

-- Rule 7 on demand: reload every open order by (promised, at_risk, order_key).
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
    k        text[];
    f        date[];
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
        SELECT array_agg(u.k ORDER BY u.i), array_agg(u.f ORDER BY u.i) INTO k, f
          FROM unnest(r.out_key, r.out_finish, r.out_backed, r.out_backed_before)
               WITH ORDINALITY AS u(k, f, b, bb, i)
         WHERE u.bb AND NOT u.b;
        PERFORM baseline.refuse_breaking('replan', k, f);
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
     ORDER BY d.promised, d.at_risk, d.order_key;
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
            OR (d.planned_finish + (SELECT p.buffer_days FROM sacrosanct.product p
                                     WHERE p.code = d.product) > o.promised
                AND d.steps_done < (SELECT count(*) FROM sacrosanct.routing r
                                     WHERE r.product = d.product)))
    UNION ALL
    -- at risk and renegotiating go together
    SELECT 'at risk without renegotiation', format('order %s', d.order_key)
      FROM baseline.demand d
     WHERE d.at_risk AND NOT EXISTS (SELECT 1 FROM baseline.renegotiation n
                                      WHERE n.order_key = d.order_key AND n.status = 'open')
    UNION ALL
    SELECT 'stale renegotiation', format('renegotiation %s of order %s', n.id, n.order_key)
      FROM baseline.renegotiation n
     WHERE n.status = 'open'
       AND NOT EXISTS (SELECT 1 FROM baseline.demand d WHERE d.order_key = n.order_key AND d.at_risk)
    UNION ALL
    SELECT 'at_risk differs', format('order %s', o.order_key)
      FROM baseline.orders o
      JOIN baseline.demand d ON d.order_key = o.order_key
     WHERE o.at_risk <> d.at_risk
    UNION ALL
    SELECT 'record of an order that is not open', format('order %s', d.order_key)
      FROM baseline.demand d
      LEFT JOIN baseline.orders o ON o.order_key = d.order_key AND o.status = 'open'
     WHERE o.order_key IS NULL
    UNION ALL
    -- (minutes on past days are history: a step holds its work or its
    -- history, whichever is more; a completed step only its history)
    SELECT 'step not fully loaded',
           format('order %s step %s: %s of %s minutes', d.order_key, r.step,
                  coalesce(r.minutes, 0), r.expected)
      FROM baseline.demand d
      CROSS JOIN LATERAL (
          SELECT r.step, s.minutes,
                 CASE WHEN r.pos <= d.steps_done THEN coalesce(s.past, 0)
                      ELSE greatest(ceil(r.setup_minutes + r.run_minutes * d.qty), coalesce(s.past, 0))
                 END AS expected
            FROM (SELECT r.*, row_number() OVER (ORDER BY r.step) AS pos
                    FROM sacrosanct.routing r WHERE r.product = d.product) r
            LEFT JOIN (SELECT a.step, sum(a.minutes) AS minutes,
                              coalesce(sum(a.minutes) FILTER (WHERE a.day < sacrosanct.today()), 0) AS past
                         FROM baseline.allocation a WHERE a.order_key = d.order_key
                        GROUP BY a.step) s ON s.step = r.step) r
     WHERE d.planned_finish IS NOT NULL
       AND coalesce(r.minutes, 0) <> r.expected
$$;
