/*
 * guard.c
 *		The guard: row triggers on a guarded order table (sacrosanct.orders,
 *		or an ERP table mapped by guard()).
 *
 * AFTER INSERT/UPDATE/DELETE plans or releases the order: after, so that a
 * row that is not written after all (INSERT ... ON CONFLICT, a later BEFORE
 * trigger returning NULL) never holds capacity.  A refusal is an error, so
 * the row and everything planned for it roll back together.
 *
 * BEFORE INSERT/UPDATE fills what the row lacks: delivered defaults to
 * today, and an open row without a promise is planned right there at the
 * earliest date the schedule backs, which becomes the row's promise.  The
 * promise is decided before the row is written and never rewritten after:
 * the guard writes no row of the guarded table, so none of the table's own
 * code (its triggers, defaults, policies) ever runs on the guard's behalf.
 * The plan made in BEFORE is a reservation: the row's AFTER trigger takes
 * it (or re-plans it, when a later BEFORE trigger changed the row), and the
 * statement's AFTER trigger undoes what no row took.
 *
 * A restore inserts rows with the schedule already made for them: the
 * guard takes them as they are (restore.c), and verify() checks that the
 * rows and the schedule agree.
 *
 * The column map is the trigger's argument list (guardmap.h).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "guard.h"
#include "guardmap.h"
#include "promise.h"
#include "restore.h"

/* the column map of the trigger that fired */
static void
trigger_map(TriggerData *td, ScGuardMap *m)
{
	Trigger    *tg = td->tg_trigger;

	sc_guard_args_parse(tg->tgnargs, tg->tgargs, tg->tgname, &m->args);
	sc_guard_map_init(m, td->tg_relation);
}

/* does anything the plan depends on differ? */
static bool
plan_inputs_differ(const ScOrderIn *a, const ScOrderIn *b)
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

/* ------------------------------------------------------------------------
 * Reservations: rows the BEFORE trigger planned, until their AFTER trigger
 * ------------------------------------------------------------------------
 */

typedef struct Reserved
{
	Oid			relid;
	char	   *key;			/* the record's key now */
	ScOrderIn	planned;		/* what was planned: the row as BEFORE left it */
	bool		has_old;		/* an UPDATE of an open row: its plan before */
	ScOrderIn	old;
	SubTransactionId subxid;
} Reserved;

/* in TopTransactionContext; never longer than one statement */
static List *reserved = NIL;

static void
copy_order(ScOrderIn *to, const ScOrderIn *from)
{
	*to = *from;
	to->key = pstrdup(from->key);
	to->product = pstrdup(from->product);
	to->qty = DatumGetNumericCopy(NumericGetDatum(from->qty));
}

static void
reserve(Oid relid, const ScOrderIn *planned, const ScOrderIn *old)
{
	MemoryContext cxt = MemoryContextSwitchTo(TopTransactionContext);
	Reserved   *r = palloc0(sizeof(Reserved));

	r->relid = relid;
	r->key = pstrdup(planned->key);
	copy_order(&r->planned, planned);
	if (old)
	{
		r->has_old = true;
		copy_order(&r->old, old);
	}
	r->subxid = GetCurrentSubTransactionId();
	reserved = lappend(reserved, r);
	MemoryContextSwitchTo(cxt);
}

/* the reservation of a row, taken off the list; NULL when the row has none */
static Reserved *
take_reserved(Oid relid, const char *key)
{
	ListCell   *lc;

	foreach(lc, reserved)
	{
		Reserved   *r = lfirst(lc);

		if (r->relid == relid && strcmp(r->key, key) == 0)
		{
			reserved = foreach_delete_current(reserved, lc);
			return r;
		}
	}
	return NULL;
}

void
sc_guard_xact_end(void)
{
	reserved = NIL;				/* freed with TopTransactionContext */
}

void
sc_guard_subxact_abort(SubTransactionId subxid)
{
	ListCell   *lc;

	/* what a rolled-back subtransaction planned is rolled back with it */
	foreach(lc, reserved)
	{
		Reserved   *r = lfirst(lc);

		if (r->subxid >= subxid)
			reserved = foreach_delete_current(reserved, lc);
	}
}

void
sc_guard_pre_commit(void)
{
	if (reserved != NIL)
	{
		Reserved   *r = linitial(reserved);

		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("order \"%s\" of %s was planned for a row that was never written",
						r->key, get_rel_name(r->relid)),
				 errdetail("The guard's statement trigger did not run after the statement that planned it."),
				 errhint("Attach the guard with sacrosanct.guard(), which adds that trigger.")));
	}
}

/* ------------------------------------------------------------------------
 * BEFORE INSERT OR UPDATE
 * ------------------------------------------------------------------------
 */

