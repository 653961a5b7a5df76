/*
 * masterdata.c
 *		Triggers on the master-data tables: a change drops every backend's
 *		cached plant, and the committed plan is re-checked against it.
 *
 * sacrosanct_md_touch (BEFORE, each row) refuses renames of codes the
 * schedule refers to, invalidates the plant, and notes that a check is due.
 * sacrosanct_md_check (a deferrable constraint trigger, each row, and AFTER
 * TRUNCATE) runs that check once: at the end of the statement, or at commit
 * under SET CONSTRAINTS ALL DEFERRED, so a scheduler can swap windows or
 * rewrite a routing in several statements and be judged on the result.
 *
 * The check (check_plan_fits) moves nothing when the plan still fits,
 * repairs only the orders the change affects when it does not, replans the
 * plant when a repair cannot keep every promise, and refuses with SC003
 * when a replan cannot either.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"

#include "masterdata.h"
#include "plant.h"
#include "pipeline.h"
#include "renegotiation.h"
#include "restore.h"
#include "session.h"
#include "tables.h"

static bool check_due = false;
static bool routing_changed = false;

/* set by remove_capacity(..., force => true) while its change is checked */
static char *force_override = NULL;

void
sc_masterdata_xact_end(void)
{
	check_due = false;
	routing_changed = false;
	force_override = NULL;		/* freed with its transaction */
}

void
sc_masterdata_subxact_abort(void)
{
	force_override = NULL;
}

/*
 * Does the order's plan start its first open step before the last complete
 * one ended plus the lag?  Then that step was completed late
 * (complete_step) and the rest of the order must move.
 */
static bool
behind_progress(const ScEntry *e, ScDay today)
{
	const ScDemand *d = e->rec;
	ScDay		earliest;

	if (d->steps_done <= 0 || d->steps_done >= d->nsteps || d->done_on == SC_NO_DAY ||
		d->steps_done >= e->prod->routing.nsteps)
		return false;
	earliest = d->done_on + e->prod->routing.steps[d->steps_done].lag_days;
	for (int k = 0; k < d->nalloc; k++)
		if (d->alloc_step[k] == d->step_no[d->steps_done] &&
			d->alloc_day[k] >= today && d->alloc_day[k] < earliest)
			return true;
	return false;
}

/*
 * After a change of the plant or of progress: the orders the committed
 * plan no longer serves.  An order is affected when its routing or work
 * changed, when its buffer grew past its slack, when it has minutes on a
 * finite resource-day that the new capacity cannot hold, or when a step
 * completed late leaves its next step planned too early.  Returns how many.
 */
static int
mark_affected(ScSession *s, bool *affected)
{
	bool	  **over = palloc0(sizeof(bool *) * (s->plant->nres + 1));
	int			n = 0;

	/* the overloaded finite resource-days, from today on */
	sc_session_apply_current(s);
	for (int r = 0; r < s->plant->nres; r++)
	{
		ScLane	   *lane = &s->board.lanes[r];

		if (!s->plant->res[r].finite || !lane->touched)
			continue;
		for (int32 i = 0; i < s->board.ndays; i++)
			if (lane->planned[i] > lane->cap[i])
			{
				if (over[r] == NULL)
					over[r] = palloc0(sizeof(bool) * s->board.ndays);
				over[r][i] = true;
			}
	}

	for (int i = 0; i < s->n; i++)
	{
		ScEntry    *e = &s->e[i];
		const ScDemand *d = e->rec;

		affected[i] = false;
		if (!e->live)
			continue;
		if (e->stale || behind_progress(e, s->today) ||
			(d->backed && d->planned_finish != SC_NO_DAY &&
			 d->planned_finish + e->prod->routing.buffer_days > d->promised))
			affected[i] = true;
		for (int k = 0; k < d->nalloc && !affected[i]; k++)
		{
			int32		day = d->alloc_day[k] - s->today;
			int			r;

			if (day < 0 || day >= s->board.ndays)
				continue;
			r = sc_demand_alloc_ridx(s->plant, d, k);
			if (r >= 0 && over[r] && over[r][day])
				affected[i] = true;
		}
		n += affected[i] ? 1 : 0;
	}
	return n;
}

/* the board with every live order that is not affected, as committed */
static void
board_of_unaffected(ScSession *s, const bool *affected)
{
	sc_board_clear(&s->board);
	for (int i = 0; i < s->n; i++)
	{
		int			n;
		ScAlloc    *a;

		s->e[i].loaded = s->e[i].live && affected[i];
		if (!s->e[i].live || affected[i])
			continue;
		a = sc_session_future_allocs(s, s->e[i].rec, &n);
		sc_board_apply(&s->board, a, n, +1);
		pfree(a);
	}
}

