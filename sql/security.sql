-- Security: nothing a user writes runs with the extension owner's rights,
-- attaching the guard is a privilege, and plant-wide settings are not a
-- session's to change (DESIGN.md §6).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
DROP SCHEMA IF EXISTS mallory CASCADE;
DROP ROLE IF EXISTS regress_mallory;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
-- roles are cluster-wide: an earlier test may have run create_roles()
SELECT count(*) AS roles_before FROM pg_roles WHERE rolname LIKE 'sacrosanct\_%' \gset
CREATE EXTENSION sacrosanct;
CREATE EXTENSION IF NOT EXISTS amcheck;
SET sacrosanct.today = '2026-03-02';   -- a Monday

INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('LATHE', 'day');
INSERT INTO sacrosanct.product (code) VALUES ('PART');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('PART', 1, 'LATHE', 1);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('A', 'PART', 480, '2026-03-02');

-- Nothing is executable by PUBLIC, and CREATE EXTENSION made no role.
SELECT p.oid::regprocedure AS executable_by_public
  FROM pg_proc p
 WHERE p.pronamespace = 'sacrosanct'::regnamespace
   AND has_function_privilege('public', p.oid, 'EXECUTE');
SELECT count(*) - :roles_before AS roles_made FROM pg_roles WHERE rolname LIKE 'sacrosanct\_%';

-- The attacker: no privilege but USAGE on the schema, SELECT on its
-- tables, and a schema of its own.
CREATE ROLE regress_mallory LOGIN;
GRANT USAGE ON SCHEMA sacrosanct TO regress_mallory;
GRANT SELECT ON ALL TABLES IN SCHEMA sacrosanct TO regress_mallory;
GRANT EXECUTE ON FUNCTION sacrosanct.today() TO regress_mallory;
CREATE SCHEMA mallory AUTHORIZATION regress_mallory;
SET ROLE regress_mallory;
CREATE TABLE mallory.o (order_key text PRIMARY KEY, product text, qty numeric,
                        promised date, status text DEFAULT 'open', not_before date,
                        quote_id bigint, at_risk boolean DEFAULT false, delivered date);
CREATE TABLE mallory.log (who name, what text);
-- 1. Attaching the guard to a table by hand is refused.
CREATE TRIGGER g_before BEFORE INSERT ON mallory.o FOR EACH ROW
    EXECUTE FUNCTION sacrosanct.guard_before('order_key', 'product', 'qty', 'promised', 'status',
        'not_before', 'quote_id', 'at_risk', 'delivered', '{done}', '{cancelled}');
-- So is writing the schedule.
INSERT INTO sacrosanct.load VALUES ('LATHE', '2026-03-03', 480);
UPDATE sacrosanct.orders SET qty = 1 WHERE order_key = 'A';
RESET ROLE;

-- 2. Even a role that may execute the trigger functions (as every role
-- could in 0.1.0) gains nothing: the guard never writes a row of the
-- guarded table, so the table's own triggers run only for the writer's own
-- statements, as the writer.
GRANT EXECUTE ON FUNCTION sacrosanct.guard_before(), sacrosanct.guard_after(),
                          sacrosanct.guard_statement() TO regress_mallory;
SET ROLE regress_mallory;
CREATE TRIGGER g_before BEFORE INSERT ON mallory.o FOR EACH ROW WHEN (NEW.promised IS NULL)
    EXECUTE FUNCTION sacrosanct.guard_before('order_key', 'product', 'qty', 'promised', 'status',
        'not_before', 'quote_id', 'at_risk', 'delivered', '{done}', '{cancelled}');
CREATE TRIGGER g_after AFTER INSERT OR UPDATE OR DELETE ON mallory.o FOR EACH ROW
    EXECUTE FUNCTION sacrosanct.guard_after('order_key', 'product', 'qty', 'promised', 'status',
        'not_before', 'quote_id', 'at_risk', 'delivered', '{done}', '{cancelled}');
CREATE TRIGGER g_statement AFTER INSERT OR UPDATE ON mallory.o FOR EACH STATEMENT
    EXECUTE FUNCTION sacrosanct.guard_statement();
