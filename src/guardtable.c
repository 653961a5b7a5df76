/*
 * guardtable.c
 *		Guarding a table the ERP already has: guard() and unguard().
 *
 * guard() checks everything the triggers will rely on before attaching
 * anything (the caller owns a plain table, the columns exist with types the
 * guard reads, the key is unique, the status values are sound), plans the
 * table's open rows in (promised, key) order, and only then attaches the
 * triggers.  If an open row cannot be backed, guard() fails naming every
 * such row and leaves nothing behind.
 *
 * The caller reads and writes the table as itself (their table, their
 * triggers, their policies).  Only the CREATE and DROP TRIGGER statements,
 * which name trigger functions nobody else may attach, run as the extension
 * owner, with a pinned search_path (query.h).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "guardmap.h"
#include "planlog.h"
#include "promise.h"
#include "query.h"
#include "tables.h"

/* the trigger names guard() gives, in the order it creates them */
static const char *const trigger_names[] = {
	"sacrosanct_guard_before", "sacrosanct_guard_before_update", "sacrosanct_guard_after",
	"sacrosanct_guard_statement", "sacrosanct_guard_truncate"
};
#define NTRIGGERS lengthof(trigger_names)

static Oid
guard_after_oid(void)
{
	List	   *name = list_make2(makeString("sacrosanct"), makeString("guard_after"));

	return LookupFuncName(name, 0, NULL, false);
}

/* Is the table guarded?  (It has the guard's AFTER trigger.) */
static bool
is_guarded(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;
	Oid			fn = guard_after_oid();

	for (int i = 0; td && i < td->numtriggers; i++)
		if (td->triggers[i].tgfoid == fn)
			return true;
	return false;
}

/* the table, locked against writers, owned by the caller, a plain table */
static Relation
open_owned_table(Oid relid, const char *what)
{
	Relation	rel = table_open(relid, ShareRowExclusiveLock);
	char		kind = rel->rd_rel->relkind;

#if PG_VERSION_NUM >= 160000
	if (!object_ownercheck(RelationRelationId, relid, GetUserId()))
#else
	if (!pg_class_ownercheck(relid, GetUserId()))
#endif
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s to %s it", RelationGetRelationName(rel), what),
				 errhint("Ask the table's owner, or a role that is a member of it.")));
	if (kind == RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot %s partitioned table %s", what, RelationGetRelationName(rel)),
				 errdetail("The guard works on plain tables."),
				 errhint("Guard each partition, or the table the ERP writes its order lines to.")));
	if (kind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", RelationGetRelationName(rel)),
				 errdetail("Only a table's rows can be guarded; a view or a foreign table has none of its own."),
				 errhint("Guard the table the rows are written to.")));
	if (RelationGetNamespace(rel) == get_namespace_oid("sacrosanct", false))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot %s sacrosanct's own table %s", what, RelationGetRelationName(rel)),
				 errhint("sacrosanct.orders is guarded already; guard the ERP's own tables.")));
	return rel;
}

/* ------------------------------------------------------------------------
 * The column map, checked
 * ------------------------------------------------------------------------
 */

/* a column of the table, of one of the types the guard reads */
static void
check_column(Relation rel, const char *what, const char *col, const Oid *types, int ntypes,
			 bool domains, const char *expected)
{
	int			att = SPI_fnumber(RelationGetDescr(rel), col);
	Oid			type;

	if (att <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table %s has no column \"%s\"", RelationGetRelationName(rel), col),
				 errdetail("It was given as the order's %s.", what),
				 errhint("Name the column that holds the order's %s.", what)));
	type = TupleDescAttr(RelationGetDescr(rel), att - 1)->atttypid;
	if (domains)
		type = getBaseType(type);
	for (int i = 0; i < ntypes; i++)
		if (type == types[i])
			return;
	if (domains && type_is_enum(type) && strcmp(what, "status") == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("column \"%s\" of %s is of type %s, which cannot hold the order's %s",
					col, RelationGetRelationName(rel),
					format_type_be(TupleDescAttr(RelationGetDescr(rel), att - 1)->atttypid), what),
			 errdetail("The order's %s must be %s.", what, expected),
			 errhint("Map another column, or add one of that type.")));
}

/* the key must identify one row: a unique index on exactly that column */
static void
check_key_unique(Relation rel, const char *col)
{
	AttrNumber	att = SPI_fnumber(RelationGetDescr(rel), col);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index ix;
		bool		one;

		if (!HeapTupleIsValid(tup))
			continue;
		ix = (Form_pg_index) GETSTRUCT(tup);
		one = ix->indisunique && ix->indnkeyatts == 1 && ix->indkey.values[0] == att &&
			heap_attisnull(tup, Anum_pg_index_indpred, NULL) &&
			heap_attisnull(tup, Anum_pg_index_indexprs, NULL);
		ReleaseSysCache(tup);
		if (one)
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
			 errmsg("key column \"%s\" of %s is not unique", col, RelationGetRelationName(rel)),
			 errdetail("The guard plans one order per key; two rows with one key would be one order."),
			 errhint("Make it the primary key, or add a unique constraint on it alone.")));
}