/*
 * Re-plan only the affected orders, in rule 7's order, around everything
 * else left where it is.  Returns true when every affected order that was
 * backed still is.
 */
static bool
repair(ScSession *s, const bool *affected)
{
	bool		ok = true;

	board_of_unaffected(s, affected);
	for (int i = 0; i < s->nsorted; i++)
	{
		ScOrder    *o = s->sorted[i];

		if (!sc_entry_of(o)->loaded)
			continue;
		if (!sc_load_order(&s->board, o) && o->backed_before)
			ok = false;
	}
	return ok;
}

/*
 * A forced change records reality anyway.  The affected orders that can
 * still be kept are repaired in rule 7's order around the rest; those that
 * cannot are put at risk and planned after them, as well as the plant
 * allows.  Leaving an order out can move the ones after it, so the kept
 * ones are repaired again until every one of them holds: none is sacrificed
 * for an order at risk.  Sets at_risk[] per entry; returns how many.
 */
static int
force(ScSession *s, const bool *affected, bool *at_risk)
{
	int			nrisk = 0;
	bool		again;

	do
	{
		again = false;
		board_of_unaffected(s, affected);
		for (int i = 0; i < s->nsorted && !again; i++)
		{
			ScOrder    *o = s->sorted[i];
			ScEntry    *e = sc_entry_of(o);

			if (!e->loaded || at_risk[e - s->e])
				continue;
			if (!sc_load_order(&s->board, o) && o->backed_before)
			{
				at_risk[e - s->e] = true;
				nrisk++;
				again = true;
			}
		}
	} while (again);

	for (int i = 0; i < s->nsorted; i++)
	{
		ScOrder    *o = s->sorted[i];
		ScEntry    *e = sc_entry_of(o);

		if (!at_risk[e - s->e])
			continue;
		if (e->rec->order_key == NULL)
		{
			/* a quote hold that cannot be kept is void: it goes */
			e->loaded = false;
			e->purge = true;
			continue;
		}
		(void) sc_load_order(&s->board, o);
		/* written even if its plan is the same: it is at risk now */
		{
			ScDemand   *copy = palloc(sizeof(ScDemand));

			*copy = *e->rec;
			copy->at_risk = true;
			e->rec = copy;
		}
		e->stale = true;
	}
	return nrisk;
}

/* the forced change's at-risk orders: a renegotiation each, in the same transaction */
static void
open_renegotiations(ScSession *s, const bool *at_risk, const char *reason)
{
	int64	   *ids = palloc(sizeof(int64) * Max(s->nsorted, 1));
	const char **keys = palloc(sizeof(char *) * Max(s->nsorted, 1));
	ScDay	   *old = palloc(sizeof(ScDay) * Max(s->nsorted, 1));
	ScDay	   *earliest = palloc(sizeof(ScDay) * Max(s->nsorted, 1));
	int			n = 0;

	sc_write_begin();
	for (int i = 0; i < s->nsorted; i++)
	{
		ScEntry    *e = sc_entry_of(s->sorted[i]);
		const ScDemand *d = e->rec;

		if (!at_risk[e - s->e] || d->order_key == NULL)
			continue;
		keys[n] = d->order_key;
		old[n] = d->promised;
		earliest[n] = e->ord.finish == SC_NO_DAY ? SC_NO_DAY
			: e->ord.finish + e->prod->routing.buffer_days;
		ids[n] = sc_renegotiation_open(d->order_key, d->source, old[n], earliest[n], reason);
		n++;
	}
	sc_write_end();

	/* an open work item carrying the order goes to customer service */
	for (int i = 0; i < n; i++)
		sc_pipeline_order_at_risk(keys[i], ids[i], reason, old[i], earliest[i]);
	pfree(ids);
	pfree(keys);
	pfree(old);
	pfree(earliest);
}

/*
 * Make sacrosanct.load the sum of the allocations on finite resources
 * again: a resource that became finite gains its load, one that stopped
 * being finite loses it.
 */
static void
reconcile_load(ScSession *s)
{
	ScLoadDelta dl = {0};
	ScLoadDelta now = {0};
	ScDemand  **all;
	int			n;

	sc_session_snapshot(s);
	all = sc_demand_all(s->snapshot, s->plant, &n);
	for (int i = 0; i < n; i++)
		sc_delta_demand(&dl, s->plant, all[i], +1);
	sc_load_all(s->snapshot, &now);
	for (int i = 0; i < now.n; i++)
		sc_delta_add(&dl, now.res[i], now.day[i], -now.minutes[i]);
	sc_write_begin();
	sc_load_write(&dl);
	sc_write_end();
}

