-- The extension installs into its own schema and leaves nothing behind.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';

CREATE EXTENSION sacrosanct;
SELECT extversion, extrelocatable FROM pg_extension WHERE extname = 'sacrosanct';
SELECT nspname, pg_get_userbyid(nspowner) IS NOT NULL AS owned
  FROM pg_namespace WHERE nspname = 'sacrosanct';

-- what it made: the schema is a member, so DROP EXTENSION takes it too
SELECT pg_describe_object(classid, objid, objsubid) AS member
  FROM pg_depend
 WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'sacrosanct')
   AND deptype = 'e' AND classid = 'pg_namespace'::regclass;
SELECT c.relname, c.relkind
  FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'sacrosanct')
 ORDER BY 1;
SELECT p.oid::regprocedure AS function
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'sacrosanct')
 ORDER BY p.oid::regprocedure::text;

-- settings, with their defaults
SELECT name, setting, context FROM pg_settings WHERE name LIKE 'sacrosanct.%' ORDER BY 1;
SET sacrosanct.today = '2026-02-30';
SET sacrosanct.today = 'tomorrow';
SET sacrosanct.horizon_days = 0;
SET sacrosanct.today = '2026-03-02';
SELECT sacrosanct.today();
RESET sacrosanct.today;
SELECT sacrosanct.today() = current_date AS today_is_current_date;
SET sacrosanct.nonsense = 1;

-- user data survives pg_dump: the tables are registered
SELECT count(*) AS dumped_tables
  FROM pg_extension, unnest(extconfig) WHERE extname = 'sacrosanct';

-- DROP EXTENSION removes every object, the schema included
DROP EXTENSION sacrosanct;
SELECT count(*) AS left_behind FROM pg_namespace WHERE nspname = 'sacrosanct';
CREATE EXTENSION sacrosanct;