/* a text[] argument: no NULL array, no NULL element */
static int
text_list(ArrayType *a, const char *arg, char ***out)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", arg)));
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	*out = palloc(sizeof(char *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", arg),
					 errhint("A NULL status is open; list only the values that mean done or cancelled.")));
		(*out)[i] = TextDatumGetCString(elems[i]);
	}
	return n;
}

static const char *
arg_text(FunctionCallInfo fcinfo, int i, const char *arg, bool required)
{
	if (PG_ARGISNULL(i))
	{
		if (required)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("%s must not be NULL", arg),
					 errhint("Name the column that holds the order's %s.", arg)));
		return "";
	}
	return text_to_cstring(PG_GETARG_TEXT_PP(i));
}

/* guard()'s arguments into the column map, every column checked */
static void
map_arguments(FunctionCallInfo fcinfo, Relation rel, ScGuardMap *m)
{
	static const Oid key_types[] = {TEXTOID, VARCHAROID, BPCHAROID, INT2OID, INT4OID, INT8OID,
	NUMERICOID, UUIDOID};
	static const Oid text_types[] = {TEXTOID, VARCHAROID, BPCHAROID};
	static const Oid qty_types[] = {INT2OID, INT4OID, INT8OID, NUMERICOID};
	static const Oid day_types[] = {DATEOID, TIMESTAMPTZOID, TIMESTAMPOID};
	ScGuardArgs *a = &m->args;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < G_NCOLS; i++)
		a->col[i] = "";
	a->col[G_KEY] = arg_text(fcinfo, 1, "key", true);
	a->col[G_PRODUCT] = arg_text(fcinfo, 2, "product", true);
	a->col[G_QTY] = arg_text(fcinfo, 3, "qty", true);
	a->col[G_PROMISED] = arg_text(fcinfo, 4, "promised", true);
	a->col[G_STATUS] = arg_text(fcinfo, 5, "status", false);
	a->col[G_NOT_BEFORE] = arg_text(fcinfo, 6, "not_before", false);

	check_column(rel, "key", a->col[G_KEY], key_types, lengthof(key_types), true,
				 "text, varchar, an integer, numeric or uuid");
	check_column(rel, "product", a->col[G_PRODUCT], text_types, lengthof(text_types), true,
				 "text or varchar");
	check_column(rel, "qty", a->col[G_QTY], qty_types, lengthof(qty_types), false,
				 "an integer or numeric");
	check_column(rel, "promised", a->col[G_PROMISED], day_types, lengthof(day_types), false,
				 "date or timestamptz");
	if (a->col[G_STATUS][0])
		check_column(rel, "status", a->col[G_STATUS], text_types, lengthof(text_types), true,
					 "text, varchar or an enum");
	if (a->col[G_NOT_BEFORE][0])
		check_column(rel, "not_before", a->col[G_NOT_BEFORE], day_types, lengthof(day_types),
					 false, "date or timestamptz");
	for (int i = 0; i < G_NCOLS; i++)
		for (int j = i + 1; j < G_NCOLS; j++)
			if (a->col[i][0] && strcmp(a->col[i], a->col[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("column \"%s\" is given as both the order's %s and its %s",
								a->col[i], sc_guard_arg_names[i], sc_guard_arg_names[j]),
						 errhint("Map each to a column of its own.")));
	check_key_unique(rel, a->col[G_KEY]);

	if (PG_ARGISNULL(7) || PG_ARGISNULL(8))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("%s must not be NULL", PG_ARGISNULL(7) ? "done_values" : "cancelled_values"),
				 errhint("Pass an empty array when no status value means that.")));
	a->ndone = text_list(PG_GETARG_ARRAYTYPE_P(7), "done_values", &a->done);
	a->ncancelled = text_list(PG_GETARG_ARRAYTYPE_P(8), "cancelled_values", &a->cancelled);
	for (int i = 0; i < a->ndone; i++)
		if (sc_guard_value_in(a->done[i], a->cancelled, a->ncancelled))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("status value \"%s\" means both done and cancelled", a->done[i]),
					 errhint("A done order was delivered; a cancelled one was not: list each value once.")));
	sc_guard_map_init(m, rel);
}

/* ------------------------------------------------------------------------
 * Planning the open rows
 * ------------------------------------------------------------------------
 */

