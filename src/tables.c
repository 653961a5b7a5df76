/*
 * tables.c
 *		The extension's own tables: relation ids, the direct writer, and the
 *		trigger that refuses SQL writes to the schedule (see tables.h).
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "restore.h"
#include "tables.h"

static const char *const table_name[SC_NTABLES] = {
	"demand", "load", "plan_log", "renegotiation", "orders", "delivery"
};
static const char *const pkey_name[SC_NTABLES] = {
	"demand_pkey", "load_pkey", "plan_log_pkey", "renegotiation_pkey", "orders_pkey", "delivery_pkey"
};

static ScRels rels;
static bool rels_valid = false;

static void
rels_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid)
		rels_valid = false;
	for (int t = 0; t < SC_NTABLES && rels_valid; t++)
		if (relid == rels.table[t] || relid == rels.pkey[t])
			rels_valid = false;
	if (relid == rels.demand_key || relid == rels.demand_hold ||
		relid == rels.renegotiation_open)
		rels_valid = false;
}

static Oid
rel_oid(Oid nsp, const char *name)
{
	Oid			oid = get_relname_relid(name, nsp);

	if (!OidIsValid(oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("relation \"sacrosanct.%s\" does not exist", name),
				 errhint("Is the extension installed and up to date?  Run CREATE EXTENSION sacrosanct or ALTER EXTENSION sacrosanct UPDATE.")));
	return oid;
}

const ScRels *
sc_rels(void)
{
	static bool callback_registered = false;
	Oid			nsp;

	if (rels_valid)
		return &rels;
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(rels_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	nsp = get_namespace_oid("sacrosanct", false);
	for (int t = 0; t < SC_NTABLES; t++)
	{
		Relation	rel;

		rels.seq[t] = InvalidOid;
		if (t == SC_DELIVERY && !OidIsValid(get_relname_relid(table_name[t], nsp)))
		{
			/* new in 0.2.0: absent until ALTER EXTENSION UPDATE */
			rels.table[t] = rels.pkey[t] = InvalidOid;
			continue;
		}
		rels.table[t] = rel_oid(nsp, table_name[t]);
		rels.pkey[t] = rel_oid(nsp, pkey_name[t]);
		if (t == SC_LOAD || t == SC_ORDERS)
			continue;
		/* the identity column is the first */
		rel = table_open(rels.table[t], AccessShareLock);
#if PG_VERSION_NUM >= 170000
		rels.seq[t] = getIdentitySequence(rel, 1, false);
#else
		rels.seq[t] = getIdentitySequence(rels.table[t], 1, false);
#endif
		table_close(rel, AccessShareLock);
	}
	/*
	 * The library serves the objects of every release it may meet, until
	 * ALTER EXTENSION UPDATE: 0.1.0 keyed demand by order_key alone (it
	 * guarded one table) and logged no as_role (see planlog.c).
	 */
	rels.demand_key = get_relname_relid("demand_order", nsp);
	rels.demand_key_cols = 2;
	if (!OidIsValid(rels.demand_key))
	{
		rels.demand_key = rel_oid(nsp, "demand_order_key_key");
		rels.demand_key_cols = 1;
	}
	rels.demand_hold = rel_oid(nsp, "demand_hold_until");
	rels.renegotiation_open = get_relname_relid("renegotiation_open", nsp);
	rels_valid = true;
	return &rels;
}

/* ------------------------------------------------------------------------
 * The writer
 * ------------------------------------------------------------------------
 */

static ScWriter writers[SC_NTABLES];
static int	write_depth = 0;

void
sc_write_begin(void)
{
	write_depth++;
}

static void
writer_close(ScWriter *w)
{
	if (!w->open)
		return;
	if (w->scan)
		index_endscan(w->scan);
	if (w->index)
		index_close(w->index, RowExclusiveLock);
	if (w->snapshot)
		UnregisterSnapshot(w->snapshot);
	ExecDropSingleTupleTableSlot(w->slot);
	ExecDropSingleTupleTableSlot(w->found);
	ExecCloseIndices(w->rri);
	FreeExecutorState(w->estate);
	table_close(w->rel, RowExclusiveLock);
	memset(w, 0, sizeof(*w));
}

void
sc_write_end(void)
{
	Assert(write_depth > 0);
	if (--write_depth > 0)
		return;
	for (int t = 0; t < SC_NTABLES; t++)
		writer_close(&writers[t]);
	/* what we wrote is visible to what runs next in this transaction */
	CommandCounterIncrement();
}

void
sc_writers_forget(void)
{
	memset(writers, 0, sizeof(writers));
	write_depth = 0;
}