/*
 * A master-data change that leaves the plan fitting moves nothing.  One
 * that does not is first repaired: only the orders it affects are loaded
 * again, around the rest, so a breakdown on one machine does not reshuffle
 * the plant.  If that cannot keep every promise, a full replan (rule 7) is
 * tried; if that cannot either, the change is refused (SC003) naming the
 * affected orders that would break.
 */
/*
 * The repair could not keep every promise and a full replan was tried: name
 * the orders the change breaks (not others a full replan would shuffle),
 * each with the better date either plan found, and refuse.
 */
static void
refuse_change(ScSession *s, const bool *broke, const ScDay *finish)
{
	StringInfoData d;

	for (int i = 0; i < s->n; i++)
	{
		ScEntry    *e = &s->e[i];

		e->loaded = broke[i];
		if (broke[i] && finish[i] != SC_NO_DAY &&
			(e->ord.finish == SC_NO_DAY || finish[i] < e->ord.finish))
			e->ord.finish = finish[i];
		e->ord.backed = false;
	}
	initStringInfo(&d);
	sc_refuse_breaking("this change", sc_session_broken(s, &d), d.data);
}

/*
 * After a master-data change: nothing moves when the plan still fits; else
 * the affected orders are repaired; else the plant is replanned; else the
 * change is refused (SC003), or, when forced, recorded with the orders it
 * breaks put at risk.
 */
static void
check_plan_fits(bool routing, const char *forced, const char *why)
{
	ScSession	s;
	int			nmoved;
	bool	   *affected;

	sc_session_begin(&s);
	sc_session_lock_all(&s);
	sc_session_snapshot(&s);
	sc_session_full(&s, NULL, InvalidOid, routing);

	affected = palloc(sizeof(bool) * (s.n + 1));
	if (mark_affected(&s, affected) > 0)
	{
		if (repair(&s, affected))
			(void) sc_session_commit(&s, NULL, "repair", why, &nmoved);
		else
		{
			/* the repair's verdict, kept while a full replan is tried */
			bool	   *broke = palloc0(sizeof(bool) * (s.n + 1));
			ScDay	   *finish = palloc(sizeof(ScDay) * (s.n + 1));

			for (int i = 0; i < s.n; i++)
			{
				ScEntry    *e = &s.e[i];

				broke[i] = e->loaded && e->ord.backed_before && !e->ord.backed;
				finish[i] = e->ord.finish;
				e->loaded = e->live;
			}
			if (sc_replan(&s.board, s.sorted, s.nsorted, NULL, false, NULL))
				(void) sc_session_commit(&s, NULL, "replan", why, &nmoved);
			else if (forced == NULL)
				refuse_change(&s, broke, finish);
			else
			{
				bool	   *at_risk = palloc0(sizeof(bool) * (s.n + 1));
				int			nrisk = force(&s, affected, at_risk);

				(void) sc_session_commit(&s, NULL, "forced",
										 psprintf("%s; %d order%s at risk", forced,
												  nrisk, nrisk == 1 ? "" : "s"),
										 &nmoved);
				open_renegotiations(&s, at_risk, forced);
			}
		}
	}
	reconcile_load(&s);
	sc_session_end(&s);
}

/*
 * check_plan_fits() for a forced change, which writes the rows of the
 * orders it puts at risk while it holds every resource lock.  The row of an
 * order that another transaction holds is not waited for there: that
 * transaction may be an UPDATE or DELETE of the order, which locked its row
 * first and now waits for the resource locks (a deadlock; the stress run
 * met it, test/specs/forced_vs_order_row.spec plays it).  Instead the check
 * runs in a subtransaction; when such a row is busy it is rolled back,
 * releasing the resource locks, the row is waited for and kept locked, and
 * the check runs again on what is committed then.
 */
static void
check_plan_fits_forced(bool routing, const char *forced, const char *why)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	char	   *reason = pstrdup(forced);
	char	   *saved_override = force_override ? pstrdup(force_override) : NULL;
	bool		done = false;

	while (!done)
	{
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		sc_orders_row_nowait = true;
		sc_orders_row_busy[0] = '\0';
		PG_TRY();
		{
			check_plan_fits(routing, reason, why);
			sc_orders_row_nowait = false;
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			done = true;
		}
		PG_CATCH();
		{
			ErrorData  *err;
			char	   *busy;

			sc_orders_row_nowait = false;
			MemoryContextSwitchTo(cxt);
			err = CopyErrorData();
			if (err->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE || sc_orders_row_busy[0] == '\0')
				PG_RE_THROW();
			busy = pstrdup(sc_orders_row_busy);
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			/* the subtransaction's abort forgot the forcing: it still holds */
			if (saved_override)
				force_override = MemoryContextStrdup(TopTransactionContext, saved_override);
			sc_wait_for_orders_row(busy);
		}
		PG_END_TRY();
	}
}

