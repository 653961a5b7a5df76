-- Restoring a dump (doc/restore.md).  The dump's schedule is the schedule:
-- while sacrosanct.restoring is on, for a superuser, the extension's tables
-- and guarded tables take inserted rows as they were dumped, planning,
-- checking and journaling nothing.  The dump's row of
-- sacrosanct.begin_restore turns it on.  Here a restore is replayed by hand,
-- in an order pg_dump would never use (orders first, their schedule after,
-- master data last), and the ways to abuse it are tried.  test/dump restores
-- real dumps.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
DROP ROLE IF EXISTS regress_restorer;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

-- A plant with orders, one done; a breakdown forced through puts one at risk.
INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('LATHE', 'day');
INSERT INTO sacrosanct.product (code) VALUES ('PART');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('PART', 1, 'LATHE', 1);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('A', 'PART', 480, '2026-03-02'), ('B', 'PART', 480, '2026-03-03'),
    ('C', 'PART', 240, '2026-03-10'), ('D', 'PART', 60, '2026-03-04');
UPDATE sacrosanct.orders SET status = 'done' WHERE order_key = 'D';
SELECT sacrosanct.remove_capacity('LATHE', '[2026-03-02,2026-03-04)', 240, 'coolant leak', force => true) > 0 AS forced;
SELECT order_key, promised, at_risk FROM sacrosanct.orders ORDER BY 1;

-- What a dump holds (names, not OIDs, for the tables a regclass names).
CREATE TEMP TABLE d_calendar AS SELECT * FROM sacrosanct.calendar;
CREATE TEMP TABLE d_window AS SELECT * FROM sacrosanct.calendar_window;
CREATE TEMP TABLE d_resource AS SELECT * FROM sacrosanct.resource;
CREATE TEMP TABLE d_product AS SELECT * FROM sacrosanct.product;
CREATE TEMP TABLE d_routing AS SELECT * FROM sacrosanct.routing;
CREATE TEMP TABLE d_change AS SELECT * FROM sacrosanct.capacity_change;
CREATE TEMP TABLE d_orders AS SELECT * FROM sacrosanct.orders;
CREATE TEMP TABLE d_demand AS SELECT * FROM sacrosanct.demand;
CREATE TEMP TABLE d_load AS SELECT * FROM sacrosanct.load;
CREATE TEMP TABLE d_log AS SELECT * FROM sacrosanct.plan_log;
CREATE TEMP TABLE d_renegotiation AS SELECT * FROM sacrosanct.renegotiation;
CREATE TEMP TABLE d_delivery AS SELECT * FROM sacrosanct.delivery;
CREATE TEMP TABLE d_schedule AS SELECT * FROM sacrosanct.schedule;
ALTER TABLE d_demand ALTER source TYPE text USING source::text;
ALTER TABLE d_renegotiation ALTER source TYPE text USING source::text;
ALTER TABLE d_delivery ALTER source TYPE text USING source::text;
ALTER TABLE d_schedule ALTER source TYPE text USING source::text;
SELECT (SELECT count(*) FROM d_demand) AS records, (SELECT count(*) FROM d_schedule) AS allocations,
       (SELECT count(*) FROM d_renegotiation) AS renegotiations;

-- A new database: the extension as CREATE EXTENSION makes it.
SET client_min_messages = warning;
DROP EXTENSION sacrosanct CASCADE;
RESET client_min_messages;
CREATE EXTENSION sacrosanct;
SHOW sacrosanct.restoring;
-- Not restoring, the schedule is written only by sacrosanct, and an order
-- at risk cannot be inserted.
INSERT INTO sacrosanct.demand OVERRIDING SYSTEM VALUE SELECT * FROM d_demand;
INSERT INTO sacrosanct.orders SELECT * FROM d_orders WHERE at_risk;

-- The dump's row of begin_restore begins the restore (pg_dump writes it
-- before the rest of the extension's data); the table keeps its one row.
INSERT INTO sacrosanct.begin_restore VALUES (true);
SHOW sacrosanct.restoring;
SELECT count(*) AS begin_restore_rows FROM sacrosanct.begin_restore;

