/*
 * pipeline_io.c
 *		The pipeline's tables at the heap level: index reads, row locks and
 *		writes with the executor's simple-relation routines (as logical
 *		replication applies rows).
 *
 * Nothing here runs SQL, fires a trigger or evaluates anything but the
 * tables' own index predicates, so no user code runs inside a write, and a
 * write needs no privilege: the caller (a C trigger that checked the rules,
 * escalate(), the schedule's at-risk callback) is the check.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "pipeline.h"

/* ------------------------------------------------------------------------
 * The relations
 * ------------------------------------------------------------------------
 */

static const char *const rel_names[PL_NRELS] = {
	"stage", "transition", "work_item", "handoff", "stage_visit", "item_event"
};
static const int rel_natts[PL_NRELS] = {
	ST_NATTS, TR_NATTS, WI_NATTS, HO_NATTS, SV_NATTS, EV_NATTS
};
static const char *const stage_cols[] = {
	"code", "name", "role", "accept_within", "complete_within", "wip_limit", "needs_backed_order"
};
static const char *const transition_cols[] = {"from_stage", "to_stage", "required_context"};
static const char *const work_item_cols[] = {
	"id", "customer", "title", "stage", "accountable", "context", "opened_at", "opened_by",
	"entered_at", "open_handoff", "visited", "closed_at", "closed_by", "outcome", "order_key",
	"order_table"
};
static const char *const handoff_cols[] = {
	"id", "item", "from_stage", "to_stage", "context", "state", "offered_by", "offered_at",
	"due_at", "accepted_by", "accepted_at", "returned_by", "returned_at", "returned_reason",
	"escalated_at", "by_sacrosanct"
};
static const char *const stage_visit_cols[] = {
	"id", "item", "stage", "via_handoff", "entered_at", "entered_by", "left_at", "escalated_at"
};
static const char *const item_event_cols[] = {
	"id", "item", "handoff", "event", "stage", "at", "session_user_name", "current_user_name",
	"by_sacrosanct", "detail"
};
static const char *const *const rel_cols[PL_NRELS] = {
	stage_cols, transition_cols, work_item_cols, handoff_cols, stage_visit_cols, item_event_cols
};

enum
{
	IX_WORK_ITEM_OPEN_STAGE, IX_WORK_ITEM_OPEN_ORDER, IX_HANDOFF_DUE, IX_STAGE_VISIT_CURRENT,
	IX_STAGE_VISIT_OPEN, IX_N
};
static const char *const index_names[IX_N] = {
	"work_item_open_stage", "work_item_open_order", "handoff_due", "stage_visit_current",
	"stage_visit_open"
};

static struct
{
	bool		valid;
	Oid			rel[PL_NRELS];
	Oid			pkey[PL_NRELS];
	Oid			index[IX_N];
	Oid			seq_id;			/* pipeline_id: work items and handoffs */
	Oid			seq_log;		/* pipeline_log_id: stage visits and item events */
	Oid			atttype[PL_NRELS][PL_MAX_NATTS];
} pl;

static void
rels_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid)
		pl.valid = false;
	for (int i = 0; i < PL_NRELS && pl.valid; i++)
		if (relid == pl.rel[i] || relid == pl.pkey[i])
			pl.valid = false;
	for (int i = 0; i < IX_N && pl.valid; i++)
		if (relid == pl.index[i])
			pl.valid = false;
}

static Oid
relation_oid(Oid nsp, const char *name)
{
	Oid			oid = get_relname_relid(name, nsp);

	if (!OidIsValid(oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("relation \"sacrosanct.%s\" does not exist", name),
				 errhint("Is the extension installed?  Run CREATE EXTENSION sacrosanct.")));
	return oid;
}

