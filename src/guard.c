/*
 * guard.c
 *		The guard: row triggers on a guarded order table (sacrosanct.orders,
 *		or an ERP table mapped by guard()).
 *
 * BEFORE INSERT/UPDATE fills what the row lacks (a NULL promise gets the
 * earliest backed date, delivered defaults to today) and refuses writes to
 * at_risk.  AFTER INSERT/UPDATE/DELETE plans or releases the order: after,
 * so that a row that is not inserted after all (INSERT ... ON CONFLICT, a
 * later BEFORE trigger returning NULL) never holds capacity.  A refusal is
 * an error, so the row and everything planned for it roll back together.
 *
 * The column map is the trigger's argument list (see sacrosanct.sql).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "nodes/pg_list.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/varlena.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "plan_io.h"
#include "promise.h"

extern char *sc_timezone;

/* the guard's own writes to a guarded row (a moved promise) pass unguarded */
static bool guard_suppressed = false;

/*
 * Promises the BEFORE trigger chose, for the AFTER trigger of the same row
 * to move if the rows planned in between took the date: an INSERT without
 * a promise asked for the earliest date, whichever it turns out to be.  An
 * entry is that row's only: the AFTER trigger consumes it, and it counts
 * only in the same statement, for the same table, key and date, and not
 * after its subtransaction rolled back.  A promise the writer gave is never
 * moved, only refused.
 */
typedef struct Assigned
{
	Oid			relid;
	char	   *key;
	ScDay		day;
	TimestampTz statement;
	SubTransactionId subxid;
} Assigned;

static List *assigned = NIL;

void		sc_guard_xact_end(void);
void		sc_guard_subxact_abort(SubTransactionId subxid);

void
sc_guard_xact_end(void)
{
	guard_suppressed = false;
	assigned = NIL;				/* freed with TopTransactionContext */
}

void
sc_guard_subxact_abort(SubTransactionId subxid)
{
	ListCell   *lc;

	guard_suppressed = false;
	foreach(lc, assigned)
	{
		Assigned   *a = lfirst(lc);

		if (a->subxid >= subxid)
			assigned = foreach_delete_current(assigned, lc);
	}
}

/* ------------------------------------------------------------------------
 * The column map
 * ------------------------------------------------------------------------
 */

enum
{
	G_KEY, G_PRODUCT, G_QTY, G_PROMISED, G_STATUS, G_NOT_BEFORE, G_QUOTE,
	G_AT_RISK, G_DELIVERED, G_NCOLS
};
#define G_DONE_VALUES		G_NCOLS
#define G_CANCELLED_VALUES	(G_NCOLS + 1)
#define G_NARGS				(G_NCOLS + 2)

typedef struct GuardMap
{
	Relation	rel;
	TupleDesc	desc;
	int			att[G_NCOLS];	/* attribute numbers, 0 when not mapped */
	const char *name[G_NCOLS];
	List	   *done;			/* status values meaning done */
	List	   *cancelled;
} GuardMap;

static void
guard_map(TriggerData *td, GuardMap *m)
{
	Trigger    *tg = td->tg_trigger;

	if (tg->tgnargs != G_NARGS)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct guard trigger \"%s\" has %d arguments, expected %d",
						tg->tgname, tg->tgnargs, G_NARGS),
				 errhint("Attach the guard with sacrosanct.guard().")));
	m->rel = td->tg_relation;
	m->desc = RelationGetDescr(td->tg_relation);
	for (int i = 0; i < G_NCOLS; i++)
	{
		const char *col = tg->tgargs[i];

		m->name[i] = col;
		m->att[i] = 0;
		if (col[0] == '\0')
			continue;
		m->att[i] = SPI_fnumber(m->desc, col);
		if (m->att[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("guarded table %s has no column \"%s\"",
							RelationGetRelationName(m->rel), col),
					 errhint("Guard the table again with sacrosanct.guard() naming its columns.")));
	}
	if (m->att[G_KEY] == 0 || m->att[G_PRODUCT] == 0 || m->att[G_QTY] == 0 ||
		m->att[G_PROMISED] == 0)
		elog(ERROR, "sacrosanct guard trigger \"%s\" lacks a required column", tg->tgname);
	m->done = NIL;
	m->cancelled = NIL;
	if (!SplitIdentifierString(pstrdup(tg->tgargs[G_DONE_VALUES]), ',', &m->done) ||
		!SplitIdentifierString(pstrdup(tg->tgargs[G_CANCELLED_VALUES]), ',', &m->cancelled))
		elog(ERROR, "sacrosanct guard trigger \"%s\" has malformed status values", tg->tgname);
}

