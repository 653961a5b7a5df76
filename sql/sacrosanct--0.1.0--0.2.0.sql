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
    -- the reader: the views, and the functions they call
    GRANT SELECT ON sacrosanct.schedule TO sacrosanct_reader, sacrosanct_sales, sacrosanct_scheduler;
    GRANT EXECUTE ON FUNCTION sacrosanct.today() TO sacrosanct_reader, sacrosanct_sales, sacrosanct_scheduler;

    -- sales: what can be ordered, quotes, and orders; never capacity or the schedule
    GRANT SELECT ON sacrosanct.product TO sacrosanct_sales;
    GRANT SELECT, INSERT, UPDATE ON sacrosanct.orders TO sacrosanct_sales;
    GRANT EXECUTE ON FUNCTION sacrosanct.quote(text, numeric, date, interval),
                              sacrosanct.capacity(text, date)
        TO sacrosanct_sales, sacrosanct_scheduler;

    -- schedulers: master data, orders, replans, and the schedule to read
    GRANT SELECT, INSERT, UPDATE, DELETE ON
        sacrosanct.calendar, sacrosanct.calendar_window, sacrosanct.calendar_holiday,
        sacrosanct.resource, sacrosanct.product, sacrosanct.routing,
        sacrosanct.capacity_change, sacrosanct.orders
        TO sacrosanct_scheduler;
    GRANT SELECT ON sacrosanct.demand, sacrosanct.load, sacrosanct.plan_log,
                    sacrosanct.renegotiation
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
