/*
 * restore.c
 *		Restoring a dump (doc/restore.md).
 *
 * A dump of a plant holds the schedule as the planning engine left it:
 * demand and load, the journals, the pipeline's history, the orders and
 * their guarded tables.  Restored, those rows are the schedule; replanning
 * the orders one by one as they arrive, in dump order, would make another
 * one, or refuse orders that are at risk or late.  So while a session
 * restores, the extension's triggers take the rows of an INSERT or COPY as
 * they were dumped (sc_restoring_insert()), as pg_restore --disable-triggers
 * would, and verify() checks the result afterwards.
 *
 * A session restores while sacrosanct.restoring is on, and only for a
 * superuser: the setting is PGC_SUSET, and a superuser could disable the
 * triggers anyway.  pg_dump puts it on by itself: sacrosanct.begin_restore
 * holds one row, dumped before the data of every other table of the
 * extension (its name sorts first and no table of the extension refers to
 * it), and the BEFORE INSERT trigger below, meeting that row in a restore,
 * turns the setting on for the rest of the session instead of storing it.
 * The setting is transactional, so a failed COPY of that row turns nothing
 * on; it ends with the session, RESET or DISCARD ALL.
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
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/rel.h"

#include "restore.h"

bool
sc_restoring_insert(const TriggerData *td)
{
	return sc_restoring && TRIGGER_FIRED_BY_INSERT(td->tg_event) && superuser();
}

/*
 * sacrosanct.begin_restore: BEFORE INSERT FOR EACH ROW, its dumped row
 * arriving in a restore begins restoring; BEFORE UPDATE OR DELETE OR
 * TRUNCATE FOR EACH STATEMENT, refused: without its row, dumps would not
 * restore.
 */
PG_FUNCTION_INFO_V1(sacrosanct_begin_restore);
Datum
sacrosanct_begin_restore(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) != !TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.begin_restore() must be fired BEFORE INSERT FOR EACH ROW, or BEFORE UPDATE OR DELETE OR TRUNCATE FOR EACH STATEMENT")));
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("table sacrosanct.begin_restore keeps its row"),
				 errdetail("pg_dump writes its row before the rest of sacrosanct's data; restoring it begins a restore."),
				 errhint("Leave it as CREATE EXTENSION made it.")));
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may restore sacrosanct's data"),
				 errdetail("A restore takes the schedule as it was dumped, unchecked."),
				 errhint("Restore the dump as a superuser.")));
	(void) set_config_option("sacrosanct.restoring", "on", PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_SET, true, 0, false);
	/* the row itself is not stored: the table keeps the one CREATE EXTENSION made */
	return PointerGetDatum(NULL);
}

/*
 * Event trigger at the end of ALTER TABLE: the extension's triggers that
 * fire whatever session_replication_role says (the guard, the master-data
 * checks, the schedule's refusal, begin_restore) and were left enabled
 * ORIGIN are enabled ALWAYS again.  It runs as the one who altered the
 * table, who owns it; a trigger disabled on purpose stays disabled.
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
					"       'sacrosanct.schedule_write()', 'sacrosanct.begin_restore()'"
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