static Datum
get(const GuardMap *m, HeapTuple t, int col, bool *isnull)
{
	if (m->att[col] == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return heap_getattr(t, m->att[col], m->desc, isnull);
}

static Oid
coltype(const GuardMap *m, int col)
{
	return TupleDescAttr(m->desc, m->att[col] - 1)->atttypid;
}

/* a column as text, through the type's output function; NULL when NULL */
static char *
get_text(const GuardMap *m, HeapTuple t, int col)
{
	bool		isnull;
	Datum		d = get(m, t, col, &isnull);
	Oid			type = isnull ? InvalidOid : coltype(m, col);
	Oid			out;
	bool		varlena;

	if (isnull)
		return NULL;
	if (type == TEXTOID || type == VARCHAROID)
		return TextDatumGetCString(d);
	getTypeOutputInfo(type, &out, &varlena);
	return OidOutputFunctionCall(out, d);
}

static void
refuse_infinite(const GuardMap *m, int col)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("column \"%s\" of %s must be a finite date",
					m->name[col], RelationGetRelationName(m->rel)),
			 errdetail("An order is planned in days; infinity is not a day."),
			 errhint("Give a date, or NULL for none.")));
}

/* a date column, or a timestamptz one read in the plant's time zone */
static ScDay
get_day(const GuardMap *m, HeapTuple t, int col)
{
	bool		isnull;
	Datum		d = get(m, t, col, &isnull);

	if (isnull)
		return SC_NO_DAY;
	switch (coltype(m, col))
	{
		case DATEOID:
			if (DATE_NOT_FINITE(DatumGetDateADT(d)))
				refuse_infinite(m, col);
			return DatumGetDateADT(d);
		case TIMESTAMPTZOID:
			{
				Datum		local;

				if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(d)))
					refuse_infinite(m, col);
				local = DirectFunctionCall2(timestamptz_zone, CStringGetTextDatum(sc_timezone), d);
				return DatumGetDateADT(DirectFunctionCall1(timestamp_date, local));
			}
		case TIMESTAMPOID:
			if (TIMESTAMP_NOT_FINITE(DatumGetTimestamp(d)))
				refuse_infinite(m, col);
			return DatumGetDateADT(DirectFunctionCall1(timestamp_date, d));
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of %s must be a date or timestamptz",
							m->name[col], RelationGetRelationName(m->rel))));
	}
	return SC_NO_DAY;			/* keep compiler quiet */
}

static Datum
day_datum(const GuardMap *m, int col, ScDay day)
{
	switch (coltype(m, col))
	{
		case DATEOID:
			return DateADTGetDatum(day);
		case TIMESTAMPOID:
			return DirectFunctionCall1(date_timestamp, DateADTGetDatum(day));
		default:
			/* midnight of that day in the plant's zone */
			return DirectFunctionCall2(timestamp_zone, CStringGetTextDatum(sc_timezone),
									   DirectFunctionCall1(date_timestamp, DateADTGetDatum(day)));
	}
}

static bool
value_in(const char *v, List *values)
{
	ListCell   *lc;

	foreach(lc, values)
		if (strcmp(v, (const char *) lfirst(lc)) == 0)
			return true;
	return false;
}