CREATE FUNCTION mallory.escalate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mallory.log VALUES (current_user, TG_OP);
    BEGIN
        EXECUTE 'ALTER ROLE regress_mallory SUPERUSER';
        INSERT INTO mallory.log VALUES (current_user, 'became superuser');
    EXCEPTION WHEN insufficient_privilege THEN
        INSERT INTO mallory.log VALUES (current_user, 'refused');
    END;
    BEGIN
        INSERT INTO sacrosanct.load VALUES ('LATHE', '2026-03-20', 1);
        INSERT INTO mallory.log VALUES (current_user, 'wrote the load');
    EXCEPTION WHEN insufficient_privilege THEN
        INSERT INTO mallory.log VALUES (current_user, 'load refused');
    END;
    RETURN NULL;
END $$;
CREATE TRIGGER z_escalate AFTER UPDATE ON mallory.o FOR EACH ROW EXECUTE FUNCTION mallory.escalate();
-- Two rows without a promise in one statement: each is planned at its own
-- earliest date before it is written; nothing rewrites a row afterwards.
INSERT INTO mallory.o (order_key, product, qty) VALUES ('M1', 'PART', 240), ('M2', 'PART', 480)
RETURNING order_key, promised;
SELECT * FROM mallory.log;
-- The writer's own UPDATE fires the writer's own trigger, as the writer.
UPDATE mallory.o SET qty = 200 WHERE order_key = 'M1';
SELECT * FROM mallory.log;
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_mallory';
SELECT order_key, qty, promised FROM mallory.o ORDER BY 1;
SELECT order_key, day, minutes FROM sacrosanct.schedule ORDER BY day, order_key;

-- 3. A function or operator named like a built-in, first in the caller's
-- search_path, is never called by the extension.
SET ROLE regress_mallory;
CREATE FUNCTION mallory.lower(daterange) RETURNS date LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mallory.log VALUES (current_user, 'hijacked lower');
    RETURN pg_catalog.lower($1);
END $$;
CREATE FUNCTION mallory.texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mallory.log VALUES (current_user, 'hijacked =');
    RETURN pg_catalog.texteq($1, $2);
END $$;
CREATE OPERATOR mallory.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mallory.texteq);
SET search_path = mallory, pg_catalog;
DELETE FROM mallory.log;
-- a master-data change makes every backend read the plant again
RESET ROLE;
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('LATHE', '[2026-03-09,2026-03-10)', 60, 'overtime');
SET ROLE regress_mallory;
SET search_path = mallory, pg_catalog;
INSERT INTO mallory.o (order_key, product, qty) VALUES ('M3', 'PART', 60);
SELECT * FROM mallory.log;
RESET search_path;
RESET ROLE;

-- 4. Plant-wide settings are a superuser's.
SET ROLE regress_mallory;
SET sacrosanct.horizon_days = 3660;
SET sacrosanct.timezone = 'Pacific/Kiritimati';
SET sacrosanct.max_hold = '100 years';
SET sacrosanct.today = '2030-01-01';
ALTER ROLE regress_mallory SET sacrosanct.horizon_days = 3660;
RESET ROLE;
ALTER DATABASE contrib_regression SET sacrosanct.horizon_days = 3660;  -- a superuser may
ALTER DATABASE contrib_regression RESET sacrosanct.horizon_days;
-- Set before the library is loaded in a fresh session, the value does not
-- take either: the library refuses it as it loads.
\c - regress_mallory
SET sacrosanct.horizon_days = 3660;
SELECT sacrosanct.today() IS NOT NULL AS loaded;
SHOW sacrosanct.horizon_days;
\c - postgres
SET datestyle = 'ISO, YMD';
SET sacrosanct.today = '2026-03-02';

