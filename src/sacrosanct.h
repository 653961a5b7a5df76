/*
 * sacrosanct.h
 *		Declarations shared by the extension's backend files: settings,
 *		SQLSTATEs, the planning day, and a compatibility shim.
 *
 * The planning engine (plan.h) does not include this file: it is plain C.
 */
#ifndef SACROSANCT_H
#define SACROSANCT_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/date.h"
#include "utils/guc.h"

#include "plan.h"

/*
 * SQLSTATEs of DESIGN.md §3.4.  doc/reference.sh copies the comment above
 * each code into doc/reference.md: say there when the code is raised and
 * what its DETAIL carries.
 */

/*
 * A promise the schedule cannot back: the INSERT or UPDATE (of qty,
 * product, promised or not_before) of an open order of a guarded table, or
 * guard() of a table whose open rows it cannot back.  The DETAIL's first
 * line is "earliest backed date: YYYY-MM-DD (bottleneck: CODE)", or
 * "earliest backed date: none within N days".
 */
#define ERRCODE_SC_NOT_BACKED		MAKE_SQLSTATE('S','C','0','0','1')
/*
 * An unknown product or resource, or a product without a routing: an order
 * or a quote of it, capacity(), add_capacity(), remove_capacity(), gantt().
 * The DETAIL names it.
 */
#define ERRCODE_SC_UNKNOWN			MAKE_SQLSTATE('S','C','0','0','2')
/*
 * A change that would break backed promises, refused with nothing changed:
 * capacity removed, a calendar, routing, unit count or buffer changed,
 * replan(), the product or routing of open orders removed; and every
 * TRUNCATE of a guarded table.  The DETAIL names each order it would break
 * with its promise and the best new date found.
 */
#define ERRCODE_SC_WOULD_BREAK		MAKE_SQLSTATE('S','C','0','0','3')
/*
 * A pipeline write refused, through the functions or by DML alike: not a
 * member of the owning or receiving stage's role, a transition not allowed,
 * required context missing, an open handoff already, answered already, a
 * return without a reason, a closed work item, a WIP limit, no backed
 * order, a change or deletion of history, a work item the caller cannot
 * see.  The DETAIL says what is missing.
 */
#define ERRCODE_SC_HANDOFF			MAKE_SQLSTATE('S','C','0','0','4')
/*
 * The quote hold an order names (quote_id) is unknown, consumed, expired,
 * or does not match the order: another product or quantity, a promise
 * before the quoted date, a not_before after the held plan starts.  The
 * DETAIL gives the hold's facts.
 */
#define ERRCODE_SC_QUOTE			MAKE_SQLSTATE('S','C','0','0','5')

/*
 * Settings (sacrosanct.c).  The plant-wide ones are superuser-only: one
 * session with a longer horizon could otherwise accept orders that every
 * other session's replans must then break.
 */
extern int	sc_horizon_days;		/* sacrosanct.horizon_days */
extern char *sc_timezone;			/* sacrosanct.timezone */
extern int	sc_max_hold_minutes;	/* sacrosanct.max_hold */
extern char *sc_force_reason;		/* sacrosanct.force_reason: SET LOCAL to force master-data changes */
extern bool sc_restoring;			/* sacrosanct.restoring: this session restores a dump (restore.c) */

/* today.c: "today" for planning, sacrosanct.today when set, else current_date */
extern ScDay sc_today(void);
/* a day as YYYY-MM-DD whatever DateStyle says (error texts are stable) */
extern const char *sc_day_text(ScDay day);
/* the GUC hooks of sacrosanct.today */
extern bool sc_today_check(char **newval, void **extra, GucSource source);
extern void sc_today_assign(const char *newval, void *extra);

/* set-returning functions materialize their rows (PG 15 has a helper for it) */
#if PG_VERSION_NUM < 150000
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/tuplestore.h"
#define MAT_SRF_USE_EXPECTED_DESC	0x01	/* as PG 15: the caller's descriptor, for a setof scalar */
static inline void
InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 flags)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if ((flags & MAT_SRF_USE_EXPECTED_DESC) && rsinfo->expectedDesc != NULL)
		desc = rsinfo->expectedDesc;
	else if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = CreateTupleDescCopy(desc);
	MemoryContextSwitchTo(old);
}
#endif

#endif							/* SACROSANCT_H */
