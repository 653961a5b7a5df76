-- ALTER EXTENSION sacrosanct UPDATE from every earlier version keeps every
-- order and the schedule, and gives the same objects as a fresh install.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';

-- A plant on 0.1.0, as it shipped: orders with and without a promise, a
-- rush order that needed a replan, a quote hold, finished and cancelled
-- orders, a capacity change.
CREATE EXTENSION sacrosanct VERSION '0.1.0';

-- Every object of the extension, described by name (OIDs differ between
-- installs): columns, constraints, indexes, triggers, event triggers,
-- views, functions, comments, privileges, and the tables pg_dump keeps.
CREATE FUNCTION objects() RETURNS SETOF text LANGUAGE sql AS $$
    WITH ext AS (SELECT oid, extconfig FROM pg_extension WHERE extname = 'sacrosanct'),
    rels AS (SELECT c.oid, c.relname, c.relkind, c.relacl FROM pg_class c
              WHERE c.relnamespace = 'sacrosanct'::regnamespace)
    SELECT format('relation %s %s %s', relname, relkind, relacl) FROM rels
    UNION ALL
    SELECT format('column %s.%s %s %s %s %s', r.relname, a.attnum, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  coalesce(pg_get_expr(d.adbin, d.adrelid), ''))
      FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = r.oid AND d.adnum = a.attnum
    UNION ALL
    SELECT format('constraint %s.%s %s', r.relname, c.conname, pg_get_constraintdef(c.oid))
      FROM rels r JOIN pg_constraint c ON c.conrelid = r.oid
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
      FROM rels r JOIN pg_index i ON i.indrelid = r.oid
    UNION ALL
    SELECT format('trigger %s %s', pg_get_triggerdef(t.oid), t.tgenabled::text)
      FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
    UNION ALL
    SELECT 'view ' || relname || ' ' || pg_get_viewdef(oid) FROM rels WHERE relkind = 'v'
    UNION ALL
    SELECT format('function %s %s', p.oid::regprocedure, coalesce(p.proacl::text, ''))
           || pg_get_functiondef(p.oid)
      FROM pg_proc p WHERE p.pronamespace = 'sacrosanct'::regnamespace
    UNION ALL
    SELECT format('comment %s %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
      FROM pg_description d
     WHERE (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT oid FROM rels))
        OR (d.classoid = 'pg_proc'::regclass
            AND d.objoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'sacrosanct'::regnamespace))
        OR (d.classoid = 'pg_namespace'::regclass AND d.objoid = 'sacrosanct'::regnamespace)
    UNION ALL
    SELECT format('event trigger %s %s %s %s %s', e.evtname, e.evtevent, e.evtfoid::regprocedure,
                  e.evttags, e.evtenabled)
      FROM pg_event_trigger e, ext
     WHERE EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass
                      AND d.objid = e.oid AND d.refobjid = ext.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'dumped ' || c::regclass::text FROM ext, unnest(extconfig) c
$$;

SET sacrosanct.today = '2026-03-02';
INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('LATHE', 'day'), ('DRILL', 'day');
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('PART', 0), ('SHAFT', 1);
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES
    ('PART', 1, 'LATHE', 1), ('SHAFT', 1, 'LATHE', 2), ('SHAFT', 2, 'DRILL', 1);
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('DRILL', '[2026-03-09,2026-03-14)', 120, 'second shift');
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('A', 'PART', 480, '2026-03-06'), ('B', 'SHAFT', 200, '2026-03-10'),
    ('C', 'PART', 300, '2026-03-20');
INSERT INTO sacrosanct.orders (order_key, product, qty) VALUES ('D', 'SHAFT', 100), ('E', 'PART', 50);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('RUSH', 'PART', 400, '2026-03-03');
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, status)
VALUES ('OLD', 'PART', 10, '2026-02-20', 'done'), ('X', 'PART', 10, '2026-04-01', 'open');
UPDATE sacrosanct.orders SET status = 'cancelled' WHERE order_key = 'X';
SELECT quote_id IS NOT NULL AS held FROM sacrosanct.quote('PART', 60, hold => '2 days');

CREATE TEMP TABLE before_orders AS SELECT * FROM sacrosanct.orders;
CREATE TEMP TABLE before_schedule AS SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule;
CREATE TEMP TABLE before_load AS SELECT * FROM sacrosanct.load;
CREATE TEMP TABLE before_log AS SELECT id, what, why, orders_moved FROM sacrosanct.plan_log;
SELECT count(*) AS orders, (SELECT count(*) FROM before_schedule) AS allocations FROM before_orders;

ALTER EXTENSION sacrosanct UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'sacrosanct';

-- every order, allocation, load row and log entry is still there
(SELECT * FROM sacrosanct.orders EXCEPT SELECT * FROM before_orders)
UNION ALL (SELECT * FROM before_orders EXCEPT SELECT * FROM sacrosanct.orders);
(SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule EXCEPT SELECT * FROM before_schedule)
UNION ALL (SELECT * FROM before_schedule EXCEPT SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule);
(SELECT * FROM sacrosanct.load EXCEPT SELECT * FROM before_load)
UNION ALL (SELECT * FROM before_load EXCEPT SELECT * FROM sacrosanct.load);
SELECT count(*) AS log_entries_kept FROM before_log JOIN sacrosanct.plan_log USING (id, what, why, orders_moved);
-- the orders 0.1.0 saw done are the first deliveries
SELECT source, order_key, promised, delivered FROM sacrosanct.delivery;
SELECT * FROM sacrosanct.verify();

-- and the plant goes on working on 0.2.0
INSERT INTO sacrosanct.orders (order_key, product, qty) VALUES ('F', 'SHAFT', 50) RETURNING promised;
UPDATE sacrosanct.orders SET qty = 100 WHERE order_key = 'C';
DELETE FROM sacrosanct.orders WHERE order_key = 'E';
SELECT * FROM sacrosanct.verify();

-- the same objects as a fresh install of the current version
CREATE TEMP TABLE upgraded AS SELECT * FROM objects() o;
SET client_min_messages = warning;
DROP EXTENSION sacrosanct CASCADE;
RESET client_min_messages;
CREATE EXTENSION sacrosanct;
SELECT count(*) > 100 AS described FROM upgraded;
(SELECT 'only after upgrade: ' || o FROM upgraded o EXCEPT SELECT 'only after upgrade: ' || o FROM objects() o)
UNION ALL
(SELECT 'only when fresh: ' || o FROM objects() o EXCEPT SELECT 'only when fresh: ' || o FROM upgraded o)
ORDER BY 1;
DROP FUNCTION objects();