/* open unless the status says done or cancelled; a NULL status is open */
static bool
row_open(const GuardMap *m, HeapTuple t)
{
	char	   *status;

	if (m->att[G_STATUS] == 0)
		return true;
	status = get_text(m, t, G_STATUS);
	if (status == NULL)
		return true;
	return !value_in(status, m->done) && !value_in(status, m->cancelled);
}

static bool
row_done(const GuardMap *m, HeapTuple t)
{
	char	   *status = m->att[G_STATUS] ? get_text(m, t, G_STATUS) : NULL;

	return status != NULL && value_in(status, m->done);
}

/*
 * The order a row describes.  Returns false when the row lacks what the
 * table's own constraints will refuse (a NULL or non-positive quantity on
 * sacrosanct.orders): those errors are theirs to raise.  On a guarded ERP
 * table without such constraints the guard raises them.
 */
static bool
row_order(const GuardMap *m, HeapTuple t, ScOrderIn *in, bool before)
{
	bool		isnull;
	Datum		q;

	memset(in, 0, sizeof(*in));
	in->source = RelationGetRelid(m->rel);
	in->key = get_text(m, t, G_KEY);
	in->product = get_text(m, t, G_PRODUCT);
	q = get(m, t, G_QTY, &isnull);
	if (in->key == NULL || in->product == NULL || isnull)
	{
		if (before)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("an open order needs a key, a product and a quantity"),
				 errdetail("Column \"%s\" is NULL.",
						   in->key == NULL ? m->name[G_KEY]
						   : in->product == NULL ? m->name[G_PRODUCT] : m->name[G_QTY]),
				 errhint("Give the order its key, product and quantity.")));
	}
	in->qty = coltype(m, G_QTY) == NUMERICOID ? DatumGetNumeric(q)
		: DatumGetNumeric(DirectFunctionCall3(numeric_in,
											  CStringGetDatum(get_text(m, t, G_QTY)),
											  ObjectIdGetDatum(InvalidOid),
											  Int32GetDatum(-1)));
	if (numeric_is_nan(in->qty) ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(in->qty),
										  DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))) <= 0)
	{
		if (before)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("quantity of order \"%s\" must be greater than zero", in->key),
				 errdetail("The quantity given is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(in->qty)))),
				 errhint("Order a positive quantity.")));
	}
	in->promised = get_day(m, t, G_PROMISED);
	in->not_before = m->att[G_NOT_BEFORE] ? get_day(m, t, G_NOT_BEFORE) : SC_NO_DAY;
	if (m->att[G_QUOTE])
	{
		Datum		v = get(m, t, G_QUOTE, &isnull);

		if (!isnull)
		{
			Oid			type = coltype(m, G_QUOTE);

			in->has_quote = true;
			in->quote_id = type == INT8OID ? DatumGetInt64(v)
				: type == INT4OID ? DatumGetInt32(v)
				: DatumGetInt64(DirectFunctionCall1(int8in, CStringGetDatum(get_text(m, t, G_QUOTE))));
		}
	}
	return true;
}

/* did anything the plan depends on change? */
static bool
plan_inputs_changed(const ScOrderIn *a, const ScOrderIn *b)
{
	return strcmp(a->product, b->product) != 0 ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a->qty),
										  NumericGetDatum(b->qty))) != 0 ||
		a->promised != b->promised || a->not_before != b->not_before;
}

static void
check_trigger(FunctionCallInfo fcinfo, const char *fn)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be called as a trigger", fn)));
	if (!TRIGGER_FIRED_FOR_ROW(((TriggerData *) fcinfo->context)->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be fired for each row", fn)));
}

static bool
promise_missing(const GuardMap *m, HeapTuple t)
{
	bool		isnull;

	(void) get(m, t, G_PROMISED, &isnull);
	return isnull;
}

static void
remember_assigned(Oid relid, const char *key, ScDay day)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	Assigned   *a = palloc(sizeof(Assigned));

	a->relid = relid;
	a->key = pstrdup(key);
	a->day = day;
	a->statement = GetCurrentStatementStartTimestamp();
	a->subxid = GetCurrentSubTransactionId();
	assigned = lappend(assigned, a);
	MemoryContextSwitchTo(old);
}