static void
rels_ensure(void)
{
	static bool callback_registered = false;
	Oid			nsp;

	if (pl.valid)
		return;
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(rels_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	nsp = get_namespace_oid("sacrosanct", false);
	for (int r = 0; r < PL_NRELS; r++)
	{
		Relation	rel;
		TupleDesc	desc;

		pl.rel[r] = relation_oid(nsp, rel_names[r]);
		pl.pkey[r] = relation_oid(nsp, psprintf("%s_pkey", rel_names[r]));
		/* the column numbers of pipeline.h are the tables'; an upgrade that moves them says so here */
		rel = table_open(pl.rel[r], AccessShareLock);
		desc = RelationGetDescr(rel);
		if (desc->natts != rel_natts[r])
			elog(ERROR, "sacrosanct.%s has %d columns, expected %d",
				 rel_names[r], desc->natts, rel_natts[r]);
		for (int i = 0; i < rel_natts[r]; i++)
		{
			if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), rel_cols[r][i]) != 0)
				elog(ERROR, "sacrosanct.%s column %d is \"%s\", expected \"%s\"", rel_names[r],
					 i + 1, NameStr(TupleDescAttr(desc, i)->attname), rel_cols[r][i]);
			pl.atttype[r][i] = TupleDescAttr(desc, i)->atttypid;
		}
		table_close(rel, AccessShareLock);
	}
	for (int i = 0; i < IX_N; i++)
		pl.index[i] = relation_oid(nsp, index_names[i]);
	pl.seq_id = relation_oid(nsp, "pipeline_id");
	pl.seq_log = relation_oid(nsp, "pipeline_log_id");
	pl.valid = true;
}

Oid
pl_relid(PlRel rel)
{
	rels_ensure();
	return pl.rel[rel];
}

const char *
pl_relname(PlRel rel)
{
	return rel_names[rel];
}

const char *
pl_attname(PlRel rel, int att)
{
	return rel_cols[rel][att - 1];
}

char *
pl_text(const PlRow *row, int att)
{
	if (PL_ISNULL(row, att))
		return NULL;
	rels_ensure();
	/* who did it is a name (as session_user is); everything else, text */
	if (pl.atttype[row->rel][att - 1] == NAMEOID)
		return pstrdup(NameStr(*DatumGetName(PL_VAL(row, att))));
	return TextDatumGetCString(PL_VAL(row, att));
}

void
pl_row_init(PlRel rel, PlRow *row)
{
	memset(row, 0, sizeof(*row));
	row->rel = rel;
	for (int i = 0; i < PL_MAX_NATTS; i++)
		row->n[i] = true;
}

void
pl_row_from_tuple(PlRel rel, HeapTuple tuple, TupleDesc desc, PlRow *row)
{
	pl_row_init(rel, row);
	heap_deform_tuple(tuple, desc, row->v, row->n);
	row->tid = tuple->t_self;
}

HeapTuple
pl_row_to_tuple(const PlRow *row, TupleDesc desc)
{
	return heap_form_tuple(desc, (Datum *) row->v, (bool *) row->n);
}

/* ------------------------------------------------------------------------
 * Reads
 * ------------------------------------------------------------------------
 */

static Snapshot
statement_snapshot(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
}

/*
 * What is committed now, and everything this transaction wrote so far
 * (its current command included).
 */
static Snapshot
latest_snapshot(void)
{
	CommandCounterIncrement();
	return RegisterSnapshot(GetLatestSnapshot());
}

static void
slot_to_row(PlRel rel, TupleTableSlot *slot, PlRow *out)
{
	HeapTuple	tup = ExecCopySlotHeapTuple(slot);

	pl_row_from_tuple(rel, tup, slot->tts_tupleDescriptor, out);
	out->tid = slot->tts_tid;
}

/*
 * Rows of rel through an index, at most max (0: all).  Each row found is
 * passed to the callback, or copied into out[0] when there is none.
 */
typedef void (*RowCallback) (PlRow *row, void *arg);

