-- sacrosanct: the schedule is sacrosanct.
--
-- This is the source of the install script; the build copies it to
-- sql/sacrosanct--<version>.sql.  Every object lives in schema sacrosanct,
-- created here so that DROP EXTENSION drops it, and every call is
-- schema-qualified, so the script does not depend on search_path.

\echo Use "CREATE EXTENSION sacrosanct" to load this file. \quit

CREATE SCHEMA sacrosanct;
COMMENT ON SCHEMA sacrosanct IS 'sacrosanct: the schedule, its guard, and the pipeline''s handoffs';

-------------------------------------------------------------------------------
-- Time
-------------------------------------------------------------------------------

CREATE FUNCTION sacrosanct.today() RETURNS date
    AS 'MODULE_PATHNAME', 'sacrosanct_today'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION sacrosanct.today() IS
    'The planning day: the setting sacrosanct.today when set, otherwise current_date.';

-------------------------------------------------------------------------------
-- Master data: calendars, resources, products, routings, capacity changes.
-- Plain tables that ERP SQL and schedulers write directly.  Two C triggers
-- keep them honest: sacrosanct_md_touch (every row change) and the
-- deferrable constraint trigger sacrosanct_md_check, which re-checks the
-- committed plan against the new master data at the end of the statement
-- (or at commit, under SET CONSTRAINTS ALL DEFERRED) and replans or refuses.
-------------------------------------------------------------------------------

CREATE TABLE sacrosanct.calendar (
    code        text COLLATE "C" PRIMARY KEY,
    name        text
);
COMMENT ON TABLE sacrosanct.calendar IS 'A working calendar: weekly windows and holidays.';
COMMENT ON COLUMN sacrosanct.calendar.code IS 'The calendar''s code, as resource.calendar names it; compared in byte order, and never renamed.';
COMMENT ON COLUMN sacrosanct.calendar.name IS 'A name for people to read; NULL: none; the planning does not read it.';

CREATE TABLE sacrosanct.calendar_window (
    calendar    text COLLATE "C" NOT NULL
                REFERENCES sacrosanct.calendar ON DELETE CASCADE,
    isodow      int  NOT NULL
                CONSTRAINT calendar_window_isodow CHECK (isodow BETWEEN 1 AND 7),
    starts      time NOT NULL,
    ends        time NOT NULL,
    PRIMARY KEY (calendar, isodow, starts),
    CONSTRAINT calendar_window_whole_minutes
        CHECK (pg_catalog.date_trunc('minute', starts::interval) = starts::interval
           AND pg_catalog.date_trunc('minute', ends::interval) = ends::interval),
    CONSTRAINT calendar_window_starts_in_day CHECK (starts < '24:00'),
    CONSTRAINT calendar_window_not_empty CHECK (ends <> starts)
);
COMMENT ON TABLE sacrosanct.calendar_window IS
    'Weekly working windows [starts, ends) in whole minutes; ends < starts crosses midnight and counts for the start day; overlapping windows are refused.';
COMMENT ON COLUMN sacrosanct.calendar_window.calendar IS 'The calendar the window belongs to (calendar.code); its windows and holidays go with it when it is deleted.';
COMMENT ON COLUMN sacrosanct.calendar_window.isodow IS 'The ISO day of the week the window starts on: 1 Monday to 7 Sunday.';
COMMENT ON COLUMN sacrosanct.calendar_window.starts IS 'When the window opens, in whole minutes, before 24:00; its first minute counts.';
COMMENT ON COLUMN sacrosanct.calendar_window.ends IS 'When the window closes, in whole minutes, not counted (half-open); 24:00 is midnight, and a time before starts crosses midnight, every minute counting for the day it starts on.';

CREATE TABLE sacrosanct.calendar_holiday (
    calendar    text COLLATE "C" NOT NULL
                REFERENCES sacrosanct.calendar ON DELETE CASCADE,
    day         date NOT NULL CONSTRAINT calendar_holiday_day CHECK (pg_catalog.isfinite(day)),
    PRIMARY KEY (calendar, day)
);
COMMENT ON TABLE sacrosanct.calendar_holiday IS 'Days with no working time in a calendar.';
COMMENT ON COLUMN sacrosanct.calendar_holiday.calendar IS 'The calendar that does not work that day (calendar.code).';
COMMENT ON COLUMN sacrosanct.calendar_holiday.day IS 'The day without working time: windows starting that day count 0 minutes (a finite date).';

CREATE TABLE sacrosanct.resource (
    code        text COLLATE "C" PRIMARY KEY,
    name        text,
    units       int  NOT NULL DEFAULT 1
                CONSTRAINT resource_units CHECK (units BETWEEN 1 AND 1000000),
    finite      boolean NOT NULL DEFAULT true,
    calendar    text COLLATE "C" NOT NULL REFERENCES sacrosanct.calendar
);
COMMENT ON TABLE sacrosanct.resource IS
    'A work center, crew or team: units parallel identical units working the calendar; finite resources are never loaded beyond capacity.';
COMMENT ON COLUMN sacrosanct.resource.code IS 'The resource''s code, as routing.resource names it; compared in byte order, and never renamed (the schedule stores it).';
COMMENT ON COLUMN sacrosanct.resource.name IS 'A name for people to read; NULL: none; the planning does not read it.';
COMMENT ON COLUMN sacrosanct.resource.units IS 'Parallel identical units (machines, people), 1 to 1,000,000: a day''s capacity in minutes is units x the calendar''s window minutes that day, plus capacity changes.';
COMMENT ON COLUMN sacrosanct.resource.finite IS 'true: never loaded beyond its capacity, and its planned minutes are kept in load; false: allocations are recorded but never reduce what is available (an outside painter, shipping).';
COMMENT ON COLUMN sacrosanct.resource.calendar IS 'The working calendar whose windows and holidays give its working minutes (calendar.code).';

CREATE TABLE sacrosanct.product (
    code        text COLLATE "C" PRIMARY KEY,
    name        text,
    buffer_days int  NOT NULL DEFAULT 0
                CONSTRAINT product_buffer_days CHECK (buffer_days BETWEEN 0 AND 3660)
);
COMMENT ON TABLE sacrosanct.product IS
    'What can be ordered; buffer_days is the safety between planned finish and promise.';
COMMENT ON COLUMN sacrosanct.product.code IS 'The product''s code, as orders and routing name it; compared in byte order, and never renamed (the schedule stores it).';
COMMENT ON COLUMN sacrosanct.product.name IS 'A name for people to read; NULL: none; the planning does not read it.';
COMMENT ON COLUMN sacrosanct.product.buffer_days IS 'Safety days between planned finish and promise (the shipping buffer), 0 to 3660: an open order is backed when planned_finish + buffer_days <= promised.';

CREATE TABLE sacrosanct.routing (
    product       text COLLATE "C" NOT NULL
                  REFERENCES sacrosanct.product ON DELETE CASCADE,
    step          int  NOT NULL CONSTRAINT routing_step CHECK (step >= 1),
    resource      text COLLATE "C" NOT NULL REFERENCES sacrosanct.resource,
    -- finite and at most a billion minutes (NaN and Infinity compare above it)
    setup_minutes numeric NOT NULL DEFAULT 0
                  CONSTRAINT routing_setup_minutes CHECK (setup_minutes >= 0 AND setup_minutes <= 1e9),
    run_minutes   numeric NOT NULL DEFAULT 0
                  CONSTRAINT routing_run_minutes CHECK (run_minutes >= 0 AND run_minutes <= 1e9),
    lag_days      int  NOT NULL DEFAULT 0
                  CONSTRAINT routing_lag_days CHECK (lag_days BETWEEN 0 AND 3660),
    PRIMARY KEY (product, step)
);
COMMENT ON TABLE sacrosanct.routing IS
    'The steps that make one order of a product, in step order; work = ceil(setup_minutes + run_minutes * qty).';
COMMENT ON COLUMN sacrosanct.routing.product IS 'The product the step helps make (product.code); its steps go with it when it is deleted.';
COMMENT ON COLUMN sacrosanct.routing.step IS 'The step''s number, from 1: an order''s steps run in ascending order, gaps allowed.';
COMMENT ON COLUMN sacrosanct.routing.resource IS 'The resource that works the step (resource.code).';
COMMENT ON COLUMN sacrosanct.routing.setup_minutes IS 'Minutes the step takes once per order, whatever the quantity, 0 to 1e9 (fractions allowed).';
COMMENT ON COLUMN sacrosanct.routing.run_minutes IS 'Minutes the step takes per unit ordered, 0 to 1e9 (fractions allowed): its work for an order is ceil(setup_minutes + run_minutes x qty) minutes.';
COMMENT ON COLUMN sacrosanct.routing.lag_days IS 'Days from the previous step''s finish to this step''s start, 0 to 3660 (0: the same day; ignored for an order''s first step).';
CREATE INDEX routing_resource ON sacrosanct.routing (resource);

