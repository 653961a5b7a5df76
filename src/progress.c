/*
 * progress.c
 *		Progress from the shop floor: complete_step().
 *
 * A step reported complete loads nothing any more: its minutes from today
 * on are released, its minutes on past days stay as history, and the next
 * step may start on the completion day plus its lag (at the next replan,
 * or the next change of the order, its plan moves earlier).  Steps are
 * completed in order.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

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
	int			pos = -1;
	int			m = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("%s must not be NULL", PG_ARGISNULL(0) ? "order_key" : "step"),
				 errhint("Name the order and the routing step that is complete.")));
	key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	step = PG_GETARG_INT32(1);
	source = order_table(key, PG_ARGISNULL(2) ? InvalidOid : PG_GETARG_OID(2));

	sc_session_begin(&s);
	if (!sc_session_lock_record(&s, key, source, &rec))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no open order \"%s\" in %s", key, get_rel_name(source) ? get_rel_name(source) : "that table"),
				 errhint("Check the order key and table.")));
	for (int k = 0; k < rec.nsteps; k++)
		if (rec.step_no[k] == step)
			pos = k;
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
	PG_RETURN_VOID();
}
