/*
 * planlog.c
 *		Writing sacrosanct.plan_log and sacrosanct.delivery (see planlog.h).
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "planlog.h"
#include "tables.h"

/* sacrosanct.plan_log's columns, in table order */
enum
{
	L_ID, L_AT, L_WHO, L_WHAT, L_WHY, L_MOVED, L_AS_ROLE, L_NATTS
};

static Datum
name_datum(Oid role)
{
	return DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(role, false)));
}

void
sc_plan_log(const char *what, const char *why, int moved)
{
	ScWriter   *w = sc_writer(SC_PLAN_LOG);
	Datum	   *v = w->slot->tts_values;
	bool	   *n = w->slot->tts_isnull;

	int			natts = w->slot->tts_tupleDescriptor->natts;

	/* 0.1.0's plan_log has no as_role, until ALTER EXTENSION UPDATE */
	if (natts != L_NATTS && natts != L_AS_ROLE)
		elog(ERROR, "sacrosanct.plan_log has %d columns, expected %d", natts, L_NATTS);
	sc_writer_clear(w);
	v[L_ID] = Int64GetDatum(sc_writer_next_id(SC_PLAN_LOG));
	v[L_AT] = TimestampTzGetDatum(GetCurrentTimestamp());
	v[L_WHO] = name_datum(GetSessionUserId());
	v[L_WHAT] = CStringGetTextDatum(what);
	v[L_WHY] = why ? CStringGetTextDatum(why) : (Datum) 0;
	v[L_MOVED] = Int32GetDatum(moved);
	if (natts > L_AS_ROLE)
		v[L_AS_ROLE] = name_datum(GetUserId());
	for (int i = 0; i < natts; i++)
		n[i] = false;
	n[L_WHY] = why == NULL;
	sc_writer_insert(w);
}

/* sacrosanct.delivery's columns, in table order */
enum
{
	V_ID, V_SOURCE, V_ORDER_KEY, V_PROMISED, V_DELIVERED, V_RECORDED_AT, V_NATTS
};

void
sc_delivery_record(const char *key, Oid source, ScDay promised, ScDay delivered)
{
	ScWriter   *w;
	Datum	   *v;
	bool	   *n;

	/* 0.1.0 kept no deliveries: until ALTER EXTENSION UPDATE, nothing to write */
	if (!OidIsValid(sc_rels()->table[SC_DELIVERY]))
		return;
	w = sc_writer(SC_DELIVERY);
	v = w->slot->tts_values;
	n = w->slot->tts_isnull;
	sc_writer_clear(w);
	v[V_ID] = Int64GetDatum(sc_writer_next_id(SC_DELIVERY));
	v[V_SOURCE] = ObjectIdGetDatum(source);
	v[V_ORDER_KEY] = CStringGetTextDatum(key);
	v[V_PROMISED] = DateADTGetDatum(promised);
	v[V_DELIVERED] = DateADTGetDatum(delivered);
	v[V_RECORDED_AT] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	for (int i = 0; i < V_NATTS; i++)
		n[i] = false;
	sc_writer_insert(w);
}