typedef struct Row
{
	ScOrderIn	in;
	ItemPointerData tid;
} Row;

static int
row_cmp(const void *a, const void *b)
{
	const ScOrderIn *x = &((const Row *) a)->in;
	const ScOrderIn *y = &((const Row *) b)->in;

	/* (promised, key): rows without a promise last, in key order */
	if (x->promised != y->promised)
	{
		if (x->promised == SC_NO_DAY)
			return 1;
		if (y->promised == SC_NO_DAY)
			return -1;
		return x->promised < y->promised ? -1 : 1;
	}
	return strcmp(x->key, y->key);
}

/*
 * The open rows of the table in (promised, key) order: every row, whatever
 * a row-level policy would show (the caller owns the table; the guard must
 * plan them all).
 */
static Row *
open_rows(const ScGuardMap *m, int *n)
{
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	TableScanDesc scan = table_beginscan(m->rel, snap, 0, NULL);
	TupleTableSlot *slot = table_slot_create(m->rel, NULL);
	int			max = 1024;
	Row		   *rows = palloc(sizeof(Row) * max);

	*n = 0;
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		should_free;
		HeapTuple	row = ExecFetchSlotHeapTuple(slot, false, &should_free);

		if (!sc_guard_row_open(m, row))
			continue;
		if (*n == max)
		{
			max *= 2;
			rows = repalloc_huge(rows, sizeof(Row) * max);
		}
		(void) sc_guard_row_order(m, row, &rows[*n].in, false);
		rows[*n].tid = slot->tts_tid;
		(*n)++;
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snap);
	qsort(rows, *n, sizeof(Row), row_cmp);
	return rows;
}

/* an open row without a promise gets the earliest date, written by the caller */
static void
write_promise(const ScGuardMap *m, const Row *r, ScDay day)
{
	StringInfoData q;
	Oid			types[2] = {sc_guard_coltype(m, G_PROMISED), TIDOID};
	Datum		values[2];

	initStringInfo(&q);
	appendStringInfo(&q, "UPDATE %s SET %s = $1 WHERE ctid OPERATOR(pg_catalog.=) $2",
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(m->rel)),
												RelationGetRelationName(m->rel)),
					 quote_identifier(sc_guard_colname(m, G_PROMISED)));
	values[0] = sc_guard_day_datum(m, G_PROMISED, day);
	values[1] = PointerGetDatum(&r->tid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(q.data, 2, types, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "sacrosanct: could not write the promise of order \"%s\"", r->in.key);
	SPI_finish();
}

/*
 * Plan one row in a subtransaction: a row that cannot be backed is noted
 * (its SC001 DETAIL carries the earliest date) and the others go on.
 */
static bool
plan_row(const ScGuardMap *m, Row *r, StringInfo failed)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	bool		ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		if (r->in.promised == SC_NO_DAY)
			write_promise(m, r, sc_place_earliest(&r->in, NULL));
		else
			sc_place_order(&r->in, NULL);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		if (e->sqlerrcode != ERRCODE_SC_NOT_BACKED && e->sqlerrcode != ERRCODE_SC_UNKNOWN)
			ReThrowError(e);
		appendStringInfo(failed, "%sorder %s promised %s: %s", failed->len ? "\n" : "",
						 r->in.key, sc_day_text(r->in.promised),
						 e->detail ? pnstrdup(e->detail, strcspn(e->detail, "\n")) : e->message);
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return ok;
}

/* ------------------------------------------------------------------------
 * Triggers
 * ------------------------------------------------------------------------
 */

static const char *
qcol(const ScGuardMap *m, int col)
{
	return quote_identifier(sc_guard_colname(m, col));
}