CREATE TABLE sacrosanct.capacity_change (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource    text COLLATE "C" NOT NULL
                REFERENCES sacrosanct.resource ON DELETE CASCADE,
    days        daterange NOT NULL
                CONSTRAINT capacity_change_days
                CHECK (NOT pg_catalog.isempty(days)
                       AND NOT pg_catalog.lower_inf(days)
                       AND NOT pg_catalog.upper_inf(days)
                       AND pg_catalog.isfinite(pg_catalog.lower(days))
                       AND pg_catalog.isfinite(pg_catalog.upper(days))),
    minutes     int  NOT NULL CONSTRAINT capacity_change_minutes CHECK (minutes <> 0),
    reason      text NOT NULL,
    created_by  name NOT NULL DEFAULT current_user,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE sacrosanct.capacity_change IS
    'Overtime and second shifts (+ minutes per day) and breakdowns and absences (- minutes per day).';
COMMENT ON COLUMN sacrosanct.capacity_change.id IS 'The change''s number, what add_capacity() and remove_capacity() return.';
COMMENT ON COLUMN sacrosanct.capacity_change.resource IS 'The resource whose capacity changes (resource.code); its changes go with it when it is deleted.';
COMMENT ON COLUMN sacrosanct.capacity_change.days IS 'The days it applies to, a bounded daterange of finite dates: [first day, day after the last).';
COMMENT ON COLUMN sacrosanct.capacity_change.minutes IS 'Minutes added (+: overtime, a second shift) or taken away (-: a breakdown, an absence) on each of those days, for the resource as a whole (not per unit); never 0, and a day never goes below 0 minutes.';
COMMENT ON COLUMN sacrosanct.capacity_change.reason IS 'Why, in words: the reason given to add_capacity() or remove_capacity(), or by whoever inserted the row.';
COMMENT ON COLUMN sacrosanct.capacity_change.created_by IS 'The role that recorded it: current_user at the INSERT, set by sacrosanct whatever the INSERT says, and kept by every UPDATE.';
COMMENT ON COLUMN sacrosanct.capacity_change.created_at IS 'When it was recorded: the start of the inserting transaction, set by sacrosanct whatever the INSERT says, and kept by every UPDATE.';
CREATE INDEX capacity_change_resource ON sacrosanct.capacity_change (resource);

-------------------------------------------------------------------------------
-- Orders: the built-in guarded order table.
-------------------------------------------------------------------------------

CREATE TABLE sacrosanct.orders (
    order_key   text COLLATE "C" PRIMARY KEY,
    customer    text,
    product     text COLLATE "C" NOT NULL,
    -- positive and finite (NaN and Infinity compare above 1e15)
    qty         numeric NOT NULL CONSTRAINT orders_qty CHECK (qty > 0 AND qty < 1e15),
    promised    date CONSTRAINT orders_promised CHECK (pg_catalog.isfinite(promised)),
    not_before  date CONSTRAINT orders_not_before CHECK (pg_catalog.isfinite(not_before)),
    status      text NOT NULL DEFAULT 'open'
                CONSTRAINT orders_status CHECK (status IN ('open', 'done', 'cancelled')),
    quote_id    bigint,
    at_risk     boolean NOT NULL DEFAULT false,
    delivered   date
);
COMMENT ON TABLE sacrosanct.orders IS
    'Guarded orders: an open order is planned on insert or refused (SQLSTATE SC001); a NULL promised date is set to the earliest backed date; at_risk is maintained by sacrosanct.';
COMMENT ON COLUMN sacrosanct.orders.order_key IS 'The order''s key, unique in this table; compared in byte order.';
COMMENT ON COLUMN sacrosanct.orders.customer IS 'Who ordered it, in the writer''s words; NULL: not said; the guard does not read it.';
COMMENT ON COLUMN sacrosanct.orders.product IS 'The product ordered (product.code, not a foreign key): an open order of an unknown product or one without routing is refused with SC002.';
COMMENT ON COLUMN sacrosanct.orders.qty IS 'The quantity ordered, in units of the product (routing.run_minutes is per unit): above 0 and below 1e15.';
COMMENT ON COLUMN sacrosanct.orders.promised IS 'The date promised to the customer, which the schedule must back (SC001 otherwise); written NULL on an open order, it becomes the earliest date the schedule backs (or the date of the quote hold the order consumes).';
COMMENT ON COLUMN sacrosanct.orders.not_before IS 'The first day work on the order may start (a release date); NULL: as soon as today.';
COMMENT ON COLUMN sacrosanct.orders.status IS 'open (planned: holds capacity), done (delivered: releases its capacity and is counted in on_time_delivery) or cancelled (releases its capacity).';
COMMENT ON COLUMN sacrosanct.orders.quote_id IS 'The quote hold the order consumes when it is first planned, as quote(..., hold => ...) returned it (SC005 when it is unknown, expired or does not match); NULL: none.';
COMMENT ON COLUMN sacrosanct.orders.at_risk IS 'Set by sacrosanct only (writers may not change it): true while a forced capacity change has left the promise unbacked with an open renegotiation; cleared by a new promise the schedule backs, done or cancelled.';
COMMENT ON COLUMN sacrosanct.orders.delivered IS 'The day the order was delivered; when an UPDATE sets it done without one, sacrosanct.today(); NULL: not delivered.';

-------------------------------------------------------------------------------
-- The schedule.  Written only by the extension's C code.
-------------------------------------------------------------------------------

-- One row per open guarded order or live quote hold: the extension's own
-- record of what it promised and where the work is loaded.  The allocations
-- are parallel arrays (one element per resource-day), so planning an order
-- writes one row; sacrosanct.schedule shows them one per row.
CREATE TABLE sacrosanct.demand (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_key      text COLLATE "C",                -- NULL for a quote hold
    source         regclass,                        -- guarded table; NULL for a hold
    hold_until     timestamptz,                     -- set for a quote hold
    product        text COLLATE "C" NOT NULL,
    qty            numeric NOT NULL,
    promised       date NOT NULL,
    not_before     date,
    at_risk        boolean NOT NULL DEFAULT false,
    backed         boolean NOT NULL,                -- planned_finish + buffer <= promised when planned
    planned_finish date,                            -- NULL: could not be loaded within the horizon
    step           int[] NOT NULL,                  -- routing step numbers, in order
    step_resource  text[] COLLATE "C" NOT NULL,     -- resource of each step
    step_work      bigint[] NOT NULL,               -- minutes of work of each step
    alloc_step     int[] NOT NULL,                  -- allocations: step number,
    alloc_day      date[] NOT NULL,                 --   day,
    alloc_minutes  int[] NOT NULL,                  --   minutes (resource: that step's)
    steps_done     int NOT NULL DEFAULT 0,          -- steps completed (complete_step), in order
    done_on        date,                            -- the day the last of them was completed
    CONSTRAINT demand_is_order_or_hold
        CHECK ((order_key IS NULL) = (hold_until IS NOT NULL)),
    -- the same key in two guarded tables is two orders
    CONSTRAINT demand_order UNIQUE (order_key, source)
);
COMMENT ON TABLE sacrosanct.demand IS
    'Internal: the extension''s record of every open guarded order and quote hold and its allocations. Read sacrosanct.schedule instead.';
COMMENT ON COLUMN sacrosanct.demand.id IS 'The record''s number; for a quote hold, its quote_id.';
COMMENT ON COLUMN sacrosanct.demand.order_key IS 'The order''s key in its guarded table, as text; NULL for a quote hold.';
COMMENT ON COLUMN sacrosanct.demand.source IS 'The guarded table the order is in; NULL for a quote hold.';
COMMENT ON COLUMN sacrosanct.demand.hold_until IS 'For a quote hold, when it expires and stops reserving anything; NULL for an order.';
COMMENT ON COLUMN sacrosanct.demand.product IS 'The product ordered or quoted (product.code).';
COMMENT ON COLUMN sacrosanct.demand.qty IS 'The quantity ordered or quoted, in units of the product.';
COMMENT ON COLUMN sacrosanct.demand.promised IS 'The order''s promise; for a quote hold, the quoted earliest date.';
COMMENT ON COLUMN sacrosanct.demand.not_before IS 'The first day its work may start; NULL: as soon as today.';
COMMENT ON COLUMN sacrosanct.demand.at_risk IS 'True while a forced capacity change has left it unbacked with an open renegotiation.';
COMMENT ON COLUMN sacrosanct.demand.backed IS 'Whether its plan backs its promise, as last planned: planned_finish + the product''s buffer_days <= promised, or every step complete.';
COMMENT ON COLUMN sacrosanct.demand.planned_finish IS 'The day its last step finishes in the plan; NULL: it could not be loaded within the horizon.';
COMMENT ON COLUMN sacrosanct.demand.step IS 'The routing step numbers it was planned with, in order.';
COMMENT ON COLUMN sacrosanct.demand.step_resource IS 'The resource code of each element of step.';
COMMENT ON COLUMN sacrosanct.demand.step_work IS 'The minutes of work of each element of step: ceil(setup_minutes + run_minutes x qty).';
COMMENT ON COLUMN sacrosanct.demand.alloc_step IS 'Its allocations, one element per step and day: the step number (the resource is that step''s).';
COMMENT ON COLUMN sacrosanct.demand.alloc_day IS 'Its allocations: the day of each element of alloc_step.';
COMMENT ON COLUMN sacrosanct.demand.alloc_minutes IS 'Its allocations: the minutes of each element of alloc_step, above 0.';
COMMENT ON COLUMN sacrosanct.demand.steps_done IS 'How many of its steps are complete, first to last (complete_step()); 0: none.';
COMMENT ON COLUMN sacrosanct.demand.done_on IS 'The day the last complete step was reported; NULL: no step is complete.';
CREATE INDEX demand_hold_until ON sacrosanct.demand (hold_until) WHERE hold_until IS NOT NULL;

-- Planned minutes per finite resource and day: the sum of the allocations,
-- kept so that a check reads one index range instead of every order.  The
-- row of day -infinity counts the resource's releases (anything that took
-- minutes away): backends keep a copy of each lane and re-read it when the
-- count moves (plan_io.c).
CREATE TABLE sacrosanct.load (
    resource    text COLLATE "C" NOT NULL,
    day         date NOT NULL,
    planned     bigint NOT NULL,
    PRIMARY KEY (resource, day)
);
COMMENT ON TABLE sacrosanct.load IS
    'Internal: planned minutes per resource and day, the sum of the allocations. Read sacrosanct.resource_load instead.';
COMMENT ON COLUMN sacrosanct.load.resource IS 'The finite resource (resource.code).';
COMMENT ON COLUMN sacrosanct.load.day IS 'The day; -infinity marks the row that counts the resource''s releases instead.';
COMMENT ON COLUMN sacrosanct.load.planned IS 'Minutes planned on the resource that day, the sum of its allocations (0 when every one was released); on day -infinity, how many times minutes were taken off it.';

CREATE TABLE sacrosanct.plan_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    who         name NOT NULL DEFAULT session_user,
    what        text NOT NULL,
    why         text,
    orders_moved int NOT NULL DEFAULT 0,
    as_role     name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE sacrosanct.plan_log IS
    'Every change of the plan a person would ask about later: when, who (session_user, acting as as_role), what, why, and how many orders moved.';

CREATE TABLE sacrosanct.renegotiation (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_key    text COLLATE "C" NOT NULL,
    old_promise  date NOT NULL,
    new_earliest date,
    reason       text NOT NULL,
    status       text NOT NULL DEFAULT 'open'
                 CONSTRAINT renegotiation_status CHECK (status IN ('open', 'agreed', 'cancelled')),
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    source       regclass,                          -- the guarded table of the order
    resolved_at  timestamptz                        -- when it was agreed or cancelled
);
COMMENT ON TABLE sacrosanct.renegotiation IS
    'Broken promises: an order put at risk by a forced capacity change, its old promise, the earliest date the schedule backs now, and whether the customer agreed a new promise (or the order was cancelled).';
-- at most one open renegotiation per order
CREATE UNIQUE INDEX renegotiation_open ON sacrosanct.renegotiation (order_key, source)
    WHERE status = 'open';

-- Every order done, with its promise and the day it was delivered: what
-- on-time delivery is counted from, for every guarded table alike.
CREATE TABLE sacrosanct.delivery (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       regclass NOT NULL,
    order_key    text COLLATE "C" NOT NULL,
    promised     date NOT NULL,
    delivered    date NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE sacrosanct.delivery IS
    'Internal: every order set done, its promise and the day it was delivered (the row''s delivered column, else the day it was set done). Read sacrosanct.on_time_delivery instead.';
COMMENT ON COLUMN sacrosanct.delivery.id IS 'The entry''s number, in the order deliveries were recorded.';
COMMENT ON COLUMN sacrosanct.delivery.source IS 'The guarded table of the order.';
COMMENT ON COLUMN sacrosanct.delivery.order_key IS 'The order''s key in that table.';
COMMENT ON COLUMN sacrosanct.delivery.promised IS 'Its promise when it was set done.';
COMMENT ON COLUMN sacrosanct.delivery.delivered IS 'The day it was delivered: the row''s delivered column, else sacrosanct.today() when it was set done (else its promise, for an order done before 0.2.0).';
COMMENT ON COLUMN sacrosanct.delivery.recorded_at IS 'When it was recorded: the start of the transaction that set the order done.';
CREATE INDEX delivery_promised ON sacrosanct.delivery (promised);

-------------------------------------------------------------------------------
-- Triggers
-------------------------------------------------------------------------------

CREATE FUNCTION sacrosanct.guard_before() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_guard_before' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.guard_before() IS
    'Internal: the BEFORE INSERT OR UPDATE row trigger of a guarded order table (attached by guard(), its arguments the column map) that refuses a write of at_risk, sets delivered to today() when an order becomes done without one, and plans an open row without a promise at the earliest date the schedule backs, which becomes its promise.';
CREATE FUNCTION sacrosanct.guard_after() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_guard_after' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.guard_after() IS
    'Internal: the AFTER INSERT OR UPDATE OR DELETE row trigger of a guarded order table that plans every open order or refuses it (SC001, SC002, SC005), and releases the capacity of an order set done, cancelled or deleted, recording its delivery and closing its renegotiation.';
CREATE FUNCTION sacrosanct.guard_truncate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_guard_truncate' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.guard_truncate() IS
    'Internal: the BEFORE TRUNCATE trigger of a guarded order table that refuses it (SC003): TRUNCATE fires no row trigger, so the capacity of its open orders would stay taken.';
CREATE FUNCTION sacrosanct.guard_statement() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_guard_statement' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.guard_statement() IS
    'Internal: the AFTER INSERT OR UPDATE statement trigger of a guarded order table that undoes what guard_before() planned for rows the statement did not write after all (ON CONFLICT, a later trigger).';
CREATE FUNCTION sacrosanct.md_touch() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_md_touch' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.md_touch() IS
    'Internal: the BEFORE row trigger of the master-data tables that refuses renaming a calendar, resource or product (0A000), sets capacity_change.created_by and created_at, drops every backend''s cached plant, and notes that md_check() must check the plan.';
CREATE FUNCTION sacrosanct.md_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_md_check' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.md_check() IS
    'Internal: the deferrable constraint trigger (and AFTER TRUNCATE trigger) of the master-data tables that checks the committed plan against the changed master data once, at the end of the statement or at commit: nothing moves if it fits, else the affected orders are repaired or the plant replanned, else the change is refused (SC003) or, when forced, the orders it breaks are put at risk.';
CREATE FUNCTION sacrosanct.schedule_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_schedule_write' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.schedule_write() IS
    'Internal: the BEFORE statement trigger of the schedule tables (demand, load, plan_log, renegotiation, delivery) that refuses every SQL INSERT, UPDATE, DELETE and TRUNCATE (42501), superusers included: only sacrosanct''s C code writes them.';

-- The guard's column map is its argument list (src/guardmap.h):
--   key, product, qty, promised, status, not_before, quote_id, at_risk,
--   delivered, then the done and the cancelled status values, each a text
--   array literal.  An empty string means the table has no such column.
-- The BEFORE trigger has work only when a promise is missing, at_risk is
-- written or was set, or the status changes: WHEN spares every other row a
-- call.  The statement trigger undoes what BEFORE planned for rows that were
-- not written after all.
CREATE TRIGGER sacrosanct_guard_before
    BEFORE INSERT ON sacrosanct.orders
    FOR EACH ROW WHEN (NEW.promised IS NULL OR NEW.at_risk)
    EXECUTE FUNCTION sacrosanct.guard_before(
        'order_key', 'product', 'qty', 'promised', 'status', 'not_before',
        'quote_id', 'at_risk', 'delivered', '{done}', '{cancelled}');
CREATE TRIGGER sacrosanct_guard_before_update
    BEFORE UPDATE ON sacrosanct.orders
    FOR EACH ROW WHEN (NEW.promised IS NULL OR NEW.at_risk IS DISTINCT FROM OLD.at_risk
                       OR OLD.at_risk OR NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION sacrosanct.guard_before(
        'order_key', 'product', 'qty', 'promised', 'status', 'not_before',
        'quote_id', 'at_risk', 'delivered', '{done}', '{cancelled}');
CREATE TRIGGER sacrosanct_guard_after
    AFTER INSERT OR UPDATE OR DELETE ON sacrosanct.orders
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.guard_after(
        'order_key', 'product', 'qty', 'promised', 'status', 'not_before',
        'quote_id', 'at_risk', 'delivered', '{done}', '{cancelled}');
CREATE TRIGGER sacrosanct_guard_statement
    AFTER INSERT OR UPDATE ON sacrosanct.orders
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.guard_statement();
CREATE TRIGGER sacrosanct_guard_truncate
    BEFORE TRUNCATE ON sacrosanct.orders
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.guard_truncate();

CREATE TRIGGER sacrosanct_md_touch
    BEFORE INSERT OR UPDATE OR DELETE ON sacrosanct.calendar_window
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_touch();
CREATE TRIGGER sacrosanct_md_touch
    BEFORE INSERT OR UPDATE OR DELETE ON sacrosanct.calendar_holiday
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_touch();
CREATE TRIGGER sacrosanct_md_touch
    BEFORE INSERT OR UPDATE OR DELETE ON sacrosanct.calendar
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_touch();
CREATE TRIGGER sacrosanct_md_touch
    BEFORE INSERT OR UPDATE OR DELETE ON sacrosanct.resource
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_touch();
CREATE TRIGGER sacrosanct_md_touch
    BEFORE INSERT OR UPDATE OR DELETE ON sacrosanct.product
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_touch();
CREATE TRIGGER sacrosanct_md_touch
    BEFORE INSERT OR UPDATE OR DELETE ON sacrosanct.routing
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_touch();
CREATE TRIGGER sacrosanct_md_touch
    BEFORE INSERT OR UPDATE OR DELETE ON sacrosanct.capacity_change
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_touch();

CREATE CONSTRAINT TRIGGER sacrosanct_md_check
    AFTER INSERT OR UPDATE OR DELETE ON sacrosanct.calendar_window
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_check();
CREATE CONSTRAINT TRIGGER sacrosanct_md_check
    AFTER INSERT OR UPDATE OR DELETE ON sacrosanct.calendar_holiday
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_check();
CREATE CONSTRAINT TRIGGER sacrosanct_md_check
    AFTER INSERT OR UPDATE OR DELETE ON sacrosanct.resource
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_check();
CREATE CONSTRAINT TRIGGER sacrosanct_md_check
    AFTER INSERT OR UPDATE OR DELETE ON sacrosanct.product
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_check();
CREATE CONSTRAINT TRIGGER sacrosanct_md_check
    AFTER INSERT OR UPDATE OR DELETE ON sacrosanct.routing
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_check();
CREATE CONSTRAINT TRIGGER sacrosanct_md_check
    AFTER INSERT OR UPDATE OR DELETE ON sacrosanct.capacity_change
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.md_check();
CREATE TRIGGER sacrosanct_md_truncate
    AFTER TRUNCATE ON sacrosanct.calendar_window
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.md_check();
CREATE TRIGGER sacrosanct_md_truncate
    AFTER TRUNCATE ON sacrosanct.calendar_holiday
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.md_check();
CREATE TRIGGER sacrosanct_md_truncate
    AFTER TRUNCATE ON sacrosanct.capacity_change
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.md_check();
CREATE TRIGGER sacrosanct_md_truncate
    AFTER TRUNCATE ON sacrosanct.routing
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.md_check();

-- The schedule tables refuse DML from anyone but the extension's C code.
CREATE TRIGGER sacrosanct_schedule_write
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON sacrosanct.demand
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.schedule_write();
CREATE TRIGGER sacrosanct_schedule_write
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON sacrosanct.load
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.schedule_write();
CREATE TRIGGER sacrosanct_schedule_write
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON sacrosanct.plan_log
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.schedule_write();
CREATE TRIGGER sacrosanct_schedule_write
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON sacrosanct.renegotiation
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.schedule_write();
CREATE TRIGGER sacrosanct_schedule_write
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON sacrosanct.delivery
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.schedule_write();

-- These fire whatever session_replication_role says: the schedule is not
-- bypassed by a session that turns replication triggers off.
ALTER TABLE sacrosanct.orders ENABLE ALWAYS TRIGGER sacrosanct_guard_before;
ALTER TABLE sacrosanct.orders ENABLE ALWAYS TRIGGER sacrosanct_guard_before_update;
ALTER TABLE sacrosanct.orders ENABLE ALWAYS TRIGGER sacrosanct_guard_after;
ALTER TABLE sacrosanct.orders ENABLE ALWAYS TRIGGER sacrosanct_guard_statement;
ALTER TABLE sacrosanct.orders ENABLE ALWAYS TRIGGER sacrosanct_guard_truncate;
ALTER TABLE sacrosanct.demand ENABLE ALWAYS TRIGGER sacrosanct_schedule_write;
ALTER TABLE sacrosanct.load ENABLE ALWAYS TRIGGER sacrosanct_schedule_write;
ALTER TABLE sacrosanct.plan_log ENABLE ALWAYS TRIGGER sacrosanct_schedule_write;
ALTER TABLE sacrosanct.renegotiation ENABLE ALWAYS TRIGGER sacrosanct_schedule_write;
ALTER TABLE sacrosanct.delivery ENABLE ALWAYS TRIGGER sacrosanct_schedule_write;
ALTER TABLE sacrosanct.calendar ENABLE ALWAYS TRIGGER sacrosanct_md_touch;
ALTER TABLE sacrosanct.calendar_window ENABLE ALWAYS TRIGGER sacrosanct_md_touch;
ALTER TABLE sacrosanct.calendar_window ENABLE ALWAYS TRIGGER sacrosanct_md_check;
ALTER TABLE sacrosanct.calendar_window ENABLE ALWAYS TRIGGER sacrosanct_md_truncate;
ALTER TABLE sacrosanct.calendar_holiday ENABLE ALWAYS TRIGGER sacrosanct_md_touch;
ALTER TABLE sacrosanct.calendar_holiday ENABLE ALWAYS TRIGGER sacrosanct_md_check;
ALTER TABLE sacrosanct.calendar_holiday ENABLE ALWAYS TRIGGER sacrosanct_md_truncate;
ALTER TABLE sacrosanct.resource ENABLE ALWAYS TRIGGER sacrosanct_md_touch;
ALTER TABLE sacrosanct.resource ENABLE ALWAYS TRIGGER sacrosanct_md_check;
ALTER TABLE sacrosanct.product ENABLE ALWAYS TRIGGER sacrosanct_md_touch;
ALTER TABLE sacrosanct.product ENABLE ALWAYS TRIGGER sacrosanct_md_check;
ALTER TABLE sacrosanct.routing ENABLE ALWAYS TRIGGER sacrosanct_md_touch;
ALTER TABLE sacrosanct.routing ENABLE ALWAYS TRIGGER sacrosanct_md_check;
ALTER TABLE sacrosanct.routing ENABLE ALWAYS TRIGGER sacrosanct_md_truncate;
ALTER TABLE sacrosanct.capacity_change ENABLE ALWAYS TRIGGER sacrosanct_md_touch;
ALTER TABLE sacrosanct.capacity_change ENABLE ALWAYS TRIGGER sacrosanct_md_check;
ALTER TABLE sacrosanct.capacity_change ENABLE ALWAYS TRIGGER sacrosanct_md_truncate;

-------------------------------------------------------------------------------
-- Functions
-------------------------------------------------------------------------------

CREATE FUNCTION sacrosanct.capacity(resource text, day date) RETURNS bigint
    AS 'MODULE_PATHNAME', 'sacrosanct_capacity'
    LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION sacrosanct.capacity(text, date) IS
    'Working minutes of a resource on a day: max(0, units x window minutes + capacity changes), 0 on a holiday.';

CREATE FUNCTION sacrosanct.quote(product text, qty numeric,
                                 not_before date DEFAULT NULL,
                                 hold interval DEFAULT NULL)
    RETURNS TABLE (earliest date, planned_finish date, bottleneck text,
                   quote_id bigint, hold_until timestamptz)
    AS 'MODULE_PATHNAME', 'sacrosanct_quote'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.quote(text, numeric, date, interval) IS
    'The earliest promise date the schedule can back for a would-be order; with hold, reserve that capacity until hold_until.';

CREATE FUNCTION sacrosanct.replan(reason text)
    RETURNS TABLE (order_key text, promised date, planned_finish date)
    AS 'MODULE_PATHNAME', 'sacrosanct_replan'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.replan(text) IS
    'Reload every open order by (promised, order_key); refuses (SC003) and changes nothing if a backed promise would break.';

CREATE FUNCTION sacrosanct.verify()
    RETURNS TABLE (problem text, detail text)
    AS 'MODULE_PATHNAME', 'sacrosanct_verify'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.verify() IS
    'Recompute capacity and promises from scratch; no rows means the invariant holds.';

CREATE FUNCTION sacrosanct.add_capacity(resource text, days daterange,
                                        minutes_per_day int, reason text)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'sacrosanct_add_capacity'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.add_capacity(text, daterange, int, text) IS
    'Overtime, a second shift, a subcontractor: add minutes per day to a resource on those days. Always taken; returns the capacity_change id.';

CREATE FUNCTION sacrosanct.remove_capacity(resource text, days daterange,
                                           minutes_per_day int, reason text,
                                           force boolean DEFAULT false)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'sacrosanct_remove_capacity'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.remove_capacity(text, daterange, int, text, boolean) IS
    'A breakdown, an absence: take minutes per day off a resource. Refused (SC003) if it would break a backed promise; with force, taken anyway and the orders it breaks are put at risk with a renegotiation each. Returns the capacity_change id.';

CREATE FUNCTION sacrosanct.complete_step(order_key text, step int, tbl regclass DEFAULT NULL)
    RETURNS void
    AS 'MODULE_PATHNAME', 'sacrosanct_complete_step'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.complete_step(text, int, regclass) IS
    'Progress from the shop floor: the step of an open order is complete. Its future minutes are released, its past ones stay; steps complete in routing order. tbl names the guarded table when the key is open in more than one.';

CREATE FUNCTION sacrosanct.guard(tbl regclass, key text, product text, qty text, promised text,
                                 status text DEFAULT NULL, not_before text DEFAULT NULL,
                                 done_values text[] DEFAULT '{done}',
                                 cancelled_values text[] DEFAULT '{cancelled}')
    RETURNS void
    AS 'MODULE_PATHNAME', 'sacrosanct_guard'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.guard(regclass, text, text, text, text, text, text, text[], text[]) IS
    'Guard an existing table with its own column names: its open rows are planned now (or guard() fails naming those the schedule cannot back), and every later INSERT, UPDATE and DELETE is planned or refused like sacrosanct.orders. Only the table''s owner may guard it.';

CREATE FUNCTION sacrosanct.unguard(tbl regclass)
    RETURNS void
    AS 'MODULE_PATHNAME', 'sacrosanct_unguard'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.unguard(regclass) IS
    'Stop guarding a table: its orders release their capacity and its guard triggers go.';

CREATE FUNCTION sacrosanct.horizon() RETURNS date
    AS 'MODULE_PATHNAME', 'sacrosanct_horizon'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION sacrosanct.horizon() IS
    'The last day anything is planned: today() + sacrosanct.horizon_days.';

CREATE FUNCTION sacrosanct.lead_times(qty numeric DEFAULT 1)
    RETURNS TABLE (product text, qty numeric, earliest date, planned_finish date, bottleneck text)
    AS 'MODULE_PATHNAME', 'sacrosanct_lead_times'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION sacrosanct.lead_times(numeric) IS
    'quote() for every product with a routing at one quantity, on one read of the schedule; holds nothing.';

CREATE FUNCTION sacrosanct.gantt(resource text DEFAULT NULL, days daterange DEFAULT NULL)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'sacrosanct_gantt'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION sacrosanct.gantt(text, daterange) IS
    'The load per resource and day as text for psql: one line per resource, one character per day shaded by load, days over capacity (!) and days an order at risk works (*) marked, in blocks of eight weeks that fit 80 columns; ASCII when the client encoding is not UTF8. Four weeks from today by default.';

-------------------------------------------------------------------------------
-- Views
-------------------------------------------------------------------------------

CREATE VIEW sacrosanct.schedule AS
    SELECT d.order_key,
           a.step,
           d.step_resource[pg_catalog.array_position(d.step, a.step)] AS resource,
           a.day,
           a.minutes,
           CASE WHEN d.order_key IS NULL THEN d.id END AS quote_id,
           d.source
      FROM sacrosanct.demand d,
           LATERAL ROWS FROM (pg_catalog.unnest(d.alloc_step), pg_catalog.unnest(d.alloc_day),
                             pg_catalog.unnest(d.alloc_minutes))
                AS a(step, day, minutes);
COMMENT ON VIEW sacrosanct.schedule IS
    'One row per allocation: minutes of an order''s step on a resource and day. Rows with quote_id and no order_key are quote holds; source is the guarded table of the order.';

COMMENT ON COLUMN sacrosanct.schedule.order_key IS 'The order''s key in its guarded table; NULL for a quote hold.';
COMMENT ON COLUMN sacrosanct.schedule.step IS 'The routing step the minutes are for.';
COMMENT ON COLUMN sacrosanct.schedule.resource IS 'The resource the step works on.';
COMMENT ON COLUMN sacrosanct.schedule.day IS 'The day of the minutes.';
COMMENT ON COLUMN sacrosanct.schedule.minutes IS 'Minutes of that step on that resource and day.';
COMMENT ON COLUMN sacrosanct.schedule.quote_id IS 'For a quote hold, its quote_id; NULL for an order.';
COMMENT ON COLUMN sacrosanct.schedule.source IS 'The guarded table of the order (sacrosanct.orders or an ERP table); NULL for a quote hold.';

CREATE VIEW sacrosanct.resource_load AS
    WITH days AS (
        SELECT d::date AS day
          FROM pg_catalog.generate_series(sacrosanct.today()::timestamp,
                                          sacrosanct.horizon()::timestamp, '1 day') d
    ), planned AS (
        SELECT s.resource, s.day, pg_catalog.sum(s.minutes)::bigint AS minutes
          FROM sacrosanct.schedule s
         WHERE s.day >= sacrosanct.today()
         GROUP BY s.resource, s.day
    )
    SELECT r.code AS resource,
           d.day,
           r.finite,
           c.capacity_minutes,
           COALESCE(p.minutes, 0) AS planned_minutes,
           c.capacity_minutes - COALESCE(p.minutes, 0) AS free_minutes,
           CASE WHEN c.capacity_minutes > 0
                THEN pg_catalog.round(100.0 * COALESCE(p.minutes, 0) / c.capacity_minutes, 1) END
               AS utilization_pct
      FROM sacrosanct.resource r
     CROSS JOIN days d
     CROSS JOIN LATERAL (SELECT sacrosanct.capacity(r.code, d.day) AS capacity_minutes) c
      LEFT JOIN planned p ON p.resource = r.code AND p.day = d.day;
COMMENT ON VIEW sacrosanct.resource_load IS
    'One row per resource and day from today to the horizon: capacity, planned minutes, free minutes, utilization.';
COMMENT ON COLUMN sacrosanct.resource_load.resource IS 'The resource (work center, crew, team).';
COMMENT ON COLUMN sacrosanct.resource_load.day IS 'The day.';
COMMENT ON COLUMN sacrosanct.resource_load.finite IS 'Whether the resource is finite: never planned beyond its capacity.';
COMMENT ON COLUMN sacrosanct.resource_load.capacity_minutes IS 'Working minutes that day: units x calendar window minutes (0 on a holiday) + capacity changes, never below 0.';
COMMENT ON COLUMN sacrosanct.resource_load.planned_minutes IS 'Minutes of open orders and quote holds planned on it that day.';
COMMENT ON COLUMN sacrosanct.resource_load.free_minutes IS 'capacity_minutes - planned_minutes; below 0 only on a resource that is not finite.';
COMMENT ON COLUMN sacrosanct.resource_load.utilization_pct IS 'planned_minutes as a percentage of capacity_minutes; NULL on a day without capacity.';

CREATE VIEW sacrosanct.promise_status AS
    SELECT d.source,
           d.order_key,
           d.product,
           d.qty,
           d.promised,
           d.planned_finish,
           p.buffer_days,
           d.promised - p.buffer_days - d.planned_finish AS slack_days,
           st.planned_start,
           b.buffer_penetration,
           CASE WHEN d.promised < t.today THEN 'late'
                WHEN b.buffer_penetration < 1.0 / 3 THEN 'green'
                WHEN b.buffer_penetration < 2.0 / 3 THEN 'yellow'
                ELSE 'red' END AS zone,
           d.at_risk,
           d.backed
      FROM sacrosanct.demand d
      JOIN sacrosanct.product p ON p.code = d.product
     -- OFFSET 0: computed once per row (flattened, the planner copies the
     -- subquery into every reference) and today() once per query
     CROSS JOIN (SELECT sacrosanct.today() AS today OFFSET 0) t
     CROSS JOIN LATERAL (
        SELECT COALESCE((SELECT pg_catalog.min(a) FROM pg_catalog.unnest(d.alloc_day) a),
                        d.planned_finish, t.today) AS planned_start OFFSET 0) st
     CROSS JOIN LATERAL (
        SELECT CASE WHEN d.promised > st.planned_start
                    THEN pg_catalog.round(GREATEST(t.today - st.planned_start, 0)::numeric
                                          / (d.promised - st.planned_start), 2)
                    ELSE 1 END AS buffer_penetration) b
     WHERE d.order_key IS NOT NULL;
COMMENT ON VIEW sacrosanct.promise_status IS
    'One row per open order of every guarded table: its promise, its planned finish, and its buffer status as in Simplified Drum-Buffer-Rope: the share of the time from its planned start to its promise already gone (green below 1/3, yellow below 2/3, red beyond, late once the promise has passed).';
COMMENT ON COLUMN sacrosanct.promise_status.source IS 'The guarded table the order is in.';
COMMENT ON COLUMN sacrosanct.promise_status.order_key IS 'The order''s key in that table.';
COMMENT ON COLUMN sacrosanct.promise_status.product IS 'The product ordered.';
COMMENT ON COLUMN sacrosanct.promise_status.qty IS 'The quantity ordered.';
COMMENT ON COLUMN sacrosanct.promise_status.promised IS 'The promised date.';
COMMENT ON COLUMN sacrosanct.promise_status.planned_finish IS 'The day its last step is planned to finish; NULL when it cannot finish within the horizon.';
COMMENT ON COLUMN sacrosanct.promise_status.buffer_days IS 'The product''s safety time between planned finish and promise.';
COMMENT ON COLUMN sacrosanct.promise_status.slack_days IS 'Days its plan could slip and its promise still be backed: promised - buffer_days - planned_finish (negative when at risk).';
COMMENT ON COLUMN sacrosanct.promise_status.planned_start IS 'The first day it works (or worked), its release.';
COMMENT ON COLUMN sacrosanct.promise_status.buffer_penetration IS 'Share of its buffer, the time from planned_start to promised, gone by today: 0 before it starts, 1 at its promise.';
COMMENT ON COLUMN sacrosanct.promise_status.zone IS 'green (buffer_penetration below 1/3), yellow (below 2/3), red (beyond), late (promised before today): the order of priority on the shop floor.';
COMMENT ON COLUMN sacrosanct.promise_status.at_risk IS 'Put at risk by a forced capacity change; it has an open renegotiation.';
COMMENT ON COLUMN sacrosanct.promise_status.backed IS 'planned_finish + buffer_days <= promised.';

CREATE VIEW sacrosanct.quoted_lead_time AS
    SELECT q.product,
           q.qty,
           q.earliest,
           q.earliest - sacrosanct.today() AS lead_days,
           q.planned_finish,
           q.bottleneck
      FROM sacrosanct.lead_times(1) q;
COMMENT ON VIEW sacrosanct.quoted_lead_time IS
    'One row per product with a routing: the honest lead time for one unit ordered today, computed by the planning engine on the schedule as it stands (as sacrosanct.quote(product, 1) would answer), never stored. For another quantity: SELECT * FROM sacrosanct.lead_times(qty).';
COMMENT ON COLUMN sacrosanct.quoted_lead_time.product IS 'The product.';
COMMENT ON COLUMN sacrosanct.quoted_lead_time.qty IS 'The quantity quoted: 1.';
COMMENT ON COLUMN sacrosanct.quoted_lead_time.earliest IS 'The earliest promise the schedule backs; NULL when none within the horizon.';
COMMENT ON COLUMN sacrosanct.quoted_lead_time.lead_days IS 'earliest - today: the lead time to quote, in days.';
COMMENT ON COLUMN sacrosanct.quoted_lead_time.planned_finish IS 'The day it would finish.';
COMMENT ON COLUMN sacrosanct.quoted_lead_time.bottleneck IS 'The resource that holds it back most.';

CREATE VIEW sacrosanct.on_time_delivery AS
    WITH due AS (
        SELECT v.promised, v.delivered FROM sacrosanct.delivery v
        UNION ALL
        -- still open with the promise passed: late, not delivered yet
        SELECT d.promised, NULL FROM sacrosanct.demand d
         WHERE d.order_key IS NOT NULL AND d.promised < sacrosanct.today()
    )
    SELECT pg_catalog.to_char(promised, 'IYYY-"W"IW') AS iso_week,
           pg_catalog.date_trunc('week', promised)::date AS week_start,
           pg_catalog.count(*) AS due,
           pg_catalog.count(*) FILTER (WHERE delivered <= promised) AS on_time,
           pg_catalog.count(*) FILTER (WHERE delivered > promised) AS late,
           pg_catalog.count(*) FILTER (WHERE delivered IS NULL) AS late_open,
           pg_catalog.round(100.0 * pg_catalog.count(*) FILTER (WHERE delivered <= promised)
                            / pg_catalog.count(*), 1) AS on_time_pct
      FROM due
     GROUP BY 1, 2;
COMMENT ON VIEW sacrosanct.on_time_delivery IS
    'One row per ISO week of promised dates: the orders due that week that were delivered (set done), on time or late, and those still open past their promise.';
COMMENT ON COLUMN sacrosanct.on_time_delivery.iso_week IS 'The ISO week of the promised dates, such as 2026-W10.';
COMMENT ON COLUMN sacrosanct.on_time_delivery.week_start IS 'The Monday of that week.';
COMMENT ON COLUMN sacrosanct.on_time_delivery.due IS 'Orders promised that week that were delivered, or are open and late.';
COMMENT ON COLUMN sacrosanct.on_time_delivery.on_time IS 'Of those, delivered on or before their promise.';
COMMENT ON COLUMN sacrosanct.on_time_delivery.late IS 'Of those, delivered after their promise.';
COMMENT ON COLUMN sacrosanct.on_time_delivery.late_open IS 'Of those, still open with the promise passed.';
COMMENT ON COLUMN sacrosanct.on_time_delivery.on_time_pct IS 'on_time as a percentage of due.';

COMMENT ON COLUMN sacrosanct.plan_log.id IS 'Entry number, in the order the changes were made.';
COMMENT ON COLUMN sacrosanct.plan_log.at IS 'When.';
COMMENT ON COLUMN sacrosanct.plan_log.who IS 'The session user who made the change.';
COMMENT ON COLUMN sacrosanct.plan_log.what IS 'What changed: replan, repair, forced, capacity added, capacity removed, capacity removed by force, guard, unguard, step completed.';
COMMENT ON COLUMN sacrosanct.plan_log.why IS 'The reason given, or what was asked for.';
COMMENT ON COLUMN sacrosanct.plan_log.orders_moved IS 'How many orders the change moved.';
COMMENT ON COLUMN sacrosanct.plan_log.as_role IS 'The role the session user acted as (current_user).';
COMMENT ON COLUMN sacrosanct.renegotiation.id IS 'The renegotiation.';
COMMENT ON COLUMN sacrosanct.renegotiation.order_key IS 'The order put at risk.';
COMMENT ON COLUMN sacrosanct.renegotiation.old_promise IS 'The promise that could no longer be kept.';
COMMENT ON COLUMN sacrosanct.renegotiation.new_earliest IS 'The date the schedule backs for it after the change (its planned finish + buffer); NULL when none within the horizon.';
COMMENT ON COLUMN sacrosanct.renegotiation.reason IS 'Why: the reason of the forced change.';
COMMENT ON COLUMN sacrosanct.renegotiation.status IS 'open; agreed (a new promise the schedule backs); cancelled (the order was cancelled, done or deleted).';
COMMENT ON COLUMN sacrosanct.renegotiation.created_at IS 'When the order was put at risk.';
COMMENT ON COLUMN sacrosanct.renegotiation.source IS 'The guarded table of the order.';
COMMENT ON COLUMN sacrosanct.renegotiation.resolved_at IS 'When it was agreed or cancelled.';

-------------------------------------------------------------------------------
-- pg_dump keeps the user data the extension's tables hold.
-------------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('sacrosanct.calendar', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.calendar_window', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.calendar_holiday', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.resource', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.product', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.routing', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.capacity_change', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.orders', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.demand', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.load', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.plan_log', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.renegotiation', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.delivery', '');

-- BEGIN pipeline
-------------------------------------------------------------------------------
-- The divided-labor pipeline (DESIGN.md §4): a customer's case (work_item)
-- travels from stage to stage through handoffs; each stage is owned by a
-- role.  The rules hold for every writer: the functions below run their DML
-- as the caller, and C triggers check that DML and any other (a CRM writing
-- work_item and handoff directly).  History is append-only: a handoff row is
-- written once and completed once (accepted or returned); stage_visit and
-- item_event are written only by sacrosanct.  Purely additive: this section
-- is also the pipeline's part of the 0.1.0 -> 0.2.0 upgrade script.
-------------------------------------------------------------------------------

-- Ids of work items and handoffs come from one sequence, so an id names
-- exactly one of them (escalate() returns both kinds).
CREATE SEQUENCE sacrosanct.pipeline_id;
COMMENT ON SEQUENCE sacrosanct.pipeline_id IS
    'Ids of work items and handoffs: one sequence, so that an id names exactly one of them.';
CREATE SEQUENCE sacrosanct.pipeline_log_id;
COMMENT ON SEQUENCE sacrosanct.pipeline_log_id IS 'Ids of stage visits and item events.';

CREATE TABLE sacrosanct.stage (
    code            text COLLATE "C" PRIMARY KEY
                    -- lowercase, so that LISTEN sacrosanct_<code> needs no quotes and fits 63 bytes
                    CONSTRAINT stage_code CHECK (code ~ '^[a-z][a-z0-9_]{0,51}$'),
    name            text,
    role            regrole,
    accept_within   interval CONSTRAINT stage_accept_within CHECK (accept_within > '0'),
    complete_within interval CONSTRAINT stage_complete_within CHECK (complete_within > '0'),
    wip_limit       int CONSTRAINT stage_wip_limit CHECK (wip_limit >= 0),
    needs_backed_order boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE sacrosanct.stage IS
    'A specialist role''s stage: members of role own the items in it; accept_within and complete_within are its two clocks (NULL: none); wip_limit caps the items it holds (NULL: none); needs_backed_order: a handoff into it must name an open, backed order.';
COMMENT ON COLUMN sacrosanct.stage.code IS 'The stage''s code: lowercase letters, digits and _, at most 52 characters, so that LISTEN sacrosanct_<code> needs no quotes.';
COMMENT ON COLUMN sacrosanct.stage.name IS 'A name for people to read; NULL: none; sacrosanct does not read it.';
COMMENT ON COLUMN sacrosanct.stage.role IS 'The role whose members own the stage''s work items (hand them off, close them) and accept or return offers into it; NULL: nobody may, superusers included.';
COMMENT ON COLUMN sacrosanct.stage.accept_within IS 'How long an offer into the stage may wait to be accepted: a handoff''s due_at is offered_at + accept_within; NULL: no deadline.';
COMMENT ON COLUMN sacrosanct.stage.complete_within IS 'How long a work item may stay in the stage before its stay is overdue (sla_breach, escalate()); NULL: no limit.';
COMMENT ON COLUMN sacrosanct.stage.wip_limit IS 'The most open work items the stage may own: an accept or an opening beyond it is refused (SC004), offers still queue; NULL: no limit.';
COMMENT ON COLUMN sacrosanct.stage.needs_backed_order IS 'true: a handoff into the stage must name in its context (order_key, optionally order_table) an open order the schedule backs, not at risk and not late.';

CREATE TABLE sacrosanct.transition (
    from_stage       text COLLATE "C" NOT NULL REFERENCES sacrosanct.stage ON DELETE CASCADE,
    to_stage         text COLLATE "C" NOT NULL REFERENCES sacrosanct.stage ON DELETE CASCADE,
    required_context text[] NOT NULL DEFAULT '{}'
                     CONSTRAINT transition_required_context
                     CHECK (pg_catalog.array_position(required_context, NULL) IS NULL
                            AND '' <> ALL (required_context)),
    PRIMARY KEY (from_stage, to_stage),
    CONSTRAINT transition_not_to_itself CHECK (from_stage <> to_stage)
);
COMMENT ON TABLE sacrosanct.transition IS
    'Allowed handoffs, and the context keys each must carry with a non-empty value.';
COMMENT ON COLUMN sacrosanct.transition.from_stage IS 'The stage that offers (stage.code).';
COMMENT ON COLUMN sacrosanct.transition.to_stage IS 'The stage offered to (stage.code), never from_stage.';
COMMENT ON COLUMN sacrosanct.transition.required_context IS 'The keys a handoff''s context must carry with a value that is not null, blank, [] or {}; empty: none.';

CREATE TABLE sacrosanct.work_item (
    id           bigint PRIMARY KEY,
    customer     text NOT NULL CONSTRAINT work_item_customer CHECK (customer <> ''),
    title        text NOT NULL CONSTRAINT work_item_title CHECK (title <> ''),
    stage        text COLLATE "C" NOT NULL REFERENCES sacrosanct.stage,
    accountable  regrole,
    context      jsonb NOT NULL DEFAULT '{}'
                 CONSTRAINT work_item_context CHECK (pg_catalog.jsonb_typeof(context) = 'object'),
    opened_at    timestamptz NOT NULL,
    opened_by    name NOT NULL,
    entered_at   timestamptz NOT NULL,
    open_handoff bigint,
    visited      text[] COLLATE "C" NOT NULL,
    closed_at    timestamptz,
    closed_by    name,
    outcome      text CONSTRAINT work_item_outcome CHECK (outcome <> ''),
    order_key    text COLLATE "C",
    order_table  regclass,
    CONSTRAINT work_item_closed CHECK ((closed_at IS NULL) = (outcome IS NULL))
);
COMMENT ON TABLE sacrosanct.work_item IS
    'One customer''s case, end to end: stage owns it (moves only when a handoff is accepted), accountable stays through every handoff. Open one with INSERT (customer, title, context, accountable, stage) or open_item(); close it by setting outcome or with close_item(). sacrosanct fills every other column.';
COMMENT ON COLUMN sacrosanct.work_item.id IS 'The work item''s number, from the sequence pipeline_id that handoffs share; filled by sacrosanct.';
COMMENT ON COLUMN sacrosanct.work_item.customer IS 'The customer the case is for: not empty, never changed.';
COMMENT ON COLUMN sacrosanct.work_item.title IS 'What the case is about: not empty, never changed.';
COMMENT ON COLUMN sacrosanct.work_item.stage IS 'The stage that owns the item; changed only by an accepted handoff (an INSERT that leaves it out opens the item in the one stage whose role the writer has).';
COMMENT ON COLUMN sacrosanct.work_item.accountable IS 'A role accountable for the whole journey (an account manager), kept through every handoff; NULL: none; changed only by members of the owning stage''s role or of the accountable role.';
COMMENT ON COLUMN sacrosanct.work_item.context IS 'The facts given when the item was opened, a JSON object; never changed: later facts travel in handoff contexts.';
COMMENT ON COLUMN sacrosanct.work_item.opened_at IS 'When it was opened: the start of the opening transaction; filled by sacrosanct.';
COMMENT ON COLUMN sacrosanct.work_item.opened_by IS 'Who opened it (current_user); filled by sacrosanct.';
COMMENT ON COLUMN sacrosanct.work_item.entered_at IS 'When it entered the stage that owns it now (its opening, or the accept that brought it); filled by sacrosanct.';
COMMENT ON COLUMN sacrosanct.work_item.open_handoff IS 'Its handoff that is offered and not yet answered, at most one; NULL: none.';
COMMENT ON COLUMN sacrosanct.work_item.visited IS 'Every stage it has been in or been offered to, in the order first reached; row-level security shows the item to those stages'' members.';
COMMENT ON COLUMN sacrosanct.work_item.closed_at IS 'When it was closed; NULL: open.';
COMMENT ON COLUMN sacrosanct.work_item.closed_by IS 'Who closed it (current_user); NULL: open.';
COMMENT ON COLUMN sacrosanct.work_item.outcome IS 'How the case ended, not empty: setting it (or close_item()) closes the item; NULL: open.';
COMMENT ON COLUMN sacrosanct.work_item.order_key IS 'The order named by the latest offer into a stage that needs a backed order (kept when that offer is returned); NULL: none; one open item at most carries a key.';
COMMENT ON COLUMN sacrosanct.work_item.order_table IS 'The guarded table of that order when the offer''s context named its order_table; NULL otherwise.';
CREATE INDEX work_item_open_stage ON sacrosanct.work_item (stage) WHERE closed_at IS NULL;
CREATE UNIQUE INDEX work_item_open_order ON sacrosanct.work_item (order_key)
    WHERE closed_at IS NULL AND order_key IS NOT NULL;

CREATE TABLE sacrosanct.handoff (
    id              bigint PRIMARY KEY,
    item            bigint NOT NULL REFERENCES sacrosanct.work_item,
    from_stage      text COLLATE "C" NOT NULL REFERENCES sacrosanct.stage,
    to_stage        text COLLATE "C" NOT NULL REFERENCES sacrosanct.stage,
    context         jsonb NOT NULL DEFAULT '{}'
                    CONSTRAINT handoff_context CHECK (pg_catalog.jsonb_typeof(context) = 'object'),
    state           text NOT NULL DEFAULT 'offered'
                    CONSTRAINT handoff_state CHECK (state IN ('offered', 'accepted', 'returned')),
    offered_by      name NOT NULL,
    offered_at      timestamptz NOT NULL,
    due_at          timestamptz,
    accepted_by     name,
    accepted_at     timestamptz,
    returned_by     name,
    returned_at     timestamptz,
    returned_reason text,
    escalated_at    timestamptz,
    by_sacrosanct   boolean NOT NULL DEFAULT false,
    CONSTRAINT handoff_not_to_itself CHECK (from_stage <> to_stage),
    CONSTRAINT handoff_accepted CHECK ((state = 'accepted') = (accepted_at IS NOT NULL)),
    CONSTRAINT handoff_returned CHECK ((state = 'returned') = (returned_at IS NOT NULL))
);
COMMENT ON TABLE sacrosanct.handoff IS
    'One handoff of a work item: offered (INSERT item, to_stage, context, or hand_off()), then accepted (UPDATE state = ''accepted'', or accept()) or returned with a reason (UPDATE state = ''returned'', returned_reason, or send_back()). due_at = offered_at + the target stage''s accept_within. by_sacrosanct: made by sacrosanct itself on behalf of offered_by (an order put at risk).';
COMMENT ON COLUMN sacrosanct.handoff.id IS 'The handoff''s number, from the sequence pipeline_id that work items share; filled by sacrosanct.';
COMMENT ON COLUMN sacrosanct.handoff.item IS 'The work item handed off.';
COMMENT ON COLUMN sacrosanct.handoff.from_stage IS 'The stage that offers it, the item''s owner at the offer; filled by sacrosanct.';
COMMENT ON COLUMN sacrosanct.handoff.to_stage IS 'The stage it is offered to: a transition from from_stage must allow it.';
COMMENT ON COLUMN sacrosanct.handoff.context IS 'What the offer carries, a JSON object: at least the transition''s required_context keys, and order_key into a stage that needs a backed order.';
COMMENT ON COLUMN sacrosanct.handoff.state IS 'offered (waiting for to_stage), accepted (the item moved to to_stage) or returned (sent back with a reason; from_stage keeps the item); answered once.';
COMMENT ON COLUMN sacrosanct.handoff.offered_by IS 'Who offered it (current_user; for a handoff by sacrosanct, the role it acted for); filled by sacrosanct.';
COMMENT ON COLUMN sacrosanct.handoff.offered_at IS 'When it was offered: the start of the offering transaction; filled by sacrosanct.';
COMMENT ON COLUMN sacrosanct.handoff.due_at IS 'When the offer is late: offered_at + to_stage''s accept_within, fixed at the offer; NULL: that stage has no accept clock.';
COMMENT ON COLUMN sacrosanct.handoff.accepted_by IS 'Who accepted it (current_user); NULL: not accepted.';
COMMENT ON COLUMN sacrosanct.handoff.accepted_at IS 'When it was accepted: the start of the accepting transaction; NULL: not accepted.';
COMMENT ON COLUMN sacrosanct.handoff.returned_by IS 'Who sent it back (current_user, or the role sacrosanct acted for when an order put at risk took the item elsewhere); NULL: not returned.';
COMMENT ON COLUMN sacrosanct.handoff.returned_at IS 'When it was sent back: the start of that transaction; NULL: not returned.';
COMMENT ON COLUMN sacrosanct.handoff.returned_reason IS 'Why it was sent back, required and not blank for a return; NULL otherwise.';
COMMENT ON COLUMN sacrosanct.handoff.escalated_at IS 'When escalate() found it still offered past due_at (once); NULL: not escalated.';
COMMENT ON COLUMN sacrosanct.handoff.by_sacrosanct IS 'true: sacrosanct made the offer itself, to customer_service for an order put at risk, on behalf of offered_by.';
CREATE UNIQUE INDEX handoff_one_open ON sacrosanct.handoff (item) WHERE state = 'offered';
CREATE INDEX handoff_item ON sacrosanct.handoff (item);
CREATE INDEX handoff_due ON sacrosanct.handoff (due_at)
    WHERE state = 'offered' AND escalated_at IS NULL;

CREATE TABLE sacrosanct.stage_visit (
    id           bigint PRIMARY KEY,
    item         bigint NOT NULL REFERENCES sacrosanct.work_item,
    stage        text COLLATE "C" NOT NULL REFERENCES sacrosanct.stage,
    via_handoff  bigint REFERENCES sacrosanct.handoff,
    entered_at   timestamptz NOT NULL,
    entered_by   name NOT NULL,
    left_at      timestamptz,
    escalated_at timestamptz
);
COMMENT ON TABLE sacrosanct.stage_visit IS
    'Written only by sacrosanct: each stay of a work item in a stage, from opening or the accepted handoff that brought it (via_handoff) until the next accept or closing; escalated_at when it outstayed the stage''s complete_within.';
COMMENT ON COLUMN sacrosanct.stage_visit.id IS 'The stay''s number, from the sequence pipeline_log_id.';
COMMENT ON COLUMN sacrosanct.stage_visit.item IS 'The work item that stayed.';
COMMENT ON COLUMN sacrosanct.stage_visit.stage IS 'The stage it stayed in.';
COMMENT ON COLUMN sacrosanct.stage_visit.via_handoff IS 'The accepted handoff that brought it in; NULL: it was opened there.';
COMMENT ON COLUMN sacrosanct.stage_visit.entered_at IS 'When the stay began: the start of the transaction that opened the item or accepted the handoff.';
COMMENT ON COLUMN sacrosanct.stage_visit.entered_by IS 'Who opened the item in the stage or accepted it into it (current_user).';
COMMENT ON COLUMN sacrosanct.stage_visit.left_at IS 'When the stay ended, by an accept into another stage or the closing; NULL: the item is still there.';
COMMENT ON COLUMN sacrosanct.stage_visit.escalated_at IS 'When escalate() found the stay longer than the stage''s complete_within (once); NULL: not escalated.';
CREATE UNIQUE INDEX stage_visit_current ON sacrosanct.stage_visit (item) WHERE left_at IS NULL;
CREATE INDEX stage_visit_item ON sacrosanct.stage_visit (item);
CREATE INDEX stage_visit_open ON sacrosanct.stage_visit (stage, entered_at)
    WHERE left_at IS NULL AND escalated_at IS NULL;

CREATE TABLE sacrosanct.item_event (
    id                bigint PRIMARY KEY,
    item              bigint NOT NULL REFERENCES sacrosanct.work_item,
    handoff           bigint REFERENCES sacrosanct.handoff,
    event             text NOT NULL
                      CONSTRAINT item_event_event CHECK (event IN ('opened', 'offered', 'accepted', 'returned',
                                                                  'escalated', 'overdue', 'closed',
                                                                  'accountable', 'order_at_risk')),
    stage             text COLLATE "C" NOT NULL,
    at                timestamptz NOT NULL,
    session_user_name name NOT NULL,
    current_user_name name NOT NULL,
    by_sacrosanct     boolean NOT NULL DEFAULT false,
    detail            jsonb
);
COMMENT ON TABLE sacrosanct.item_event IS
    'Written only by sacrosanct, never changed: every state change of a work item, with when, session_user and current_user; by_sacrosanct marks what sacrosanct did itself on their behalf.';
COMMENT ON COLUMN sacrosanct.item_event.id IS 'The event''s number, from the sequence pipeline_log_id, in the order events were written.';
COMMENT ON COLUMN sacrosanct.item_event.item IS 'The work item it happened to.';
COMMENT ON COLUMN sacrosanct.item_event.handoff IS 'The handoff it is about (offered, accepted, returned, escalated; order_at_risk while one is open); NULL for opened, overdue, closed and accountable.';
COMMENT ON COLUMN sacrosanct.item_event.event IS 'What happened: opened, offered, accepted, returned, escalated (an offer past due_at), overdue (a stay past complete_within), closed, accountable (changed) or order_at_risk.';
COMMENT ON COLUMN sacrosanct.item_event.stage IS 'The stage concerned: the one opened, closed or overdue in; offered to, accepted into, or escalated as the late offer''s target; for returned the offering stage, which keeps the item; for accountable and order_at_risk the owning stage.';
COMMENT ON COLUMN sacrosanct.item_event.at IS 'When: the start of the transaction that made the change.';
COMMENT ON COLUMN sacrosanct.item_event.session_user_name IS 'The session user: who was logged in.';
COMMENT ON COLUMN sacrosanct.item_event.current_user_name IS 'The role that acted (current_user), or, for what sacrosanct did itself, the role it acted for.';
COMMENT ON COLUMN sacrosanct.item_event.by_sacrosanct IS 'true: sacrosanct made the change itself (an order put at risk), on behalf of current_user_name.';
COMMENT ON COLUMN sacrosanct.item_event.detail IS 'The event''s facts as a JSON object (from, to, reason, outcome, due_at, renegotiation, ...); NULL for opened.';
CREATE INDEX item_event_item ON sacrosanct.item_event (item);

-------------------------------------------------------------------------------
-- Pipeline triggers: the rules for every writer
-------------------------------------------------------------------------------

CREATE FUNCTION sacrosanct.work_item_rules() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_work_item_rules' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.work_item_rules() IS
    'Internal: the BEFORE row trigger of work_item that holds every writer to the pipeline''s rules (open only in a stage of the writer''s role and within its WIP limit; close only as the owning stage, with no open handoff; never change stage, customer, title or context; never DELETE) and fills the columns sacrosanct keeps (SC004 otherwise).';
CREATE FUNCTION sacrosanct.work_item_journal() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_work_item_journal' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.work_item_journal() IS
    'Internal: the AFTER row trigger of work_item that journals an opening, a closing or a change of accountable: the stage visit it begins or ends and an item_event.';
CREATE FUNCTION sacrosanct.handoff_rules() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_handoff_rules' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.handoff_rules() IS
    'Internal: the BEFORE row trigger of handoff that holds every writer to the pipeline''s rules (offer only as the owning stage, along a transition, with the required context and a backed order where needed, one open handoff per item; accept or return only as the target stage, once, a return with a reason, an accept within the WIP limit; never DELETE) and fills who, when and due_at (SC004 otherwise).';
CREATE FUNCTION sacrosanct.handoff_journal() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_handoff_journal' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.handoff_journal() IS
    'Internal: the AFTER row trigger of handoff that journals an offer, accept or return: the work item''s open handoff, stage, visited stages and order, its stage visits, an item_event, and the NOTIFY sacrosanct_<stage>.';
CREATE FUNCTION sacrosanct.pipeline_history() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_pipeline_history' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.pipeline_history() IS
    'Internal: the BEFORE statement trigger that refuses every SQL write to stage_visit and item_event and any TRUNCATE of a pipeline table (SC004): the history is written only by sacrosanct.';
REVOKE EXECUTE ON FUNCTION sacrosanct.work_item_rules() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sacrosanct.work_item_journal() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sacrosanct.handoff_rules() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sacrosanct.handoff_journal() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sacrosanct.pipeline_history() FROM PUBLIC;

-- BEFORE: check the rules and fill what sacrosanct maintains.  AFTER: journal
-- the change (stage visits, item events, the item's current state, NOTIFY),
-- after, so that a row that is not written after all (ON CONFLICT DO
-- NOTHING) leaves nothing behind.  These triggers are enabled the ordinary
-- way: a superuser session with session_replication_role = replica (logical
-- replication applying rows checked at their origin) skips them, and a
-- restore takes the rows as they were dumped (see "Dump and restore").
CREATE TRIGGER sacrosanct_rules
    BEFORE INSERT OR UPDATE OR DELETE ON sacrosanct.work_item
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.work_item_rules();
CREATE TRIGGER sacrosanct_journal
    AFTER INSERT OR UPDATE ON sacrosanct.work_item
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.work_item_journal();
CREATE TRIGGER sacrosanct_rules
    BEFORE INSERT OR UPDATE OR DELETE ON sacrosanct.handoff
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.handoff_rules();
CREATE TRIGGER sacrosanct_journal
    AFTER INSERT OR UPDATE ON sacrosanct.handoff
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.handoff_journal();
CREATE TRIGGER sacrosanct_history
    BEFORE TRUNCATE ON sacrosanct.work_item
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.pipeline_history();
CREATE TRIGGER sacrosanct_history
    BEFORE TRUNCATE ON sacrosanct.handoff
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.pipeline_history();
CREATE TRIGGER sacrosanct_history
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON sacrosanct.stage_visit
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.pipeline_history();
CREATE TRIGGER sacrosanct_history
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON sacrosanct.item_event
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.pipeline_history();

-------------------------------------------------------------------------------
-- Row-level security: a stage's members see the items that are or were in
-- their stage (offered to it included); members of an item's accountable
-- role see it; sacrosanct_scheduler sees everything.  The same predicate
-- filters the pipeline views (see there).
-------------------------------------------------------------------------------

CREATE FUNCTION sacrosanct.pipeline_sees(visited text[], accountable regrole) RETURNS boolean
    AS 'MODULE_PATHNAME', 'sacrosanct_pipeline_sees'
    LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION sacrosanct.pipeline_sees(text[], regrole) IS
    'Row-level security of the pipeline: may the current user see a work item that visited these stages with this accountable role?';
REVOKE EXECUTE ON FUNCTION sacrosanct.pipeline_sees(text[], regrole) FROM PUBLIC;

ALTER TABLE sacrosanct.work_item ENABLE ROW LEVEL SECURITY;
ALTER TABLE sacrosanct.handoff ENABLE ROW LEVEL SECURITY;
ALTER TABLE sacrosanct.stage_visit ENABLE ROW LEVEL SECURITY;
ALTER TABLE sacrosanct.item_event ENABLE ROW LEVEL SECURITY;
-- WITH CHECK (true): who may write which row is the triggers' to decide
-- (they refuse with SC004 and say why).  A row written must still be one
-- the writer may see: PostgreSQL checks the new row against the USING
-- expression when the statement reads the table (WHERE, RETURNING).
CREATE POLICY work_item_seen ON sacrosanct.work_item
    USING (sacrosanct.pipeline_sees(visited, accountable)) WITH CHECK (true);
CREATE POLICY handoff_seen ON sacrosanct.handoff
    USING (EXISTS (SELECT FROM sacrosanct.work_item w WHERE w.id = item)) WITH CHECK (true);
CREATE POLICY stage_visit_seen ON sacrosanct.stage_visit
    USING (EXISTS (SELECT FROM sacrosanct.work_item w WHERE w.id = item));
CREATE POLICY item_event_seen ON sacrosanct.item_event
    USING (EXISTS (SELECT FROM sacrosanct.work_item w WHERE w.id = item));

-------------------------------------------------------------------------------
-- Pipeline functions.  SECURITY INVOKER: each runs its DML as the caller,
-- through the triggers above.
-------------------------------------------------------------------------------

CREATE FUNCTION sacrosanct.open_item(customer text, title text, context jsonb DEFAULT '{}',
                                     accountable regrole DEFAULT NULL)
    RETURNS bigint AS 'MODULE_PATHNAME', 'sacrosanct_open_item' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.open_item(text, text, jsonb, regrole) IS
    'Open a work item in the caller''s stage (the one stage whose role current_user has; SET ROLE to a stage''s role to choose); returns its id.';
CREATE FUNCTION sacrosanct.hand_off(item bigint, to_stage text, context jsonb DEFAULT '{}')
    RETURNS bigint AS 'MODULE_PATHNAME', 'sacrosanct_hand_off' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.hand_off(bigint, text, jsonb) IS
    'Offer a work item to another stage; the sender''s stage owns it until the offer is accepted. Returns the handoff id.';
CREATE FUNCTION sacrosanct.accept(handoff bigint)
    RETURNS void AS 'MODULE_PATHNAME', 'sacrosanct_accept' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.accept(bigint) IS
    'Accept an offered handoff: the work item moves into the target stage (refused beyond its wip_limit).';
CREATE FUNCTION sacrosanct.send_back(handoff bigint, reason text)
    RETURNS void AS 'MODULE_PATHNAME', 'sacrosanct_send_back' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.send_back(bigint, text) IS
    'Return an offered handoff with a reason; the sender''s stage keeps the work item.';
CREATE FUNCTION sacrosanct.close_item(item bigint, outcome text)
    RETURNS void AS 'MODULE_PATHNAME', 'sacrosanct_close_item' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.close_item(bigint, text) IS
    'Close a work item with an outcome; only its owning stage may, and not while a handoff is open.';
CREATE FUNCTION sacrosanct.escalate()
    RETURNS SETOF bigint AS 'MODULE_PATHNAME', 'sacrosanct_escalate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sacrosanct.escalate() IS
    'Mark offered handoffs past due_at and work items past their stage''s complete_within as escalated, once each, with a NOTIFY; returns their ids (handoff ids, then work item ids). Run it every minute with pg_cron.';
REVOKE EXECUTE ON FUNCTION sacrosanct.open_item(text, text, jsonb, regrole) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sacrosanct.hand_off(bigint, text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sacrosanct.accept(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sacrosanct.send_back(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sacrosanct.close_item(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sacrosanct.escalate() FROM PUBLIC;

-- The six default stages and the transitions of DESIGN.md §4.  Stages and
-- transitions that exist already are left as they are (edits survive), and
-- a stage gets the role sacrosanct_<code> when that role exists and the
-- stage has none, so default_pipeline() and create_roles() work in either
-- order.
CREATE FUNCTION sacrosanct.default_pipeline() RETURNS void
    LANGUAGE sql SECURITY INVOKER SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO sacrosanct.stage (code, name, accept_within, complete_within, needs_backed_order)
    VALUES ('marketing', 'Marketing: starts conversations', '1 day', '14 days', false),
           ('sales', 'Sales: persuades', '4 hours', '30 days', false),
           ('engineering', 'Pre-order engineering: solution design and proposals', '1 day', '10 days', false),
           ('scheduling', 'Scheduling: promises dates the schedule backs', '4 hours', '2 days', false),
           ('operations', 'Operations: fulfilment and account management', '1 day', NULL, true),
           ('customer_service', 'Customer service: ordinary transactions', '4 hours', '5 days', false)
    ON CONFLICT (code) DO NOTHING;
    UPDATE sacrosanct.stage s
       SET role = pg_catalog.to_regrole('sacrosanct_' OPERATOR(pg_catalog.||) s.code)
     WHERE s.role IS NULL
       AND s.code OPERATOR(pg_catalog.=) ANY ('{marketing,sales,engineering,scheduling,operations,customer_service}')
       AND pg_catalog.to_regrole('sacrosanct_' OPERATOR(pg_catalog.||) s.code) IS NOT NULL;
    INSERT INTO sacrosanct.transition (from_stage, to_stage, required_context)
    VALUES ('marketing', 'sales', '{}'),
           ('sales', 'marketing', '{}'),
           ('sales', 'engineering', '{requirements}'),
           ('engineering', 'sales', '{}'),
           ('sales', 'scheduling', '{}'),
           ('customer_service', 'scheduling', '{}'),
           ('customer_service', 'sales', '{}'),
           ('scheduling', 'operations', '{order_key}'),
           ('operations', 'customer_service', '{}')
    ON CONFLICT (from_stage, to_stage) DO NOTHING;
$$;
COMMENT ON FUNCTION sacrosanct.default_pipeline() IS
    'Install the six default stages and their transitions; existing rows are kept, so calling it again is harmless.';
REVOKE EXECUTE ON FUNCTION sacrosanct.default_pipeline() FROM PUBLIC;


-------------------------------------------------------------------------------
-- Pipeline views (DESIGN.md §5).  They read the tables with their owner's
-- rights, so that sacrosanct_reader needs no grant on a table, and apply the
-- tables' row-level-security predicate themselves (security_barrier keeps a
-- caller's own functions from seeing rows first).  security_invoker would
-- make the reader need SELECT on the tables, which it must not have.  Ages
-- and delays are measured at the start of the statement (as escalate()
-- does), not of a long transaction.
-------------------------------------------------------------------------------

CREATE VIEW sacrosanct.pipeline_wip WITH (security_barrier = true) AS
    SELECT s.code AS stage,
           s.role::text AS role,
           pg_catalog.count(w.id) FILTER (WHERE w.stage = s.code) AS items,
           pg_catalog.count(w.id) FILTER (WHERE w.stage <> s.code) AS queued,
           pg_catalog.round((EXTRACT(epoch FROM pg_catalog.statement_timestamp()
                                - pg_catalog.min(w.entered_at) FILTER (WHERE w.stage = s.code))
                             / 60)::numeric, 1) AS oldest_age_minutes,
           s.wip_limit,
           COALESCE(pg_catalog.count(w.id) FILTER (WHERE w.stage = s.code) > s.wip_limit, false)
               AS over_wip_limit
      FROM sacrosanct.stage s
      LEFT JOIN (SELECT wi.id, wi.stage, wi.entered_at, h.to_stage
                   FROM sacrosanct.work_item wi
                   LEFT JOIN sacrosanct.handoff h ON h.id = wi.open_handoff
                  WHERE wi.closed_at IS NULL
                    AND sacrosanct.pipeline_sees(wi.visited, wi.accountable)) w
        ON w.stage = s.code OR w.to_stage = s.code
     GROUP BY s.code, s.role, s.wip_limit;
COMMENT ON VIEW sacrosanct.pipeline_wip IS
    'One row per stage: the open work items it owns, the offers queued in front of it, how long the oldest has been in it, and whether it holds more than its WIP limit. Counts what the reader may see.';
COMMENT ON COLUMN sacrosanct.pipeline_wip.stage IS 'The stage''s code.';
COMMENT ON COLUMN sacrosanct.pipeline_wip.role IS 'The role whose members own the stage''s items (NULL: none yet).';
COMMENT ON COLUMN sacrosanct.pipeline_wip.items IS 'Open work items the stage owns now.';
COMMENT ON COLUMN sacrosanct.pipeline_wip.queued IS 'Open work items offered to the stage and not yet accepted (still owned by their sender).';
COMMENT ON COLUMN sacrosanct.pipeline_wip.oldest_age_minutes IS 'Minutes since the longest-held of its items entered the stage (NULL: none).';
COMMENT ON COLUMN sacrosanct.pipeline_wip.wip_limit IS 'The stage''s WIP limit (NULL: none).';
COMMENT ON COLUMN sacrosanct.pipeline_wip.over_wip_limit IS 'True when the stage holds more items than its WIP limit (the limit was lowered under it).';

CREATE VIEW sacrosanct.handoff_latency WITH (security_barrier = true) AS
    SELECT h.from_stage,
           h.to_stage,
           pg_catalog.count(*) AS handoffs,
           pg_catalog.count(*) FILTER (WHERE h.state = 'accepted') AS accepted,
           pg_catalog.count(*) FILTER (WHERE h.state = 'returned') AS returned,
           pg_catalog.count(*) FILTER (WHERE h.state = 'offered') AS offered,
           pg_catalog.round((pg_catalog.percentile_cont(0.5) WITHIN GROUP
                   (ORDER BY EXTRACT(epoch FROM h.accepted_at - h.offered_at))
                   FILTER (WHERE h.state = 'accepted') / 60)::numeric, 1) AS p50_accept_minutes,
           pg_catalog.round((pg_catalog.percentile_cont(0.9) WITHIN GROUP
                   (ORDER BY EXTRACT(epoch FROM h.accepted_at - h.offered_at))
                   FILTER (WHERE h.state = 'accepted') / 60)::numeric, 1) AS p90_accept_minutes,
           pg_catalog.round(100.0 * pg_catalog.count(*) FILTER (WHERE h.state = 'returned')
                 / NULLIF(pg_catalog.count(*) FILTER (WHERE h.state <> 'offered'), 0), 1) AS return_rate_pct
      FROM sacrosanct.handoff h
      JOIN sacrosanct.work_item w ON w.id = h.item
     WHERE sacrosanct.pipeline_sees(w.visited, w.accountable)
     GROUP BY h.from_stage, h.to_stage;
COMMENT ON VIEW sacrosanct.handoff_latency IS
    'One row per stage pair that has handoffs: how long offers wait to be accepted (percentiles), and how often they are returned.';
COMMENT ON COLUMN sacrosanct.handoff_latency.from_stage IS 'The sending stage.';
COMMENT ON COLUMN sacrosanct.handoff_latency.to_stage IS 'The receiving stage.';
COMMENT ON COLUMN sacrosanct.handoff_latency.handoffs IS 'Handoffs offered from from_stage to to_stage.';
COMMENT ON COLUMN sacrosanct.handoff_latency.accepted IS 'Of those, accepted.';
COMMENT ON COLUMN sacrosanct.handoff_latency.returned IS 'Of those, returned with a reason.';
COMMENT ON COLUMN sacrosanct.handoff_latency.offered IS 'Of those, still offered.';
COMMENT ON COLUMN sacrosanct.handoff_latency.p50_accept_minutes IS 'Median minutes from offered to accepted, over accepted handoffs (NULL: none accepted).';
COMMENT ON COLUMN sacrosanct.handoff_latency.p90_accept_minutes IS '90th percentile of minutes from offered to accepted (NULL: none accepted).';
COMMENT ON COLUMN sacrosanct.handoff_latency.return_rate_pct IS 'Returned as a percentage of the handoffs answered (accepted or returned); NULL when none is answered yet.';

CREATE VIEW sacrosanct.sla_breach WITH (security_barrier = true) AS
    SELECT 'accept'::text AS clock,
           h.item,
           w.customer,
           h.to_stage AS stage,
           h.id AS handoff,
           h.due_at,
           COALESCE(h.accepted_at, h.returned_at) AS resolved_at,
           pg_catalog.round((EXTRACT(epoch FROM COALESCE(h.accepted_at, h.returned_at, pg_catalog.statement_timestamp())
                                               - h.due_at) / 60)::numeric, 1) AS late_by_minutes,
           h.escalated_at
      FROM sacrosanct.handoff h
      JOIN sacrosanct.work_item w ON w.id = h.item
     WHERE h.due_at < COALESCE(h.accepted_at, h.returned_at, pg_catalog.statement_timestamp())
       AND sacrosanct.pipeline_sees(w.visited, w.accountable)
    UNION ALL
    SELECT 'complete'::text,
           v.item,
           w.customer,
           v.stage,
           v.via_handoff,
           v.entered_at + s.complete_within,
           v.left_at,
           pg_catalog.round((EXTRACT(epoch FROM COALESCE(v.left_at, pg_catalog.statement_timestamp())
                                               - (v.entered_at + s.complete_within)) / 60)::numeric, 1),
           v.escalated_at
      FROM sacrosanct.stage_visit v
      JOIN sacrosanct.stage s ON s.code = v.stage
      JOIN sacrosanct.work_item w ON w.id = v.item
     WHERE v.entered_at + s.complete_within < COALESCE(v.left_at, pg_catalog.statement_timestamp())
       AND sacrosanct.pipeline_sees(w.visited, w.accountable);
COMMENT ON VIEW sacrosanct.sla_breach IS
    'One row per broken clock: a handoff accepted or returned after its due_at, or still offered past it (clock accept), and a stay in a stage longer than the stage''s complete_within (clock complete).';
COMMENT ON COLUMN sacrosanct.sla_breach.clock IS 'accept: offered -> accepted took longer than the target stage''s accept_within; complete: the item stayed in the stage longer than its complete_within.';
COMMENT ON COLUMN sacrosanct.sla_breach.item IS 'The work item.';
COMMENT ON COLUMN sacrosanct.sla_breach.customer IS 'The work item''s customer.';
COMMENT ON COLUMN sacrosanct.sla_breach.stage IS 'The stage whose clock broke: the handoff''s target, or the stage stayed in.';
COMMENT ON COLUMN sacrosanct.sla_breach.handoff IS 'The late handoff (accept), or the handoff that brought the item into the stage (complete; NULL: opened there).';
COMMENT ON COLUMN sacrosanct.sla_breach.due_at IS 'When the clock ran out.';
COMMENT ON COLUMN sacrosanct.sla_breach.resolved_at IS 'When the handoff was answered or the item left the stage (NULL: still late now).';
COMMENT ON COLUMN sacrosanct.sla_breach.late_by_minutes IS 'Minutes past due_at, until resolved_at or now.';
COMMENT ON COLUMN sacrosanct.sla_breach.escalated_at IS 'When escalate() escalated it (NULL: not yet).';

CREATE VIEW sacrosanct.item_journey WITH (security_barrier = true) AS
    SELECT v.item,
           w.customer,
           pg_catalog.row_number() OVER (PARTITION BY v.item ORDER BY v.entered_at, v.id) AS visit,
           v.stage,
           v.entered_at,
           v.left_at,
           pg_catalog.round((EXTRACT(epoch FROM COALESCE(v.left_at, pg_catalog.statement_timestamp()) - v.entered_at)
                             / 60)::numeric, 1) AS dwell_minutes,
           v.entered_by AS owner,
           v.via_handoff,
           v.escalated_at
      FROM sacrosanct.stage_visit v
      JOIN sacrosanct.work_item w ON w.id = v.item
     WHERE sacrosanct.pipeline_sees(w.visited, w.accountable);
COMMENT ON VIEW sacrosanct.item_journey IS
    'One row per stay of a work item in a stage, in order: the customer''s journey, who took it in, and how long it stayed.';
COMMENT ON COLUMN sacrosanct.item_journey.item IS 'The work item.';
COMMENT ON COLUMN sacrosanct.item_journey.customer IS 'The work item''s customer.';
COMMENT ON COLUMN sacrosanct.item_journey.visit IS 'The stay''s number in the item''s journey, from 1.';
COMMENT ON COLUMN sacrosanct.item_journey.stage IS 'The stage stayed in.';
COMMENT ON COLUMN sacrosanct.item_journey.entered_at IS 'When the item was opened in the stage or a handoff into it was accepted.';
COMMENT ON COLUMN sacrosanct.item_journey.left_at IS 'When a handoff out of the stage was accepted or the item was closed (NULL: still there).';
COMMENT ON COLUMN sacrosanct.item_journey.dwell_minutes IS 'Minutes in the stage, until left_at or now.';
COMMENT ON COLUMN sacrosanct.item_journey.owner IS 'The user who opened the item in the stage or accepted it into it.';
COMMENT ON COLUMN sacrosanct.item_journey.via_handoff IS 'The accepted handoff that brought the item into the stage (NULL: opened there).';
COMMENT ON COLUMN sacrosanct.item_journey.escalated_at IS 'When escalate() found the stay longer than the stage''s complete_within (NULL: not).';

-- pg_dump keeps the pipeline's data and its ids.
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.pipeline_id', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.pipeline_log_id', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.stage', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.transition', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.work_item', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.handoff', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.stage_visit', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.item_event', '');
-- END pipeline

-- BEGIN restore
-------------------------------------------------------------------------------
-- Dump and restore (doc/restore.md).  pg_dump keeps every table above that
-- holds user data, and the sequences of their ids, so that ids go on after
-- a restore.  A restore takes the schedule as it was dumped instead of
-- replanning it in dump order: while sacrosanct.restoring is on (for a
-- superuser), the extension's triggers take inserted rows as they are.
-- The one row of sacrosanct.begin_restore turns it on: pg_dump writes that
-- row before the data of every other table of the extension (the table's
-- name sorts first, and no table refers to it: keep it so), and restoring
-- it begins restoring for the rest of the session instead of storing it.
-------------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('sacrosanct.capacity_change_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.demand_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.plan_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.renegotiation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.delivery_id_seq', '');

CREATE TABLE sacrosanct.begin_restore (
    restoring   boolean NOT NULL DEFAULT true CONSTRAINT begin_restore_restoring CHECK (restoring)
);
COMMENT ON TABLE sacrosanct.begin_restore IS
    'Internal: one row, which pg_dump writes before the rest of sacrosanct''s data. Restored, it turns sacrosanct.restoring on for the session: the dump''s schedule is taken as it was, not replanned.';
COMMENT ON COLUMN sacrosanct.begin_restore.restoring IS
    'Always true: the row is a marker, its value means nothing else.';
INSERT INTO sacrosanct.begin_restore DEFAULT VALUES;
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.begin_restore', '');

CREATE FUNCTION sacrosanct.begin_restore() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_begin_restore' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.begin_restore() IS
    'Internal: the trigger of sacrosanct.begin_restore. A restored row turns sacrosanct.restoring on for the session (superusers only) and is not stored; UPDATE, DELETE and TRUNCATE are refused.';
CREATE TRIGGER sacrosanct_begin_restore
    BEFORE INSERT ON sacrosanct.begin_restore
    FOR EACH ROW EXECUTE FUNCTION sacrosanct.begin_restore();
CREATE TRIGGER sacrosanct_keep_row
    BEFORE UPDATE OR DELETE OR TRUNCATE ON sacrosanct.begin_restore
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.begin_restore();
ALTER TABLE sacrosanct.begin_restore ENABLE ALWAYS TRIGGER sacrosanct_begin_restore;
ALTER TABLE sacrosanct.begin_restore ENABLE ALWAYS TRIGGER sacrosanct_keep_row;

-- pg_restore --data-only --disable-triggers enables every trigger of the
-- tables it fills ORIGIN again: the ALWAYS ones go back to ALWAYS.
CREATE FUNCTION sacrosanct.keep_always() RETURNS event_trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_keep_always' LANGUAGE C;
COMMENT ON FUNCTION sacrosanct.keep_always() IS
    'Event trigger: sacrosanct''s triggers that fire whatever session_replication_role says, found enabled ORIGIN at the end of an ALTER TABLE (ENABLE TRIGGER ALL, as pg_restore --disable-triggers runs), are enabled ALWAYS again.';
CREATE EVENT TRIGGER sacrosanct_keep_always ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION sacrosanct.keep_always();
-- END restore

-------------------------------------------------------------------------------
-- Roles and privileges (DESIGN.md §6)
--
-- Nothing is granted to PUBLIC.  sacrosanct.create_roles() creates the
-- NOLOGIN group roles and grants each what it needs; a superuser runs it
-- once per database (it is harmless to run again), then grants the roles to
-- logins.  Stage roles are sacrosanct_<stage>; the sales stage's role is
-- sacrosanct_sales, the salespeople's role of DESIGN.md §6, and
-- sacrosanct_scheduler is a member of sacrosanct_scheduling, so schedulers
-- work the scheduling stage.
-------------------------------------------------------------------------------

CREATE FUNCTION sacrosanct.create_roles() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r text;
    stage_roles constant text[] := '{sacrosanct_marketing,sacrosanct_sales,sacrosanct_engineering,sacrosanct_scheduling,sacrosanct_operations,sacrosanct_customer_service}';
BEGIN
    FOREACH r IN ARRAY stage_roles OPERATOR(pg_catalog.||) '{sacrosanct_scheduler,sacrosanct_reader}'::text[] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
        EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA sacrosanct TO %I', r);
    END LOOP;
    -- schedulers work the scheduling stage
    IF NOT pg_catalog.pg_has_role('sacrosanct_scheduler', 'sacrosanct_scheduling', 'MEMBER') THEN
        GRANT sacrosanct_scheduling TO sacrosanct_scheduler;
    END IF;

    -- BEGIN schedule grants
    -- the reader: the views and journals, and the read-only functions they call
    GRANT SELECT ON sacrosanct.schedule, sacrosanct.resource_load, sacrosanct.promise_status,
                    sacrosanct.quoted_lead_time, sacrosanct.on_time_delivery,
                    sacrosanct.plan_log, sacrosanct.renegotiation
        TO sacrosanct_reader, sacrosanct_sales, sacrosanct_scheduler;
    GRANT EXECUTE ON FUNCTION sacrosanct.today(), sacrosanct.horizon(),
                              sacrosanct.capacity(text, date), sacrosanct.lead_times(numeric),
                              sacrosanct.gantt(text, daterange)
        TO sacrosanct_reader, sacrosanct_sales, sacrosanct_scheduler;

    -- sales: what can be ordered, quotes, and orders; never capacity or the schedule
    GRANT SELECT ON sacrosanct.product TO sacrosanct_sales;
    GRANT SELECT, INSERT, UPDATE ON sacrosanct.orders TO sacrosanct_sales;
    GRANT EXECUTE ON FUNCTION sacrosanct.quote(text, numeric, date, interval)
        TO sacrosanct_sales, sacrosanct_scheduler;

    -- schedulers: master data, orders, replans, and the schedule to read
    GRANT SELECT, INSERT, UPDATE, DELETE ON
        sacrosanct.calendar, sacrosanct.calendar_window, sacrosanct.calendar_holiday,
        sacrosanct.resource, sacrosanct.product, sacrosanct.routing,
        sacrosanct.capacity_change, sacrosanct.orders
        TO sacrosanct_scheduler;
    GRANT SELECT ON sacrosanct.demand, sacrosanct.load, sacrosanct.delivery
        TO sacrosanct_scheduler;
    GRANT EXECUTE ON FUNCTION sacrosanct.replan(text), sacrosanct.verify(),
                              sacrosanct.add_capacity(text, daterange, int, text),
                              sacrosanct.remove_capacity(text, daterange, int, text, boolean),
                              sacrosanct.complete_step(text, int, regclass),
                              sacrosanct.guard(regclass, text, text, text, text, text, text, text[], text[]),
                              sacrosanct.unguard(regclass)
        TO sacrosanct_scheduler;
    -- END schedule grants

    -- BEGIN grants of the pipeline
    UPDATE sacrosanct.stage s
       SET role = ('sacrosanct_' OPERATOR(pg_catalog.||) s.code)::regrole
     WHERE s.role IS NULL
       AND ('sacrosanct_' OPERATOR(pg_catalog.||) s.code) OPERATOR(pg_catalog.=) ANY (stage_roles);
    -- stage members: read the pipeline (row-level security filters it),
    -- write work items and handoffs (the triggers check every row)
    GRANT SELECT ON sacrosanct.stage, sacrosanct.transition,
                    sacrosanct.work_item, sacrosanct.handoff, sacrosanct.stage_visit, sacrosanct.item_event
        TO sacrosanct_marketing, sacrosanct_sales, sacrosanct_engineering, sacrosanct_scheduling,
           sacrosanct_operations, sacrosanct_customer_service, sacrosanct_scheduler;
    GRANT INSERT, UPDATE ON sacrosanct.work_item, sacrosanct.handoff
        TO sacrosanct_marketing, sacrosanct_sales, sacrosanct_engineering, sacrosanct_scheduling,
           sacrosanct_operations, sacrosanct_customer_service;
    GRANT EXECUTE ON FUNCTION sacrosanct.open_item(text, text, jsonb, regrole),
                              sacrosanct.hand_off(bigint, text, jsonb),
                              sacrosanct.accept(bigint),
                              sacrosanct.send_back(bigint, text),
                              sacrosanct.close_item(bigint, text)
        TO sacrosanct_marketing, sacrosanct_sales, sacrosanct_engineering, sacrosanct_scheduling,
           sacrosanct_operations, sacrosanct_customer_service;
    GRANT EXECUTE ON FUNCTION sacrosanct.escalate() TO sacrosanct_scheduler;
    -- customer service renegotiates the orders put at risk: it reads the
    -- renegotiations and the promises' status, and records the promise the
    -- customer agreed, or the cancel, on sacrosanct.orders
    GRANT SELECT ON sacrosanct.renegotiation, sacrosanct.promise_status TO sacrosanct_customer_service;
    GRANT EXECUTE ON FUNCTION sacrosanct.today() TO sacrosanct_customer_service;
    GRANT SELECT, UPDATE (promised, status) ON sacrosanct.orders TO sacrosanct_customer_service;
    -- the visibility predicate runs as whoever reads the tables or the views
    GRANT EXECUTE ON FUNCTION sacrosanct.pipeline_sees(text[], regrole)
        TO sacrosanct_marketing, sacrosanct_sales, sacrosanct_engineering, sacrosanct_scheduling,
           sacrosanct_operations, sacrosanct_customer_service, sacrosanct_scheduler, sacrosanct_reader;
    GRANT SELECT ON sacrosanct.pipeline_wip, sacrosanct.handoff_latency,
                    sacrosanct.sla_breach, sacrosanct.item_journey
        TO sacrosanct_marketing, sacrosanct_sales, sacrosanct_engineering, sacrosanct_scheduling,
           sacrosanct_operations, sacrosanct_customer_service, sacrosanct_scheduler, sacrosanct_reader;
    -- END grants of the pipeline
END
$$;
COMMENT ON FUNCTION sacrosanct.create_roles() IS
    'Create the NOLOGIN group roles sacrosanct_scheduler, sacrosanct_reader and sacrosanct_<stage> for the default stages (sacrosanct_sales is the sales stage''s), map the stages to them and grant each what it needs; idempotent. Run it as a superuser.';

-- Last, so that it covers every function above: nothing is executable by PUBLIC.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::pg_catalog.regprocedure FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) 'sacrosanct'::pg_catalog.regnamespace LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$$;