/* at_risk belongs to the extension: the writer may not set or clear it */
static void
check_at_risk_unchanged(const ScGuardMap *m, HeapTuple row, HeapTuple old)
{
	bool		isnull,
				oldnull = true;
	Datum		v,
				ov;
	bool		now,
				before;

	if (m->att[G_AT_RISK] == 0)
		return;
	v = sc_guard_get(m, row, G_AT_RISK, &isnull);
	ov = old ? sc_guard_get(m, old, G_AT_RISK, &oldnull) : BoolGetDatum(false);
	now = !isnull && DatumGetBool(v);
	before = old ? (!oldnull && DatumGetBool(ov)) : false;
	if (now != before)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("column \"%s\" is maintained by sacrosanct", sc_guard_colname(m, G_AT_RISK)),
				 errdetail("An order is at risk when capacity was removed by force under it; it stops being at risk when its new promise is backed."),
				 errhint("Leave \"%s\" out of the INSERT or UPDATE.", sc_guard_colname(m, G_AT_RISK))));
}

PG_FUNCTION_INFO_V1(sacrosanct_guard_before);
Datum
sacrosanct_guard_before(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	ScGuardMap	m;
	HeapTuple	row;
	HeapTuple	old = NULL;
	ScOrderIn	in;
	bool		isnull;
	int			natts = 0;
	int			cols[3];
	Datum		vals[3];
	bool		nulls[3] = {false, false, false};

	check_trigger(fcinfo, "sacrosanct.guard_before()");
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.guard_before() must be fired BEFORE INSERT OR UPDATE")));
	/* restored: the row is as it was, at_risk included */
	if (sc_restoring_insert(td))
		return PointerGetDatum(td->tg_trigtuple);

	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		old = td->tg_trigtuple;
		row = td->tg_newtuple;
	}
	else
		row = td->tg_trigtuple;
	trigger_map(td, &m);
	check_at_risk_unchanged(&m, row, old);

	/*
	 * An order at risk stops being at risk with a new promise (the AFTER
	 * trigger refuses it unless the schedule backs it) or when it closes.
	 */
	if (old && m.att[G_AT_RISK])
	{
		bool		was_at_risk = DatumGetBool(sc_guard_get(&m, old, G_AT_RISK, &isnull)) && !isnull;

		if (was_at_risk && (!sc_guard_row_open(&m, row) ||
							sc_guard_get_day(&m, row, G_PROMISED) != sc_guard_get_day(&m, old, G_PROMISED)))
		{
			cols[natts] = m.att[G_AT_RISK];
			vals[natts] = BoolGetDatum(false);
			natts++;
		}
	}

	/* a finished order is delivered today unless the row says when */
	if (old && m.att[G_DELIVERED] && sc_guard_row_done(&m, row) && !sc_guard_row_done(&m, old))
	{
		(void) sc_guard_get(&m, row, G_DELIVERED, &isnull);
		if (isnull)
		{
			cols[natts] = m.att[G_DELIVERED];
			vals[natts] = sc_guard_day_datum(&m, G_DELIVERED, sc_today());
			natts++;
		}
	}

	/* an open order without a promise is planned at the earliest date the schedule backs */
	(void) sc_guard_get(&m, row, G_PROMISED, &isnull);
	if (isnull && sc_guard_row_open(&m, row) && sc_guard_row_order(&m, row, &in, true))
	{
		Oid			relid = RelationGetRelid(m.rel);
		ScOrderIn	was;
		bool		was_open = old && sc_guard_row_open(&m, old) && sc_guard_row_order(&m, old, &was, true);
		ScDay		day;

		/* an open order already has this key: the table's key refuses the row */
		if (old == NULL && sc_order_planned(in.key, relid))
			return PointerGetDatum(row);
		if (in.has_quote && old == NULL)
			day = sc_hold_promise(&in);		/* the AFTER trigger consumes the hold */
		else
		{
			day = sc_place_earliest(&in, was_open ? was.key : NULL);
			in.promised = day;
			reserve(relid, &in, was_open ? &was : NULL);
		}
		cols[natts] = m.att[G_PROMISED];
		vals[natts] = sc_guard_day_datum(&m, G_PROMISED, day);
		natts++;
	}

	if (natts > 0)
		row = heap_modify_tuple_by_cols(row, m.desc, natts, cols, vals, nulls);
	return PointerGetDatum(row);
}

/* ------------------------------------------------------------------------
 * AFTER INSERT OR UPDATE OR DELETE
 * ------------------------------------------------------------------------
 */

/*
 * The day a closed row was delivered: its delivered column, else today;
 * SC_NO_DAY when it was cancelled, not done.
 */