-- 5. A quote holds capacity for at most sacrosanct.max_hold (7 days).
SELECT earliest FROM sacrosanct.quote('PART', 10, hold => '100 years');
SELECT earliest FROM sacrosanct.quote('PART', 10, hold => '8 days');
SELECT earliest, hold_until - now() AS held FROM sacrosanct.quote('PART', 10, hold => '7 days');
SET sacrosanct.max_hold = '30d';
SELECT earliest, hold_until - now() AS held FROM sacrosanct.quote('PART', 10, hold => '8 days');
RESET sacrosanct.max_hold;

-- 6. An index or a constraint added to a schedule table is kept by the
-- extension's own writes.
CREATE INDEX load_by_day ON sacrosanct.load (day);
CREATE INDEX demand_by_product ON sacrosanct.demand (product, promised);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
SELECT 'I' || i, 'PART', 100, '2026-04-30' FROM generate_series(1, 30) i;
UPDATE sacrosanct.orders SET status = 'cancelled' WHERE order_key IN ('I3', 'I7', 'I11');
DELETE FROM sacrosanct.orders WHERE order_key = 'I20';
-- amcheck: every row of the table is in the index (heapallindexed)
SELECT i AS index_holds_every_row FROM unnest(ARRAY['sacrosanct.load_by_day', 'sacrosanct.load_pkey',
       'sacrosanct.demand_by_product', 'sacrosanct.demand_order']) i, bt_index_check(i::regclass, true);
SET enable_seqscan = off;
SELECT count(*) AS by_index FROM sacrosanct.load WHERE day = '2026-03-05';
RESET enable_seqscan;
SET enable_indexscan = off; SET enable_bitmapscan = off;
SELECT count(*) AS by_scan FROM sacrosanct.load WHERE day = '2026-03-05';
RESET enable_indexscan; RESET enable_bitmapscan;
-- a write that breaks an added constraint fails, and nothing is half-written
ALTER TABLE sacrosanct.load ADD CONSTRAINT load_small CHECK (day = '-infinity' OR planned <= 100) NOT VALID;
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('C2', 'PART', 200, '2026-06-30');
SELECT count(*) FROM sacrosanct.orders WHERE order_key = 'C2';
ALTER TABLE sacrosanct.load DROP CONSTRAINT load_small;
DROP INDEX sacrosanct.load_by_day;
DROP INDEX sacrosanct.demand_by_product;

-- 7. A hand-made guard trigger is checked before it is read.
CREATE TABLE hand (order_key text PRIMARY KEY, product text, qty numeric, promised date);
CREATE TRIGGER g AFTER INSERT ON hand FOR EACH ROW EXECUTE FUNCTION sacrosanct.guard_after('order_key');
INSERT INTO hand VALUES ('H1', 'PART', 1, '2026-06-01');
SELECT problem, detail FROM sacrosanct.verify();
DROP TABLE hand;

-- 8. Status values are compared exactly, as written: not lowercased, not
-- split at a comma inside a value.
CREATE TABLE erp (line text PRIMARY KEY, sku text, units numeric, due date, state text);
CREATE TRIGGER g_after AFTER INSERT OR UPDATE OR DELETE ON erp FOR EACH ROW
    EXECUTE FUNCTION sacrosanct.guard_after('line', 'sku', 'units', 'due', 'state', '', '', '', '',
        '{Shipped}', '{"VOID, no charge"}');
INSERT INTO erp VALUES ('L1', 'PART', 60, '2026-05-29', 'Open'), ('L2', 'PART', 60, '2026-05-29', 'Open'),
                       ('L3', 'PART', 60, '2026-05-29', 'Open');
UPDATE erp SET state = 'shipped' WHERE line = 'L1';          -- not a done value: still open
UPDATE erp SET state = 'Shipped' WHERE line = 'L2';          -- done
UPDATE erp SET state = 'VOID, no charge' WHERE line = 'L3';  -- cancelled
SELECT order_key, sum(minutes) FROM sacrosanct.schedule WHERE order_key LIKE 'L%' GROUP BY 1 ORDER BY 1;
DELETE FROM erp;
DROP TABLE erp;

SELECT * FROM sacrosanct.verify();
DROP SCHEMA mallory CASCADE;
DROP OWNED BY regress_mallory;
DROP ROLE regress_mallory;
