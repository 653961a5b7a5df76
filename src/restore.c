/*
 * restore.c
 *		Restoring a dump (doc/restore.md).
 *
 * pg_restore --data-only --disable-triggers runs ALTER TABLE ... DISABLE
 * TRIGGER ALL and then ENABLE TRIGGER ALL on every table it fills, which
 * leaves the extension's ALWAYS triggers enabled ORIGIN only: a session with
 * session_replication_role = replica would then bypass the guard.  The
 * event trigger sacrosanct_keep_always enables them ALWAYS again at the end
 * of every ALTER TABLE that left one ORIGIN.
 */
#include "postgres.h"

#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"

/*
 * Event trigger at the end of ALTER TABLE: the extension's triggers that
 * fire whatever session_replication_role says (the guard, the master-data
 * checks, the schedule's refusal) and were left enabled ORIGIN are enabled
 * ALWAYS again.  It runs as the one who altered the table, who owns it; a
 * trigger disabled on purpose stays disabled.
 */
PG_FUNCTION_INFO_V1(sacrosanct_keep_always);
Datum
sacrosanct_keep_always(PG_FUNCTION_ARGS)
{
	int			n;
	char	  **ddl;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.keep_always() must be called as an event trigger")));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* not read-only: the query must see what the ALTER TABLE just did */
	if (SPI_execute("SELECT pg_catalog.format('ALTER TABLE %I.%I %s', n.nspname, c.relname,"
					"         pg_catalog.string_agg(pg_catalog.format('ENABLE ALWAYS TRIGGER %I', t.tgname),"
					"                               ', ' ORDER BY t.tgname))"
					"  FROM (SELECT DISTINCT objid FROM pg_catalog.pg_event_trigger_ddl_commands()"
					"         WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass) a"
					"  JOIN pg_catalog.pg_trigger t ON t.tgrelid OPERATOR(pg_catalog.=) a.objid"
					"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid"
					"  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
					" WHERE t.tgenabled OPERATOR(pg_catalog.=) 'O'"
					"   AND t.tgfoid OPERATOR(pg_catalog.=) ANY (ARRAY["
					"       'sacrosanct.guard_before()', 'sacrosanct.guard_after()',"
					"       'sacrosanct.guard_statement()', 'sacrosanct.guard_truncate()',"
					"       'sacrosanct.md_touch()', 'sacrosanct.md_check()',"
					"       'sacrosanct.schedule_write()'"
					"       ]::pg_catalog.regprocedure[]::pg_catalog.oid[])"
					" GROUP BY n.nspname, c.relname", false, 0) != SPI_OK_SELECT)
		elog(ERROR, "sacrosanct: could not read the triggers of the altered tables");
	/* collect first: the ALTERs below run this trigger again, and overwrite SPI_tuptable */
	n = (int) SPI_processed;
	ddl = palloc(sizeof(char *) * (n + 1));
	for (int i = 0; i < n; i++)
		ddl[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	for (int i = 0; i < n; i++)
		if (SPI_execute(ddl[i], false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "sacrosanct: could not run \"%s\"", ddl[i]);
	SPI_finish();
	PG_RETURN_VOID();
}
