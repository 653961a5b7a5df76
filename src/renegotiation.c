/*
 * renegotiation.c
 *		Writing sacrosanct.renegotiation, and the at_risk column of
 *		sacrosanct.orders (see renegotiation.h).
 *
 * Both are the extension's to write: through the direct writer, with no
 * trigger of sacrosanct.orders fired (the guard has nothing to plan for a
 * flag).  A guarded ERP table has no at_risk column; its at-risk orders show
 * in sacrosanct.demand and the views.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/timestamp.h"

#include "renegotiation.h"
#include "tables.h"

/* sacrosanct.renegotiation's columns, in table order */
enum
{
	R_ID, R_ORDER_KEY, R_OLD_PROMISE, R_NEW_EARLIEST, R_REASON, R_STATUS, R_CREATED_AT,
	R_SOURCE, R_RESOLVED_AT, R_NATTS
};

/* sacrosanct.orders: the key and the flag */
#define O_ORDER_KEY		0
#define O_AT_RISK		8

/* the open renegotiation of an order, into w->found */
static bool
find_open(ScWriter *w, const char *key, Oid source)
{
	const ScRels *rels = sc_rels();
	ScanKeyData keys[2];

	if (!OidIsValid(rels->renegotiation_open))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("sacrosanct's objects are older than its library"),
				 errhint("Run ALTER EXTENSION sacrosanct UPDATE.")));
	sc_writer_seek(w, rels->renegotiation_open);
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(key));
	keys[0].sk_collation = C_COLLATION_OID;
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(source));
	return sc_writer_find(w, keys, 2);
}

/* the found row's values into the slot, to change some of them */
static void
copy_found(ScWriter *w)
{
	TupleTableSlot *f = w->found;
	int			natts = f->tts_tupleDescriptor->natts;

	slot_getallattrs(f);
	sc_writer_clear(w);
	memcpy(w->slot->tts_values, f->tts_values, sizeof(Datum) * natts);
	memcpy(w->slot->tts_isnull, f->tts_isnull, sizeof(bool) * natts);
}

/*
 * Set while a forced change holds every resource lock and puts orders at
 * risk (masterdata.c): the row of an order another transaction holds is not
 * waited for then.  That transaction (an UPDATE or DELETE of the order, which
 * locked the row before its trigger asks for the resource locks) may be
 * waiting for the forced change's locks: waiting would deadlock.  The row's
 * key is noted in sc_orders_row_busy and SC_ORDER_ROW_BUSY raised; the
 * caller rolls its work back, waits for the row without the resource locks
 * (sc_wait_for_orders_row) and tries again.
 */
bool		sc_orders_row_nowait = false;
char		sc_orders_row_busy[NAMEDATALEN * 4];

static bool
lock_found_row(ScWriter *w)
{
	TM_FailureData tmfd;
	TupleTableSlot *locked = table_slot_create(w->rel, NULL);
	TM_Result	r;

	r = table_tuple_lock(w->rel, &w->found->tts_tid, w->snapshot, locked,
						 GetCurrentCommandId(false), LockTupleNoKeyExclusive,
						 LockWaitSkip, 0, &tmfd);
	ExecDropSingleTupleTableSlot(locked);
	return r != TM_WouldBlock;
}

/* sacrosanct.orders.at_risk, when the order is one of its rows */
static void
set_orders_at_risk(const char *key, Oid source, bool at_risk)
{
	ScWriter   *w;
	ScanKeyData k;

	if (source != sc_rels()->table[SC_ORDERS])
		return;
	w = sc_writer(SC_ORDERS);
	sc_writer_seek(w, InvalidOid);
	ScanKeyInit(&k, 1, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(key));
	k.sk_collation = C_COLLATION_OID;
	if (!sc_writer_find(w, &k, 1))
		return;
	copy_found(w);
	if (!w->slot->tts_isnull[O_AT_RISK] && DatumGetBool(w->slot->tts_values[O_AT_RISK]) == at_risk)
		return;
	if (sc_orders_row_nowait && !lock_found_row(w))
	{
		strlcpy(sc_orders_row_busy, key, sizeof(sc_orders_row_busy));
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("order \"%s\" is being changed by another transaction", key),
				 errdetail("A forced change steps back until that transaction is done.")));
	}
	w->slot->tts_values[O_AT_RISK] = BoolGetDatum(at_risk);
	w->slot->tts_isnull[O_AT_RISK] = false;
	sc_writer_update(w);
}