static int
index_read(PlRel rel, Oid index, ScanKey keys, int nkeys, Snapshot snapshot, int max,
		   PlRow *out, RowCallback callback, void *arg)
{
	Relation	heap = table_open(pl.rel[rel], AccessShareLock);
	Relation	idx = index_open(index, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(heap, NULL);
	IndexScanDesc scan = index_beginscan(heap, idx, snapshot, nkeys, 0);
	int			n = 0;

	index_rescan(scan, keys, nkeys, NULL, 0);
	while ((max == 0 || n < max) && index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		if (callback)
		{
			PlRow		row;

			slot_to_row(rel, slot, &row);
			callback(&row, arg);
		}
		else if (out)
			slot_to_row(rel, slot, out);
		n++;
		CHECK_FOR_INTERRUPTS();
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, AccessShareLock);
	table_close(heap, AccessShareLock);
	return n;
}

static void
key_int8(ScanKey key, AttrNumber att, int64 value)
{
	ScanKeyInit(key, att, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(value));
}

static void
key_text(ScanKey key, AttrNumber att, const char *value)
{
	ScanKeyInit(key, att, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(value));
	key->sk_collation = C_COLLATION_OID;
}

static bool
fetch_by_id(PlRel rel, int64 id, Snapshot snapshot, PlRow *out)
{
	ScanKeyData key;

	rels_ensure();
	key_int8(&key, 1, id);
	return index_read(rel, pl.pkey[rel], &key, 1, snapshot, 1, out, NULL, NULL) > 0;
}

bool
pl_fetch(PlRel rel, int64 id, PlRow *out)
{
	return fetch_by_id(rel, id, statement_snapshot(), out);
}

bool
pl_fetch_latest(PlRel rel, int64 id, PlRow *out)
{
	Snapshot	snap;
	bool		found;

	rels_ensure();
	snap = latest_snapshot();
	found = fetch_by_id(rel, id, snap, out);
	UnregisterSnapshot(snap);
	return found;
}

bool
pl_stage_fetch(const char *code, PlRow *out)
{
	ScanKeyData key;

	rels_ensure();
	key_text(&key, 1, code);
	return index_read(PL_STAGE, pl.pkey[PL_STAGE], &key, 1, statement_snapshot(), 1,
					  out, NULL, NULL) > 0;
}

bool
pl_transition_fetch(const char *from, const char *to, PlRow *out)
{
	ScanKeyData key[2];

	rels_ensure();
	key_text(&key[0], 1, from);
	key_text(&key[1], 2, to);
	return index_read(PL_TRANSITION, pl.pkey[PL_TRANSITION], key, 2, statement_snapshot(), 1,
					  out, NULL, NULL) > 0;
}

static void
collect_row(PlRow *row, void *arg)
{
	List	  **list = (List **) arg;
	PlRow	   *copy = palloc(sizeof(PlRow));

	*copy = *row;
	*list = lappend(*list, copy);
}

List *
pl_stage_all(void)
{
	List	   *list = NIL;

	rels_ensure();
	index_read(PL_STAGE, pl.pkey[PL_STAGE], NULL, 0, statement_snapshot(), 0,
			   NULL, collect_row, &list);
	return list;
}

List *
pl_transitions_from(const char *from)
{
	List	   *list = NIL;
	ScanKeyData key;

	rels_ensure();
	key_text(&key, 1, from);
	index_read(PL_TRANSITION, pl.pkey[PL_TRANSITION], &key, 1, statement_snapshot(), 0,
			   NULL, collect_row, &list);
	return list;
}

/* index_read() with what is committed now plus this transaction's writes */
static int
latest_read(PlRel rel, int index, ScanKey key, int max, PlRow *out)
{
	Snapshot	snap;
	int			n;

	snap = latest_snapshot();
	n = index_read(rel, pl.index[index], key, 1, snap, max, out, NULL, NULL);
	UnregisterSnapshot(snap);
	return n;
}

bool
pl_current_visit(int64 item, PlRow *out)
{
	ScanKeyData key;

	rels_ensure();
	key_int8(&key, 1, item);
	return latest_read(PL_STAGE_VISIT, IX_STAGE_VISIT_CURRENT, &key, 1, out) > 0;
}

bool
pl_open_item_by_order(const char *order_key, PlRow *out)
{
	ScanKeyData key;

	rels_ensure();
	key_text(&key, 1, order_key);
	return latest_read(PL_WORK_ITEM, IX_WORK_ITEM_OPEN_ORDER, &key, 1, out) > 0;
}

int64
pl_count_open_items(const char *stage, int64 stop_after)
{
	ScanKeyData key;

	rels_ensure();
	key_text(&key, 1, stage);
	return latest_read(PL_WORK_ITEM, IX_WORK_ITEM_OPEN_STAGE, &key,
					   (int) Min(stop_after + 1, PG_INT32_MAX), NULL);
}

static void
collect_id(PlRow *row, void *arg)
{
	List	  **list = (List **) arg;
	int64	   *id = palloc(sizeof(int64));

	*id = DatumGetInt64(row->v[0]);
	*list = lappend(*list, id);
}

List *
pl_late_handoffs(TimestampTz now)
{
	List	   *ids = NIL;
	ScanKeyData key;

	rels_ensure();
	ScanKeyInit(&key, 1, BTLessStrategyNumber, F_TIMESTAMPTZ_LT, TimestampTzGetDatum(now));
	index_read(PL_HANDOFF, pl.index[IX_HANDOFF_DUE], &key, 1, statement_snapshot(), 0,
			   NULL, collect_id, &ids);
	return ids;
}

List *
pl_overdue_visits(const char *stage, TimestampTz cutoff)
{
	List	   *ids = NIL;
	ScanKeyData key[2];

	rels_ensure();
	key_text(&key[0], 1, stage);
	ScanKeyInit(&key[1], 2, BTLessStrategyNumber, F_TIMESTAMPTZ_LT, TimestampTzGetDatum(cutoff));
	index_read(PL_STAGE_VISIT, pl.index[IX_STAGE_VISIT_OPEN], key, 2, statement_snapshot(), 0,
			   NULL, collect_id, &ids);
	return ids;
}

/* ------------------------------------------------------------------------
 * Row locks
 * ------------------------------------------------------------------------
 */

/*
 * latest: find the row as committed now and lock its last version whatever
 * the isolation level; for sacrosanct's own bookkeeping (a stay's end),
 * where a change after the snapshot (escalate() marking the stay) is no
 * conflict.
 */
static PlLock
lock_row(PlRel rel, int64 id, bool skip_locked, bool latest, PlRow *out)
{
	Snapshot	snap = latest ? latest_snapshot() : statement_snapshot();
	Relation	heap;
	TupleTableSlot *slot;
	TM_FailureData tmfd;
	TM_Result	res;
	PlRow		found;
	uint8		flags = 0;

	if (!fetch_by_id(rel, id, snap, &found))
	{
		if (latest)
			UnregisterSnapshot(snap);
		return PL_MISSING;
	}

	/* as ExecLockRows: follow updates only where the snapshot may move on */
	if (latest || !IsolationUsesXactSnapshot())
		flags |= TUPLE_LOCK_FLAG_FIND_LAST_VERSION;
	heap = table_open(pl.rel[rel], RowShareLock);
	slot = table_slot_create(heap, NULL);
	res = table_tuple_lock(heap, &found.tid, snap, slot, GetCurrentCommandId(false),
						   LockTupleNoKeyExclusive,
						   skip_locked ? LockWaitSkip : LockWaitBlock, flags, &tmfd);
	if (res == TM_Ok)
		slot_to_row(rel, slot, out);
	ExecDropSingleTupleTableSlot(slot);
	/* the lock on the relation stays until the end of the transaction, as the row lock does */
	table_close(heap, NoLock);
	if (latest)
		UnregisterSnapshot(snap);

	switch (res)
	{
		case TM_Ok:
			return PL_LOCKED;
		case TM_SelfModified:
			/* this very command changed it: it is ours already; read what it wrote */
			pl_relocate(rel, id, out);
			return PL_LOCKED;
		case TM_WouldBlock:
			return PL_SKIPPED;
		case TM_Updated:
		case TM_Deleted:
			if (skip_locked)
				return PL_SKIPPED;
			if (IsolationUsesXactSnapshot() && !latest)
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update of sacrosanct.%s",
								rel_names[rel]),
						 errdetail("Row %lld changed after this transaction's snapshot was taken.",
								   (long long) id),
						 errhint("Retry the transaction.")));
			/* the updates were followed: only a deletion ends here */
			return PL_MISSING;
		default:
			elog(ERROR, "unexpected result %d locking a row of sacrosanct.%s", (int) res,
				 rel_names[rel]);
	}
	return PL_MISSING;			/* not reached */
}

