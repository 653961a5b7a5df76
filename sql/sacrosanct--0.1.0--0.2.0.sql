-- sacrosanct 0.1.0 -> 0.2.0
--
-- Security: the guard no longer writes a guarded row after the fact, so it
-- needs no owner identity; nothing is executable by PUBLIC; roles come from
-- sacrosanct.create_roles().  Orders are keyed by (table, key).

\echo Use "ALTER EXTENSION sacrosanct UPDATE TO '0.2.0'" to load this file. \quit

-- the same key in two guarded tables is two orders
ALTER TABLE sacrosanct.demand DROP CONSTRAINT demand_order_key_key;
ALTER TABLE sacrosanct.demand ADD CONSTRAINT demand_order UNIQUE (order_key, source);

-- who acted as whom
ALTER TABLE sacrosanct.plan_log ADD COLUMN as_role name NOT NULL DEFAULT current_user;
COMMENT ON TABLE sacrosanct.plan_log IS
    'Every change of the plan a person would ask about later: when, who (session_user, acting as as_role), what, why, and how many orders moved.';

-- progress: steps completed, in order, and the day the last of them was
ALTER TABLE sacrosanct.demand ADD COLUMN steps_done int NOT NULL DEFAULT 0;
ALTER TABLE sacrosanct.demand ADD COLUMN done_on date;

-- renegotiations: of which table's order, and when they were resolved
ALTER TABLE sacrosanct.renegotiation ADD COLUMN source regclass;
ALTER TABLE sacrosanct.renegotiation ADD COLUMN resolved_at timestamptz;
COMMENT ON TABLE sacrosanct.renegotiation IS
    'Broken promises: an order put at risk by a forced capacity change, its old promise, the earliest date the schedule backs now, and whether the customer agreed a new promise (or the order was cancelled).';
CREATE UNIQUE INDEX renegotiation_open ON sacrosanct.renegotiation (order_key, source)
    WHERE status = 'open';

-- renegotiations are the extension's to write
CREATE TRIGGER sacrosanct_schedule_write
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON sacrosanct.renegotiation
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.schedule_write();
ALTER TABLE sacrosanct.renegotiation ENABLE ALWAYS TRIGGER sacrosanct_schedule_write;

-- the guard on sacrosanct.orders: status values as text arrays, and the
-- statement trigger that undoes what was planned for rows never written
CREATE FUNCTION sacrosanct.guard_statement() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sacrosanct_guard_statement' LANGUAGE C;
DROP TRIGGER sacrosanct_guard_before ON sacrosanct.orders;
DROP TRIGGER sacrosanct_guard_before_update ON sacrosanct.orders;
DROP TRIGGER sacrosanct_guard_after ON sacrosanct.orders;
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
ALTER TABLE sacrosanct.orders ENABLE ALWAYS TRIGGER sacrosanct_guard_before;
ALTER TABLE sacrosanct.orders ENABLE ALWAYS TRIGGER sacrosanct_guard_before_update;
ALTER TABLE sacrosanct.orders ENABLE ALWAYS TRIGGER sacrosanct_guard_after;
ALTER TABLE sacrosanct.orders ENABLE ALWAYS TRIGGER sacrosanct_guard_statement;

-- the schedule names the guarded table of each order
CREATE OR REPLACE VIEW sacrosanct.schedule AS
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

-- capacity as schedulers say it, progress, guarding an ERP table
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

-- deliveries: every order done, for on-time delivery; 0.1.0's done orders
-- of sacrosanct.orders are its first rows
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
CREATE INDEX delivery_promised ON sacrosanct.delivery (promised);

INSERT INTO sacrosanct.delivery (source, order_key, promised, delivered)
SELECT 'sacrosanct.orders'::pg_catalog.regclass, order_key, promised, COALESCE(delivered, promised)
  FROM sacrosanct.orders
 WHERE status OPERATOR(pg_catalog.=) 'done' AND promised IS NOT NULL
 ORDER BY order_key;
CREATE TRIGGER sacrosanct_schedule_write
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON sacrosanct.delivery
    FOR EACH STATEMENT EXECUTE FUNCTION sacrosanct.schedule_write();
ALTER TABLE sacrosanct.delivery ENABLE ALWAYS TRIGGER sacrosanct_schedule_write;
SELECT pg_catalog.pg_extension_config_dump('sacrosanct.delivery', '');

-- what schedulers and BI tools read
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
           CASE WHEN d.promised < sacrosanct.today() THEN 'late'
                WHEN b.buffer_penetration < 1.0 / 3 THEN 'green'
                WHEN b.buffer_penetration < 2.0 / 3 THEN 'yellow'
                ELSE 'red' END AS zone,
           d.at_risk,
           d.backed
      FROM sacrosanct.demand d
      JOIN sacrosanct.product p ON p.code = d.product
     CROSS JOIN LATERAL (
        SELECT COALESCE((SELECT pg_catalog.min(a) FROM pg_catalog.unnest(d.alloc_day) a),
                        d.planned_finish, sacrosanct.today()) AS planned_start) st
     CROSS JOIN LATERAL (
        SELECT CASE WHEN d.promised > st.planned_start
                    THEN pg_catalog.round(GREATEST(sacrosanct.today() - st.planned_start, 0)::numeric
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

CREATE FUNCTION sacrosanct.create_roles() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['sacrosanct_scheduler', 'sacrosanct_sales', 'sacrosanct_reader'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
        EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA sacrosanct TO %I', r);
    END LOOP;

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
END
$$;
COMMENT ON FUNCTION sacrosanct.create_roles() IS
    'Create the NOLOGIN group roles sacrosanct_scheduler, sacrosanct_sales and sacrosanct_reader (and the pipeline''s) and grant each what it needs; idempotent. Run it as a superuser.';

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