static ScDay
delivered_on(const ScGuardMap *m, HeapTuple row)
{
	ScDay		day;

	if (!sc_guard_row_done(m, row))
		return SC_NO_DAY;
	day = m->att[G_DELIVERED] ? sc_guard_get_day(m, row, G_DELIVERED) : SC_NO_DAY;
	return day != SC_NO_DAY ? day : sc_today();
}

/*
 * A row the BEFORE trigger planned: done when the row is what was planned;
 * else a later BEFORE trigger changed it, and the plan follows the row.
 */
static void
take_reservation(const ScGuardMap *m, HeapTuple row, Reserved *r)
{
	ScOrderIn	in;

	if (!sc_guard_row_open(m, row))
		sc_release_order(r->key, r->relid, delivered_on(m, row));
	else
	{
		sc_guard_row_order(m, row, &in, false);
		if (plan_inputs_differ(&in, &r->planned) || strcmp(in.key, r->key) != 0)
			sc_place_order(&in, r->key);
	}
}

static void
after_update(const ScGuardMap *m, HeapTuple old, HeapTuple row)
{
	bool		old_open = sc_guard_row_open(m, old);
	bool		new_open = sc_guard_row_open(m, row);
	Oid			relid = RelationGetRelid(m->rel);
	ScOrderIn	in,
				was;

	if (old_open && !new_open)
		sc_release_order(sc_guard_get_text(m, old, G_KEY), relid, delivered_on(m, row));
	else if (!old_open && new_open)
	{
		sc_guard_row_order(m, row, &in, false);
		sc_place_order(&in, NULL);
	}
	else if (old_open && new_open)
	{
		sc_guard_row_order(m, old, &was, false);
		sc_guard_row_order(m, row, &in, false);
		if (plan_inputs_differ(&was, &in))
			sc_place_order(&in, was.key);
		else if (strcmp(was.key, in.key) != 0)
			sc_rename_order(was.key, in.key, relid);
	}
}

PG_FUNCTION_INFO_V1(sacrosanct_guard_after);
Datum
sacrosanct_guard_after(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	ScGuardMap	m;
	ScOrderIn	in;
	Reserved   *r = NULL;

	check_trigger(fcinfo, "sacrosanct.guard_after()");
	if (!TRIGGER_FIRED_AFTER(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.guard_after() must be fired AFTER INSERT OR UPDATE OR DELETE")));
	/* restored: its record comes with the dump's sacrosanct.demand */
	if (sc_restoring_insert(td))
		return PointerGetDatum(NULL);
	trigger_map(td, &m);

	if (!TRIGGER_FIRED_BY_DELETE(td->tg_event) && reserved != NIL)
	{
		HeapTuple	row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
		char	   *key = sc_guard_get_text(&m, row, G_KEY);

		r = key ? take_reserved(RelationGetRelid(m.rel), key) : NULL;
	}

	if (r != NULL)
		take_reservation(&m, TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple, r);
	else if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		HeapTuple	row = td->tg_trigtuple;

		if (sc_guard_row_open(&m, row) && sc_guard_row_order(&m, row, &in, false))
			sc_place_order(&in, NULL);
	}
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		after_update(&m, td->tg_trigtuple, td->tg_newtuple);
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		HeapTuple	old = td->tg_trigtuple;

		if (sc_guard_row_open(&m, old))
		{
			char	   *key = sc_guard_get_text(&m, old, G_KEY);

			if (key)
				sc_release_order(key, RelationGetRelid(m.rel), SC_NO_DAY);
		}
	}
	return PointerGetDatum(NULL);
}

/* ------------------------------------------------------------------------
 * AFTER INSERT OR UPDATE, once per statement
 * ------------------------------------------------------------------------
 */

/*
 * A reservation that no row took belongs to a row that was not written (an
 * INSERT ... ON CONFLICT that found its conflict, a later BEFORE trigger
 * that returned NULL): undo it, putting back the plan an UPDATE replaced.
 * (A statement nested inside this one, on the same table, may undo a
 * reservation before its row's AFTER trigger runs; that row is then
 * planned again at the promise the guard gave it, or refused.)
 */
PG_FUNCTION_INFO_V1(sacrosanct_guard_statement);
Datum
sacrosanct_guard_statement(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Oid			relid;
	ListCell   *lc;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.guard_statement() must be fired AFTER each statement")));
	relid = RelationGetRelid(td->tg_relation);
	foreach(lc, reserved)
	{
		Reserved   *r = lfirst(lc);

		if (r->relid != relid)
			continue;
		reserved = foreach_delete_current(reserved, lc);
		if (r->has_old)
			sc_place_order(&r->old, r->key);
		else
			sc_release_order(r->key, r->relid, SC_NO_DAY);
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