static void
check_plan_fits_or_force(bool routing, const char *forced, const char *why)
{
	if (forced)
		check_plan_fits_forced(routing, forced, why);
	else
		check_plan_fits(routing, NULL, why);
}

/* why this transaction's changes are forced, or NULL: they are checked */
static const char *
force_reason(void)
{
	if (force_override)
		return force_override;
	if (sc_force_reason && sc_force_reason[0] != '\0')
		return sc_force_reason;
	return NULL;
}

/* run the check if one is due (a master-data change was made and not checked yet) */
static void
check_if_due(void)
{
	if (check_due)
	{
		bool		routing = routing_changed;

		/* judge the rows this statement wrote, not the versions before it */
		CommandCounterIncrement();

		check_due = false;
		routing_changed = false;
		sc_plant_check_windows();
		check_plan_fits_or_force(routing, force_reason(), "master data changed");
	}
}

void
sc_masterdata_progress_check(const char *reason)
{
	/* what the shop floor reports happened: never refused */
	check_plan_fits_or_force(false, reason, reason);
}

void
sc_masterdata_force_begin(const char *reason)
{
	force_override = MemoryContextStrdup(TopTransactionContext, reason);
}

void
sc_masterdata_force_end(void)
{
	/* a check deferred to commit runs now, while the change is still forced */
	check_if_due();
	force_override = NULL;
}

/* ------------------------------------------------------------------------
 * Triggers
 * ------------------------------------------------------------------------
 */

static bool
is_table(Relation rel, const char *name)
{
	return strcmp(RelationGetRelationName(rel), name) == 0;
}

/* the master data changed: no backend may plan with the old plant */
static void
touched(Relation rel)
{
	sc_plant_invalidate();
	CacheInvalidateRelcache(rel);
	check_due = true;
	if (is_table(rel, "routing") || is_table(rel, "product"))
		routing_changed = true;
}

PG_FUNCTION_INFO_V1(sacrosanct_md_touch);
Datum
sacrosanct_md_touch(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.md_touch() must be fired BEFORE each row")));
	rel = td->tg_relation;

	/*
	 * Restored: the row is as it was dumped (who recorded a capacity change,
	 * and when, included), and the dump's plan fits it: nothing to check.
	 * No backend may plan with the plant it had cached, though.
	 */
	if (sc_restoring_insert(td))
	{
		sc_plant_invalidate();
		CacheInvalidateRelcache(rel);
		return PointerGetDatum(td->tg_trigtuple);
	}

	/* the schedule stores resource and product codes: they do not change */
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
		(is_table(rel, "resource") || is_table(rel, "product") || is_table(rel, "calendar")))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		int			att = SPI_fnumber(desc, "code");
		bool		n1,
					n2;
		Datum		a = heap_getattr(td->tg_trigtuple, att, desc, &n1);
		Datum		b = heap_getattr(td->tg_newtuple, att, desc, &n2);

		if (strcmp(TextDatumGetCString(a), TextDatumGetCString(b)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot rename %s \"%s\"", RelationGetRelationName(rel),
							TextDatumGetCString(a)),
					 errdetail("Plans, routings and orders refer to the code."),
					 errhint("Insert a new %s and move its references to it instead.",
							 RelationGetRelationName(rel))));
	}

	/* who recorded a capacity change, and when, is not the writer's to say */
	if (is_table(rel, "capacity_change") && !TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		int			cols[2] = {SPI_fnumber(desc, "created_by"), SPI_fnumber(desc, "created_at")};
		Datum		vals[2];
		bool		nulls[2] = {false, false};
		HeapTuple	row;

		if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		{
			vals[0] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
			vals[1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		}
		else
		{
			vals[0] = heap_getattr(td->tg_trigtuple, cols[0], desc, &nulls[0]);
			vals[1] = heap_getattr(td->tg_trigtuple, cols[1], desc, &nulls[1]);
		}
		row = heap_modify_tuple_by_cols(TRIGGER_FIRED_BY_INSERT(td->tg_event)
										? td->tg_trigtuple : td->tg_newtuple,
										desc, 2, cols, vals, nulls);
		touched(rel);
		return PointerGetDatum(row);
	}

	touched(rel);
	return PointerGetDatum(TRIGGER_FIRED_BY_DELETE(td->tg_event)
						   ? td->tg_trigtuple
						   : TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple
						   : td->tg_trigtuple);
}

PG_FUNCTION_INFO_V1(sacrosanct_md_check);
Datum
sacrosanct_md_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.md_check() must be fired AFTER a change")));

	/* TRUNCATE fires no row trigger: this is its touch */
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		touched(td->tg_relation);

	check_if_due();
	return PointerGetDatum(NULL);
}