/* Did the BEFORE trigger of this row choose its promise?  Consumes the entry. */
static bool
take_assigned(Oid relid, const char *key, ScDay day)
{
	ListCell   *lc;
	bool		found = false;

	foreach(lc, assigned)
	{
		Assigned   *a = lfirst(lc);

		if (a->relid == relid && a->day == day && strcmp(a->key, key) == 0)
		{
			found = a->statement == GetCurrentStatementStartTimestamp();
			assigned = foreach_delete_current(assigned, lc);
			break;
		}
	}
	return found;
}

/* ------------------------------------------------------------------------
 * BEFORE INSERT OR UPDATE
 * ------------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(sacrosanct_guard_before);
Datum
sacrosanct_guard_before(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	GuardMap	m;
	HeapTuple	row;
	HeapTuple	old = NULL;
	ScOrderIn	in;
	int			natts = 0;
	int			cols[2];
	Datum		vals[2];
	bool		nulls[2] = {false, false};

	check_trigger(fcinfo, "sacrosanct.guard_before()");
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.guard_before() must be fired BEFORE INSERT OR UPDATE")));

	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		old = td->tg_trigtuple;
		row = td->tg_newtuple;
	}
	else
		row = td->tg_trigtuple;
	if (guard_suppressed)
		return PointerGetDatum(row);
	guard_map(td, &m);

	/* at_risk belongs to the extension */
	if (m.att[G_AT_RISK])
	{
		bool		isnull,
					oldnull = true;
		Datum		v = get(&m, row, G_AT_RISK, &isnull);
		Datum		ov = old ? get(&m, old, G_AT_RISK, &oldnull) : BoolGetDatum(false);
		bool		now = !isnull && DatumGetBool(v);
		bool		before = old ? (!oldnull && DatumGetBool(ov)) : false;

		if (now != before)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("column \"%s\" is maintained by sacrosanct", m.name[G_AT_RISK]),
					 errdetail("An order is at risk when capacity was removed by force under it; it stops being at risk when its new promise is backed."),
					 errhint("Leave \"%s\" out of the INSERT or UPDATE.", m.name[G_AT_RISK])));
	}

	/* a finished order is delivered today unless the row says when */
	if (old && m.att[G_DELIVERED] && row_done(&m, row) && !row_done(&m, old))
	{
		bool		isnull;

		(void) get(&m, row, G_DELIVERED, &isnull);
		if (isnull)
		{
			cols[natts] = m.att[G_DELIVERED];
			vals[natts] = day_datum(&m, G_DELIVERED, sc_today());
			natts++;
		}
	}

	/* an open order without a promise gets the earliest date the schedule backs */
	if (promise_missing(&m, row) && row_open(&m, row) && row_order(&m, row, &in, true))
	{
		ScDay		day;
		char	   *exclude = NULL;

		if (old && row_open(&m, old))
			exclude = get_text(&m, old, G_KEY);
		if (old == NULL && sc_order_planned(in.key))
		{
			/* an open order already has this key: the table's key refuses the row */
			return PointerGetDatum(row);
		}
		if (in.has_quote && old == NULL)
			day = sc_hold_promise(&in);
		else
			day = sc_assign_promise(&in, exclude);
		cols[natts] = m.att[G_PROMISED];
		vals[natts] = day_datum(&m, G_PROMISED, day);
		natts++;
		remember_assigned(RelationGetRelid(m.rel), in.key, day);
	}

	if (natts > 0)
		row = heap_modify_tuple_by_cols(row, m.desc, natts, cols, vals, nulls);
	return PointerGetDatum(row);
}

/* ------------------------------------------------------------------------
 * AFTER INSERT OR UPDATE OR DELETE
 * ------------------------------------------------------------------------
 */