-- Orders before their schedule: nothing is planned in this order, nothing
-- is refused, at_risk is taken as dumped.
INSERT INTO sacrosanct.orders SELECT * FROM d_orders;
SELECT count(*) AS records FROM sacrosanct.demand;
INSERT INTO sacrosanct.demand OVERRIDING SYSTEM VALUE SELECT * FROM d_demand;
INSERT INTO sacrosanct.load SELECT * FROM d_load;
INSERT INTO sacrosanct.plan_log OVERRIDING SYSTEM VALUE SELECT * FROM d_log;
INSERT INTO sacrosanct.renegotiation OVERRIDING SYSTEM VALUE SELECT * FROM d_renegotiation;
INSERT INTO sacrosanct.delivery OVERRIDING SYSTEM VALUE SELECT * FROM d_delivery;
-- Master data last: nothing is checked or moved; a capacity change keeps
-- who recorded it and when.
INSERT INTO sacrosanct.calendar SELECT * FROM d_calendar;
INSERT INTO sacrosanct.calendar_window SELECT * FROM d_window;
INSERT INTO sacrosanct.resource SELECT * FROM d_resource;
INSERT INTO sacrosanct.product SELECT * FROM d_product;
INSERT INTO sacrosanct.routing SELECT * FROM d_routing;
INSERT INTO sacrosanct.capacity_change OVERRIDING SYSTEM VALUE SELECT * FROM d_change;
-- (pg_dump sets the ids' sequences last; without them the next record would take id 1)
SELECT setval('sacrosanct.demand_id_seq', (SELECT max(id) FROM d_demand)),
       setval('sacrosanct.plan_log_id_seq', (SELECT max(id) FROM d_log)),
       setval('sacrosanct.renegotiation_id_seq', (SELECT max(id) FROM d_renegotiation)),
       setval('sacrosanct.delivery_id_seq', (SELECT max(id) FROM d_delivery)),
       setval('sacrosanct.capacity_change_id_seq', (SELECT max(id) FROM d_change));

-- A restore only inserts: every other write is refused as ever.
UPDATE sacrosanct.load SET planned = 0;
DELETE FROM sacrosanct.demand;
TRUNCATE sacrosanct.plan_log;
DELETE FROM sacrosanct.begin_restore;

-- The same schedule, renegotiations and history; verify() is empty.
(SELECT * FROM sacrosanct.schedule EXCEPT SELECT order_key, step, resource, day, minutes, quote_id, source::regclass FROM d_schedule)
UNION ALL
(SELECT order_key, step, resource, day, minutes, quote_id, source::regclass FROM d_schedule EXCEPT SELECT * FROM sacrosanct.schedule);
SELECT order_key, old_promise, new_earliest, status FROM sacrosanct.renegotiation ORDER BY id;
SELECT count(*) AS changes_as_recorded FROM sacrosanct.capacity_change JOIN d_change USING (id, created_by, created_at);
SELECT what, why FROM sacrosanct.plan_log ORDER BY id;
SELECT * FROM sacrosanct.verify();

-- The restore ends with the session (or RESET): the plant goes on, guarded.
RESET sacrosanct.restoring;
INSERT INTO sacrosanct.orders (order_key, product, qty) VALUES ('E', 'PART', 120) RETURNING order_key, promised;
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('F', 'PART', 480, '2026-03-05');
INSERT INTO sacrosanct.load VALUES ('LATHE', '2026-03-20', 1);
UPDATE sacrosanct.orders SET promised = '2026-03-12' WHERE order_key = 'A' RETURNING order_key, promised, at_risk;
SELECT order_key, status FROM sacrosanct.renegotiation ORDER BY id;
SELECT * FROM sacrosanct.verify();

-- A restore that leaves out a piece shows in verify(): an order restored
-- without its schedule record.
BEGIN;
SET LOCAL sacrosanct.restoring = on;
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('LOST', 'PART', 10, '2026-03-30');
SELECT * FROM sacrosanct.verify();
ROLLBACK;

-- The restore's row rolls back with its transaction.
BEGIN;
INSERT INTO sacrosanct.begin_restore VALUES (true);
SHOW sacrosanct.restoring;
ROLLBACK;
SHOW sacrosanct.restoring;

-- Only a superuser restores.  A role may neither set the setting nor begin
-- a restore, even with INSERT granted on begin_restore; and a superuser's
-- restore does not carry over to a role it becomes.
CREATE ROLE regress_restorer;
GRANT USAGE ON SCHEMA sacrosanct TO regress_restorer;
GRANT SELECT, INSERT ON sacrosanct.orders, sacrosanct.begin_restore TO regress_restorer;
SET ROLE regress_restorer;
SET sacrosanct.restoring = on;
INSERT INTO sacrosanct.begin_restore VALUES (true);
INSERT INTO sacrosanct.demand (product, qty, promised, backed, step, step_resource, step_work,
                               alloc_step, alloc_day, alloc_minutes)
VALUES ('PART', 1, '2026-03-03', true, '{1}', '{LATHE}', '{1}', '{}', '{}', '{}');
RESET ROLE;
SET sacrosanct.restoring = on;
SET ROLE regress_restorer;
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('G', 'PART', 480, '2026-03-05');
RESET ROLE;
RESET sacrosanct.restoring;
SELECT count(*) AS begin_restore_rows FROM sacrosanct.begin_restore;

-- pg_restore --data-only --disable-triggers disables every trigger and then
-- enables them ORIGIN: the extension's ALWAYS triggers go back to ALWAYS,
-- whatever session_replication_role says they fire.
ALTER TABLE sacrosanct.orders DISABLE TRIGGER ALL;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'sacrosanct.orders'::regclass ORDER BY 1;
ALTER TABLE sacrosanct.orders ENABLE TRIGGER ALL;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'sacrosanct.orders'::regclass ORDER BY 1;
ALTER TABLE sacrosanct.load ENABLE TRIGGER sacrosanct_schedule_write;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'sacrosanct.load'::regclass;

-- What pg_dump keeps: every table with user data, the ids' sequences, and
-- begin_restore's row.
SELECT c::regclass AS dumped FROM pg_extension, unnest(extconfig) c
 WHERE extname = 'sacrosanct' ORDER BY c::regclass::text;

REVOKE ALL ON sacrosanct.orders, sacrosanct.begin_restore FROM regress_restorer;
REVOKE USAGE ON SCHEMA sacrosanct FROM regress_restorer;
DROP ROLE regress_restorer;
