/*
 * progress.c
 *		Progress from the shop floor: complete_step().
 *
 * A step reported complete loads nothing any more: its minutes from today
 * on are released, its minutes on past days stay as history, and the next
 * step may start on the completion day plus its lag (at the next replan,
 * or the next change of the order, its plan moves earlier).  Steps are
 * completed in order.
 *
 * A step completed late (after the next step was planned to start) moves
 * the rest of the order: it is repaired around the other orders, else the
 * plant is replanned, else the order is put at risk with a renegotiation.
 * What happened on the shop floor is recorded, never refused.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "access/xact.h"

#include "masterdata.h"
#include "planlog.h"
#include "session.h"
#include "tables.h"

/* the guarded table holding this key: 'tbl' when given, else the only one */
static Oid
order_table(const char *key, Oid tbl)
{
	Oid			found = InvalidOid;
	int			count;
	Snapshot	snap;

	if (OidIsValid(tbl))
		return tbl;
	snap = RegisterSnapshot(GetLatestSnapshot());
	count = sc_demand_tables_of(key, snap, &found);
	UnregisterSnapshot(snap);
	if (count > 1)
		ereport(ERROR,
				(errcode(ERRCODE_AMBIGUOUS_PARAMETER),
				 errmsg("order key \"%s\" is open in %d guarded tables", key, count),
				 errhint("Name the table: sacrosanct.complete_step(order_key, step, tbl => 'schema.table').")));
	if (count == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no open order \"%s\"", key),
				 errdetail("Only open orders are planned; a done or cancelled order has no steps left."),
				 errhint("Check the order key.")));
	return found;
}

/*
 * Would completing step position pos today leave the next step planned
 * before today plus its lag?
 */
static bool
completes_late(const ScDemand *d, const ScPlant *plant, int pos, ScDay today)
{
	const ScProduct *prod = d->prod ? d->prod : sc_plant_product(plant, d->product);
	ScDay		earliest;

	if (prod == NULL || pos + 1 >= d->nsteps || pos + 1 >= prod->routing.nsteps)
		return false;
	earliest = today + prod->routing.steps[pos + 1].lag_days;
	for (int k = 0; k < d->nalloc; k++)
		if (d->alloc_step[k] == d->step_no[pos + 1] && d->alloc_day[k] >= today &&
			d->alloc_day[k] < earliest)
			return true;
	return false;
}

/* the routing position of step number 'step' in the record, -1 when none */
static int
step_pos(const ScDemand *d, int32 step)
{
	for (int k = 0; k < d->nsteps; k++)
		if (d->step_no[k] == step)
			return k;
	return -1;
}

PG_FUNCTION_INFO_V1(sacrosanct_complete_step);
Datum
sacrosanct_complete_step(PG_FUNCTION_ARGS)
{
	char	   *key;
	int32		step;
	Oid			source;
	ScSession	s;
	ScDemand	rec;
	ScLoadDelta dl = {0};
	ScDemand	pre;
	Snapshot	snap;
	int			pos;
	int			m = 0;
	bool		locked_all = false;
	bool		late;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("%s must not be NULL", PG_ARGISNULL(0) ? "order_key" : "step"),
				 errhint("Name the order and the routing step that is complete.")));
	key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	step = PG_GETARG_INT32(1);
	source = order_table(key, PG_ARGISNULL(2) ? InvalidOid : PG_GETARG_OID(2));

	sc_session_begin(&s);

	/*
	 * A step completed late moves the order, which may move others: that
	 * takes every resource's lock, in order, before any other.  A look
	 * without locks tells which; under the locks it is decided again.
	 */
	snap = RegisterSnapshot(GetLatestSnapshot());
	if (sc_demand_by_key(key, source, snap, &pre) && (pos = step_pos(&pre, step)) >= 0 &&
		pos == pre.steps_done && completes_late(&pre, sc_plant(), pos, s.today))
	{
		sc_session_lock_all(&s);
		locked_all = true;
	}
	UnregisterSnapshot(snap);

	if (!sc_session_lock_record(&s, key, source, &rec))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no open order \"%s\" in %s", key, get_rel_name(source) ? get_rel_name(source) : "that table"),
				 errhint("Check the order key and table.")));
	pos = step_pos(&rec, step);
	if (pos < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order \"%s\" has no step %d", key, step),
				 errdetail("Its routing has %d step%s, numbered %d to %d.", rec.nsteps,
						   rec.nsteps == 1 ? "" : "s", rec.step_no[0], rec.step_no[rec.nsteps - 1]),
				 errhint("Give a step number of the order's routing.")));
	if (pos < rec.steps_done)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("step %d of order \"%s\" is complete already", step, key),
				 errhint("Report the next step, %s.",
						 rec.steps_done < rec.nsteps ? psprintf("%d", rec.step_no[rec.steps_done]) : "none: every step is complete")));
	if (pos > rec.steps_done)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("step %d of order \"%s\" cannot be complete before step %d", step, key,
						rec.step_no[rec.steps_done]),
				 errdetail("Steps are completed in routing order."),
				 errhint("Report step %d first.", rec.step_no[rec.steps_done])));

	late = completes_late(&rec, s.plant, pos, s.today);
	if (late && !locked_all)
		sc_session_lock_all(&s);	/* changed since the look: rare */

	/* its minutes from today on go; the past stays as history */
	for (int k = 0; k < rec.nalloc; k++)
	{
		if (rec.alloc_step[k] == step && rec.alloc_day[k] >= s.today)
		{
			int			r = sc_demand_alloc_ridx(s.plant, &rec, k);

			if (r >= 0 && s.plant->res[r].finite)
				sc_delta_add(&dl, s.plant->res[r].code, rec.alloc_day[k], -(int64) rec.alloc_min[k]);
			continue;
		}
		rec.alloc_step[m] = rec.alloc_step[k];
		rec.alloc_day[m] = rec.alloc_day[k];
		rec.alloc_min[m] = rec.alloc_min[k];
		m++;
	}
	rec.nalloc = m;
	rec.steps_done = pos + 1;
	rec.done_on = s.today;
	if (rec.steps_done == rec.nsteps)
	{
		/* nothing left to make: it is finished, and backed */
		rec.planned_finish = s.today;
		rec.backed = true;
	}

	sc_write_begin();
	sc_demand_update(&rec);
	sc_load_write(&dl);
	sc_plan_log("step completed", psprintf("order %s step %d", key, step), 0);
	sc_write_end();
	sc_session_end(&s);

	if (late)
	{
		CommandCounterIncrement();
		sc_masterdata_progress_check(psprintf("order %s step %d completed late, on %s",
											  key, step, sc_day_text(s.today)));
	}
	PG_RETURN_VOID();
}
