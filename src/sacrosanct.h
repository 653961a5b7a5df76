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

/* SQLSTATEs of DESIGN.md §3.4 */
#define ERRCODE_SC_NOT_BACKED		MAKE_SQLSTATE('S','C','0','0','1')
#define ERRCODE_SC_UNKNOWN			MAKE_SQLSTATE('S','C','0','0','2')
#define ERRCODE_SC_WOULD_BREAK		MAKE_SQLSTATE('S','C','0','0','3')
#define ERRCODE_SC_HANDOFF			MAKE_SQLSTATE('S','C','0','0','4')
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