int64
sc_renegotiation_open(const char *key, Oid source, ScDay old_promise, ScDay new_earliest,
					  const char *reason)
{
	ScWriter   *w = sc_writer(SC_RENEGOTIATION);
	Datum	   *v = w->slot->tts_values;
	bool	   *n = w->slot->tts_isnull;
	int64		id;

	if (find_open(w, key, source))
	{
		/* at risk again before anyone agreed: the latest date and reason count */
		copy_found(w);
		id = DatumGetInt64(v[R_ID]);
		v[R_NEW_EARLIEST] = DateADTGetDatum(new_earliest);
		n[R_NEW_EARLIEST] = new_earliest == SC_NO_DAY;
		v[R_REASON] = CStringGetTextDatum(reason);
		sc_writer_update(w);
	}
	else
	{
		sc_writer_clear(w);
		id = sc_writer_next_id(SC_RENEGOTIATION);
		for (int i = 0; i < R_NATTS; i++)
			n[i] = false;
		v[R_ID] = Int64GetDatum(id);
		v[R_ORDER_KEY] = CStringGetTextDatum(key);
		v[R_OLD_PROMISE] = DateADTGetDatum(old_promise);
		v[R_NEW_EARLIEST] = DateADTGetDatum(new_earliest);
		n[R_NEW_EARLIEST] = new_earliest == SC_NO_DAY;
		v[R_REASON] = CStringGetTextDatum(reason);
		v[R_STATUS] = CStringGetTextDatum("open");
		v[R_CREATED_AT] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		v[R_SOURCE] = ObjectIdGetDatum(source);
		n[R_RESOLVED_AT] = true;
		sc_writer_insert(w);
	}
	set_orders_at_risk(key, source, true);
	return id;
}

void
sc_renegotiation_close(const char *key, Oid source, const char *status)
{
	ScWriter   *w = sc_writer(SC_RENEGOTIATION);

	if (find_open(w, key, source))
	{
		copy_found(w);
		w->slot->tts_values[R_STATUS] = CStringGetTextDatum(status);
		w->slot->tts_values[R_RESOLVED_AT] = TimestampTzGetDatum(GetCurrentTimestamp());
		w->slot->tts_isnull[R_RESOLVED_AT] = false;
		sc_writer_update(w);
	}
}

void
sc_renegotiation_rename(const char *key, const char *new_key, Oid source)
{
	ScWriter   *w = sc_writer(SC_RENEGOTIATION);

	if (find_open(w, key, source))
	{
		copy_found(w);
		w->slot->tts_values[R_ORDER_KEY] = CStringGetTextDatum(new_key);
		sc_writer_update(w);
	}
}

/*
 * Wait, holding no resource lock, until the transaction that holds the row
 * of order 'key' of sacrosanct.orders is done, and keep the row locked, so
 * that the retried forced change can write it (see sc_orders_row_nowait).
 */
void
sc_wait_for_orders_row(const char *key)
{
	ScWriter   *w;
	ScanKeyData k;
	TM_FailureData tmfd;
	TupleTableSlot *locked;

	sc_write_begin();
	w = sc_writer(SC_ORDERS);
	sc_writer_seek(w, InvalidOid);
	ScanKeyInit(&k, 1, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(key));
	k.sk_collation = C_COLLATION_OID;
	if (sc_writer_find(w, &k, 1))
	{
		locked = table_slot_create(w->rel, NULL);
		/* the row's latest version; a row deleted meanwhile needs nothing */
		(void) table_tuple_lock(w->rel, &w->found->tts_tid, w->snapshot, locked,
								GetCurrentCommandId(false), LockTupleNoKeyExclusive,
								LockWaitBlock, TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
		ExecDropSingleTupleTableSlot(locked);
	}
	sc_write_end();
}