/* CREATE TRIGGER statements for the guard on a table, with its argument list */
static List *
trigger_ddl(const ScGuardMap *m, const char *tbl)
{
	StringInfoData args;
	List	   *ddl = NIL;
	const char *nb = m->args.col[G_STATUS][0]
		? psprintf(" OR NEW.%s IS DISTINCT FROM OLD.%s", qcol(m, G_STATUS), qcol(m, G_STATUS)) : "";

	initStringInfo(&args);
	for (int i = 0; i < G_NCOLS; i++)
		appendStringInfo(&args, "%s%s", i ? ", " : "", quote_literal_cstr(m->args.col[i]));
	appendStringInfo(&args, ", %s, %s",
					 quote_literal_cstr(sc_guard_values_literal(m->args.done, m->args.ndone)),
					 quote_literal_cstr(sc_guard_values_literal(m->args.cancelled, m->args.ncancelled)));

	ddl = lappend(ddl, psprintf("CREATE TRIGGER %s BEFORE INSERT ON %s FOR EACH ROW WHEN (NEW.%s IS NULL)"
								" EXECUTE FUNCTION sacrosanct.guard_before(%s)",
								trigger_names[0], tbl, qcol(m, G_PROMISED), args.data));
	ddl = lappend(ddl, psprintf("CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW WHEN (NEW.%s IS NULL%s)"
								" EXECUTE FUNCTION sacrosanct.guard_before(%s)",
								trigger_names[1], tbl, qcol(m, G_PROMISED), nb, args.data));
	ddl = lappend(ddl, psprintf("CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW"
								" EXECUTE FUNCTION sacrosanct.guard_after(%s)",
								trigger_names[2], tbl, args.data));
	ddl = lappend(ddl, psprintf("CREATE TRIGGER %s AFTER INSERT OR UPDATE ON %s FOR EACH STATEMENT"
								" EXECUTE FUNCTION sacrosanct.guard_statement()",
								trigger_names[3], tbl));
	ddl = lappend(ddl, psprintf("CREATE TRIGGER %s BEFORE TRUNCATE ON %s FOR EACH STATEMENT"
								" EXECUTE FUNCTION sacrosanct.guard_truncate()",
								trigger_names[4], tbl));
	/* fired whatever session_replication_role says */
	for (int i = 0; i < (int) NTRIGGERS; i++)
		ddl = lappend(ddl, psprintf("ALTER TABLE %s ENABLE ALWAYS TRIGGER %s", tbl, trigger_names[i]));
	return ddl;
}

/* the extension's own DDL, as the extension's owner */
static void
run_as_owner(List *ddl)
{
	ScOwner		own;
	ListCell   *lc;

	sc_owner_begin(&own);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foreach(lc, ddl)
		if (SPI_execute((const char *) lfirst(lc), false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "sacrosanct: could not run \"%s\"", (const char *) lfirst(lc));
	SPI_finish();
	sc_owner_end(&own);
}

/* ------------------------------------------------------------------------
 * guard() and unguard()
 * ------------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(sacrosanct_guard);
Datum
sacrosanct_guard(PG_FUNCTION_ARGS)
{
	Relation	rel;
	ScGuardMap	m;
	const char *tbl;
	Row		   *rows;
	int			n;
	int			nfailed = 0;
	StringInfoData failed;
	List	   *ddl;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("tbl must not be NULL"),
				 errhint("Name the table to guard.")));
	rel = open_owned_table(PG_GETARG_OID(0), "guard");
	tbl = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									 RelationGetRelationName(rel));
	if (is_guarded(rel))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("table %s is guarded already", tbl),
				 errhint("To map other columns, call sacrosanct.unguard() first.")));
	map_arguments(fcinfo, rel, &m);

	/* its open orders, planned as if inserted one by one in (promised, key) order */
	rows = open_rows(&m, &n);
	initStringInfo(&failed);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!plan_row(&m, &rows[i], &failed))
			nfailed++;
	}
	if (nfailed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_SC_NOT_BACKED),
				 errmsg("%d open order%s of %s cannot be backed by the schedule",
						nfailed, nfailed == 1 ? "" : "s", tbl),
				 errdetail("%s", failed.data),
				 errhint("Give them the dates shown or add capacity, then guard the table again; nothing was attached.")));

	/* ALTER TABLE wants it closed here; the lock stays to the end of the transaction */
	ddl = trigger_ddl(&m, tbl);
	table_close(rel, NoLock);
	run_as_owner(ddl);
	sc_write_begin();
	sc_plan_log("guard", psprintf("%s: %d open order%s planned", tbl, n, n == 1 ? "" : "s"), 0);
	sc_write_end();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(sacrosanct_unguard);
Datum
sacrosanct_unguard(PG_FUNCTION_ARGS)
{
	Relation	rel;
	const char *tbl;
	List	   *ddl = NIL;
	int			n;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("tbl must not be NULL"),
				 errhint("Name the table to unguard.")));
	rel = open_owned_table(PG_GETARG_OID(0), "unguard");
	tbl = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									 RelationGetRelationName(rel));
	if (!is_guarded(rel))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table %s is not guarded", tbl),
				 errhint("sacrosanct.guard() guards a table.")));

	n = sc_release_table(RelationGetRelid(rel));
	for (int i = 0; i < (int) NTRIGGERS; i++)
		ddl = lappend(ddl, psprintf("DROP TRIGGER IF EXISTS %s ON %s", trigger_names[i], tbl));
	table_close(rel, NoLock);
	run_as_owner(ddl);
	sc_write_begin();
	sc_plan_log("unguard", psprintf("%s: %d open order%s released", tbl, n, n == 1 ? "" : "s"), 0);
	sc_write_end();
	PG_RETURN_VOID();
}