/*
 * FOR KEY SHARE on a stage, as a foreign key check would take it: a row
 * written at the heap level that names the stage keeps it from being
 * deleted under it.  False when there is no such stage.
 */
bool
pl_stage_key_share(const char *code, PlRow *out)
{
	Relation	heap;
	TupleTableSlot *slot;
	TM_FailureData tmfd;
	TM_Result	res;

	if (!pl_stage_fetch(code, out))
		return false;
	heap = table_open(pl.rel[PL_STAGE], RowShareLock);
	slot = table_slot_create(heap, NULL);
	res = table_tuple_lock(heap, &out->tid, statement_snapshot(), slot, GetCurrentCommandId(false),
						   LockTupleKeyShare, LockWaitBlock, TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
	if (res == TM_Ok)
		slot_to_row(PL_STAGE, slot, out);
	ExecDropSingleTupleTableSlot(slot);
	table_close(heap, NoLock);
	return res == TM_Ok || res == TM_SelfModified;
}

PlLock
pl_lock(PlRel rel, int64 id, bool skip_locked, PlRow *out)
{
	return lock_row(rel, id, skip_locked, false, out);
}

PlLock
pl_lock_latest(PlRel rel, int64 id, PlRow *out)
{
	return lock_row(rel, id, false, true, out);
}

void
pl_relocate(PlRel rel, int64 id, PlRow *out)
{
	if (!pl_fetch_latest(rel, id, out))
		elog(ERROR, "sacrosanct.%s row %lld, locked by this transaction, is gone",
			 rel_names[rel], (long long) id);
}

/* ------------------------------------------------------------------------
 * Writes
 * ------------------------------------------------------------------------
 */

typedef struct Writer
{
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
} Writer;

static void
writer_open(Writer *w, const PlRow *row)
{
	rels_ensure();
	w->rel = table_open(pl.rel[row->rel], RowExclusiveLock);
	w->estate = CreateExecutorState();
	w->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(w->rri, w->rel, 1, NULL, 0);
	ExecOpenIndices(w->rri, false);
#if PG_VERSION_NUM < 140000
	w->estate->es_result_relation_info = w->rri;
#endif
	w->slot = table_slot_create(w->rel, NULL);
	ExecClearTuple(w->slot);
	memcpy(w->slot->tts_values, row->v, sizeof(Datum) * rel_natts[row->rel]);
	memcpy(w->slot->tts_isnull, row->n, sizeof(bool) * rel_natts[row->rel]);
	ExecStoreVirtualTuple(w->slot);
}

/* index entries for the tuple just written; a unique index refuses a duplicate (23505) */
static void
writer_index(Writer *w)
{
	List	   *recheck;

#if PG_VERSION_NUM >= 140000
	recheck = ExecInsertIndexTuples(w->rri, w->slot, w->estate, false,
#if PG_VERSION_NUM >= 160000
									false,
#endif
									false, NULL, NIL);
#else
	recheck = ExecInsertIndexTuples(w->slot, w->estate, false, NULL, NIL);
#endif
	list_free(recheck);
}

static void
writer_close(Writer *w, PlRow *row)
{
	row->tid = w->slot->tts_tid;
	ExecDropSingleTupleTableSlot(w->slot);
	ExecCloseIndices(w->rri);
	FreeExecutorState(w->estate);
	table_close(w->rel, NoLock);
	/* what was written is seen by the next read of this transaction */
	CommandCounterIncrement();
}

/*
 * Write a row's values over the version at row->tid, which this
 * transaction holds locked (pl_lock, pl_relocate), so nobody else changed
 * it.
 */
void
pl_update(PlRow *row)
{
	Writer		w;
#if PG_VERSION_NUM >= 160000
	TU_UpdateIndexes update_indexes;
#else
	bool		update_indexes;
#endif

	writer_open(&w, row);
	simple_table_tuple_update(w.rel, &row->tid, w.slot, statement_snapshot(), &update_indexes);
#if PG_VERSION_NUM >= 160000
	if (update_indexes != TU_None)
#else
	if (update_indexes)
#endif
		writer_index(&w);
	writer_close(&w, row);
}

void
pl_insert(PlRow *row)
{
	Writer		w;

	writer_open(&w, row);
	table_tuple_insert(w.rel, w.slot, GetCurrentCommandId(true), 0, NULL);
	writer_index(&w);
	writer_close(&w, row);
}

/* ids without a privilege on the sequence: the caller is sacrosanct's own code */
int64
pl_nextval(PlRel rel)
{
	rels_ensure();
	return nextval_internal(rel == PL_WORK_ITEM || rel == PL_HANDOFF ? pl.seq_id : pl.seq_log,
							false);
}

const char *
pl_current_user(void)
{
	return GetUserNameFromId(GetUserId(), false);
}

const char *
pl_session_user(void)
{
	return GetUserNameFromId(GetSessionUserId(), false);
}

Datum
pl_name_datum(const char *s)
{
	return DirectFunctionCall1(namein, CStringGetDatum(s));
}

/*
 * Who acts: current_user; but for what sacrosanct does itself on someone's
 * behalf, the role at the level of SET ROLE (the outer user), so that a
 * caller that switched to the extension's owner for its own writes is
 * still named.
 */
const char *
pl_actor(bool by_sacrosanct)
{
	return GetUserNameFromId(by_sacrosanct ? GetOuterUserId() : GetUserId(), false);
}

void
pl_event(int64 item, int64 handoff, const char *event, const char *stage, bool by_sacrosanct,
		 const char *detail_json)
{
	PlRow		ev;

	pl_row_init(PL_ITEM_EVENT, &ev);
	PL_SET(&ev, EV_ID, Int64GetDatum(pl_nextval(PL_ITEM_EVENT)));
	PL_SET(&ev, EV_ITEM, Int64GetDatum(item));
	if (handoff != 0)
		PL_SET(&ev, EV_HANDOFF, Int64GetDatum(handoff));
	PL_SET(&ev, EV_EVENT, CStringGetTextDatum(event));
	PL_SET(&ev, EV_STAGE, CStringGetTextDatum(stage));
	PL_SET(&ev, EV_AT, TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));
	PL_SET(&ev, EV_SESSION_USER, pl_name_datum(pl_session_user()));
	PL_SET(&ev, EV_CURRENT_USER, pl_name_datum(pl_actor(by_sacrosanct)));
	PL_SET(&ev, EV_BY_SACROSANCT, BoolGetDatum(by_sacrosanct));
	if (detail_json)
		PL_SET(&ev, EV_DETAIL, DirectFunctionCall1(jsonb_in, CStringGetDatum(detail_json)));
	pl_insert(&ev);
}