/* The promise was ours to choose and had to move: write the new one into the row. */
static void
move_promise(const GuardMap *m, HeapTuple row, ScDay day)
{
	StringInfoData sql;
	Oid			types[2] = {coltype(m, G_PROMISED), TIDOID};
	Datum		values[2];
	ScAsOwner	own;
	bool		save = guard_suppressed;

	initStringInfo(&sql);
	appendStringInfo(&sql, "UPDATE %s SET %s = $1 WHERE ctid OPERATOR(pg_catalog.=) $2",
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(m->rel)),
												RelationGetRelationName(m->rel)),
					 quote_identifier(m->name[G_PROMISED]));
	values[0] = day_datum(m, G_PROMISED, day);
	values[1] = PointerGetDatum(&row->t_self);

	sc_owner_begin(&own);
	guard_suppressed = true;
	SPI_connect();
	if (SPI_execute_with_args(sql.data, 2, types, values, NULL, false, 0) != SPI_OK_UPDATE ||
		SPI_processed != 1)
		elog(ERROR, "sacrosanct: could not move the promise of a guarded row");
	SPI_finish();
	guard_suppressed = save;
	sc_owner_end(&own);
}

static void
place(const GuardMap *m, HeapTuple row, const ScOrderIn *in, const char *old_key)
{
	bool		negotiable = take_assigned(in->source, in->key, in->promised);
	ScDay		moved = sc_place_order(in, old_key, negotiable);

	if (moved != SC_NO_DAY)
		move_promise(m, row, moved);
}

PG_FUNCTION_INFO_V1(sacrosanct_guard_after);
Datum
sacrosanct_guard_after(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	GuardMap	m;
	ScOrderIn	in,
				was;

	check_trigger(fcinfo, "sacrosanct.guard_after()");
	if (!TRIGGER_FIRED_AFTER(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.guard_after() must be fired AFTER INSERT OR UPDATE OR DELETE")));
	if (guard_suppressed)
		return PointerGetDatum(NULL);
	guard_map(td, &m);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		HeapTuple	row = td->tg_trigtuple;

		if (row_open(&m, row) && row_order(&m, row, &in, false))
			place(&m, row, &in, NULL);
	}
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		HeapTuple	old = td->tg_trigtuple;
		HeapTuple	row = td->tg_newtuple;
		bool		old_open = row_open(&m, old);
		bool		new_open = row_open(&m, row);

		if (old_open && !new_open)
			sc_release_order(get_text(&m, old, G_KEY));
		else if (!old_open && new_open)
		{
			row_order(&m, row, &in, false);
			place(&m, row, &in, NULL);
		}
		else if (old_open && new_open)
		{
			row_order(&m, old, &was, false);
			row_order(&m, row, &in, false);
			if (plan_inputs_changed(&was, &in))
				place(&m, row, &in, was.key);
			else if (strcmp(was.key, in.key) != 0)
				sc_rename_order(was.key, in.key);
		}
	}
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		HeapTuple	old = td->tg_trigtuple;

		if (row_open(&m, old))
		{
			char	   *key = get_text(&m, old, G_KEY);

			if (key)
				sc_release_order(key);
		}
	}
	return PointerGetDatum(NULL);
}

/* ------------------------------------------------------------------------
 * BEFORE TRUNCATE
 * ------------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(sacrosanct_guard_truncate);
Datum
sacrosanct_guard_truncate(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.guard_truncate() must be fired BEFORE TRUNCATE")));
	ereport(ERROR,
			(errcode(ERRCODE_SC_WOULD_BREAK),
			 errmsg("cannot truncate guarded table %s", RelationGetRelationName(td->tg_relation)),
			 errdetail("TRUNCATE does not fire row triggers, so the capacity of its open orders would stay taken by orders nobody holds."),
			 errhint("DELETE the rows or set them done or cancelled: that releases their capacity.")));
	return PointerGetDatum(NULL);
}