ScWriter *
sc_writer(ScTable t)
{
	ScWriter   *w = &writers[t];
	MemoryContext old;

	if (write_depth == 0)
		elog(ERROR, "sacrosanct: a schedule table is written outside sc_write_begin()");
	if (w->open)
		return w;
	sc_rels();
	w->which = t;
	w->rel = table_open(rels.table[t], RowExclusiveLock);
	w->estate = CreateExecutorState();
	old = MemoryContextSwitchTo(w->estate->es_query_cxt);
	w->rri = makeNode(ResultRelInfo);
	/* not in a range table: constraint errors then report no column list */
	InitResultRelInfo(w->rri, w->rel, 0, NULL, 0);
	/* nothing but the row itself: no trigger of the table may fire here */
	w->rri->ri_TrigDesc = NULL;
	ExecOpenIndices(w->rri, false);
	MemoryContextSwitchTo(old);
	w->slot = table_slot_create(w->rel, NULL);
	w->found = table_slot_create(w->rel, NULL);
	w->open = true;
	return w;
}

int64
sc_writer_next_id(ScTable t)
{
	sc_rels();
	return nextval_internal(rels.seq[t], false);
}

void
sc_writer_clear(ScWriter *w)
{
	TupleTableSlot *slot = w->slot;

	ExecClearTuple(slot);
	for (int i = 0; i < slot->tts_tupleDescriptor->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
}

void
sc_writer_insert(ScWriter *w)
{
	ExecStoreVirtualTuple(w->slot);
#if PG_VERSION_NUM >= 140000
	ExecSimpleRelationInsert(w->rri, w->estate, w->slot);
#else
	w->estate->es_result_relation_info = w->rri;
	ExecSimpleRelationInsert(w->estate, w->slot);
#endif
	ResetPerTupleExprContext(w->estate);
}

void
sc_writer_seek(ScWriter *w, Oid index)
{
	if (!OidIsValid(index))
		index = rels.pkey[w->which];
	if (w->snapshot)
		UnregisterSnapshot(w->snapshot);
	/* our own earlier writes must be found too */
	CommandCounterIncrement();
	w->snapshot = RegisterSnapshot(GetLatestSnapshot());
	w->estate->es_snapshot = w->snapshot;
	if (w->scan)
		index_endscan(w->scan);
	w->scan = NULL;
	if (w->index && RelationGetRelid(w->index) != index)
	{
		index_close(w->index, RowExclusiveLock);
		w->index = NULL;
	}
	if (w->index == NULL)
		w->index = index_open(index, RowExclusiveLock);
	w->scan = index_beginscan(w->rel, w->index, w->snapshot,
							  IndexRelationGetNumberOfKeyAttributes(w->index), 0);
}

bool
sc_writer_find(ScWriter *w, ScanKey keys, int nkeys)
{
	if (w->scan == NULL)
		sc_writer_seek(w, InvalidOid);
	index_rescan(w->scan, keys, nkeys, NULL, 0);
	return index_getnext_slot(w->scan, ForwardScanDirection, w->found);
}

void
sc_writer_update(ScWriter *w)
{
	ExecStoreVirtualTuple(w->slot);
#if PG_VERSION_NUM >= 140000
	ExecSimpleRelationUpdate(w->rri, w->estate, NULL, w->found, w->slot);
#else
	w->estate->es_result_relation_info = w->rri;
	ExecSimpleRelationUpdate(w->estate, NULL, w->found, w->slot);
#endif
	ResetPerTupleExprContext(w->estate);
}

void
sc_writer_delete(ScWriter *w)
{
#if PG_VERSION_NUM >= 140000
	ExecSimpleRelationDelete(w->rri, w->estate, NULL, w->found);
#else
	w->estate->es_result_relation_info = w->rri;
	ExecSimpleRelationDelete(w->estate, NULL, w->found);
#endif
}

void
sc_schedule_serialization_failure(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not serialize access due to concurrent update of the schedule"),
			 errdetail("A schedule row changed after this transaction's snapshot was taken."),
			 errhint("Retry the transaction.")));
}

/* ------------------------------------------------------------------------
 * SQL writes to the schedule
 * ------------------------------------------------------------------------
 */

/*
 * BEFORE statement trigger on demand, load, plan_log, renegotiation and
 * delivery: the schedule is what the planning engine computed, so nobody
 * writes it through SQL, superusers included.  The extension's own writes
 * do not pass here.  A restore inserts the schedule as it was dumped
 * (restore.c).
 */
PG_FUNCTION_INFO_V1(sacrosanct_schedule_write);
Datum
sacrosanct_schedule_write(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.schedule_write() must be called as a trigger")));
	if (sc_restoring_insert(td))
		return PointerGetDatum(NULL);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("table sacrosanct.%s is written only by sacrosanct",
					RelationGetRelationName(td->tg_relation)),
			 errdetail("The schedule is what the planning engine computed; a direct change would make it lie."),
			 errhint("Change orders, capacity or routings instead, or call sacrosanct.replan().")));
	return PointerGetDatum(NULL);
}
