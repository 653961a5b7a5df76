/*
 * sacrosanct.h
 *		Declarations shared by the extension's backend files: settings,
 *		SQLSTATEs, and the few helpers every file uses.
 *
 * The planning engine (plan.h) does not include this file: it is plain C.
 */
#ifndef SACROSANCT_H
#define SACROSANCT_H

#include "postgres.h"

#include "utils/date.h"
#include "utils/snapshot.h"

#include "plan.h"

/* SQLSTATEs of DESIGN.md §3.4 */
#define ERRCODE_SC_NOT_BACKED		MAKE_SQLSTATE('S','C','0','0','1')
#define ERRCODE_SC_UNKNOWN			MAKE_SQLSTATE('S','C','0','0','2')
#define ERRCODE_SC_WOULD_BREAK		MAKE_SQLSTATE('S','C','0','0','3')
#define ERRCODE_SC_HANDOFF			MAKE_SQLSTATE('S','C','0','0','4')
#define ERRCODE_SC_QUOTE			MAKE_SQLSTATE('S','C','0','0','5')

/* settings (sacrosanct.c) */
extern int	sc_horizon_days;

/* "today" for planning: sacrosanct.today when set, else current_date */
extern ScDay sc_today(void);

/* run a read-only query with SPI (connected) against this snapshot */
extern void sc_spi_select(const char *sql, Snapshot snapshot);

/* a day as YYYY-MM-DD whatever DateStyle says (error texts are stable) */
extern const char *sc_day_text(ScDay day);

/*
 * The schedule tables (demand, load, plan_log) accept writes only while the
 * extension itself writes them: sc_schedule_write_begin() opens that window
 * and returns the previous state for sc_schedule_write_end().
 */
extern bool sc_schedule_write_begin(void);
extern void sc_schedule_write_end(bool previous);

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

/* debug builds (make test) check the engine's invariants */
#ifdef SC_DEBUG
#define SC_CHECK(cond) \
	do { if (!(cond)) elog(ERROR, "sacrosanct internal check failed: %s (%s:%d)", \
						   #cond, __FILE__, __LINE__); } while (0)
#else
#define SC_CHECK(cond) ((void) 0)
#endif

#endif							/* SACROSANCT_H */