/* ------------------------------------------------------------------------
 * NOTIFY
 * ------------------------------------------------------------------------
 */

/*
 * The payload is a JSON object: event, handoff, item, from, to, due_at
 * (ISO 8601, NULL when the target stage has no accept clock), and
 * renegotiation when sacrosanct handed an order at risk over.  Async_Notify
 * queues it with the transaction: listeners get it at commit, never after a
 * rollback.
 */
void
pl_notify(const char *stage, const char *event, int64 handoff, int64 item, const char *from,
		  const char *to, const Datum *due_at, int64 renegotiation)
{
	StringInfoData p;

	initStringInfo(&p);
	appendStringInfoString(&p, "{\"event\": ");
	escape_json(&p, event);
	if (handoff != 0)
		appendStringInfo(&p, ", \"handoff\": " INT64_FORMAT, handoff);
	else
		appendStringInfoString(&p, ", \"handoff\": null");
	appendStringInfo(&p, ", \"item\": " INT64_FORMAT ", \"from\": ", item);
	escape_json(&p, from);
	appendStringInfoString(&p, ", \"to\": ");
	escape_json(&p, to);
	appendStringInfoString(&p, ", \"due_at\": ");
	if (due_at)
		appendStringInfo(&p, "\"%s\"", JsonEncodeDateTime(NULL, *due_at, TIMESTAMPTZOID, NULL));
	else
		appendStringInfoString(&p, "null");
	if (renegotiation != 0)
		appendStringInfo(&p, ", \"renegotiation\": " INT64_FORMAT, renegotiation);
	appendStringInfoChar(&p, '}');
	Async_Notify(psprintf("sacrosanct_%s", stage), p.data);
}
