-- Restoring a dump (doc/restore.md).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
CREATE EXTENSION sacrosanct;

-- pg_restore --data-only --disable-triggers disables every trigger and then
-- enables them ORIGIN: the extension's ALWAYS triggers go back to ALWAYS,
-- whatever session_replication_role says they fire.
ALTER TABLE sacrosanct.orders DISABLE TRIGGER ALL;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'sacrosanct.orders'::regclass ORDER BY 1;
ALTER TABLE sacrosanct.orders ENABLE TRIGGER ALL;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'sacrosanct.orders'::regclass ORDER BY 1;
ALTER TABLE sacrosanct.load ENABLE TRIGGER sacrosanct_schedule_write;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'sacrosanct.load'::regclass;
