/*
 * plan.h
 *		The planning engine: the planning rule of DESIGN.md §3.1 on day
 *		buckets, in plain C.
 *
 * Nothing here touches the database.  The caller describes the plant
 * (calendars, resources, routings), hands in the orders, and reads back
 * finishes and allocations; session.c does that for the extension, and
 * test/unit does it for the engine's own tests.  Memory comes from
 * sc_alloc() (palloc in the backend, malloc standalone), so a caller frees
 * everything by resetting one memory context.
 */
#ifndef SC_PLAN_H
#define SC_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A day: PostgreSQL's DateADT, days since 2000-01-01. */
typedef int32_t ScDay;
#define SC_NO_DAY	INT32_MIN

/* ISO weekday of a day, 1 = Monday .. 7 = Sunday */
extern int	sc_isodow(ScDay day);

typedef struct ScCalendar
{
	int32_t		week[8];		/* working minutes per ISO weekday 1..7 */
	int			nholidays;
	const ScDay *holidays;		/* ascending */
} ScCalendar;

/* a capacity change: minutes per day (signed) on days [from, upto) */
typedef struct ScChange
{
	ScDay		from;
	ScDay		upto;
	int64_t		minutes;
} ScChange;

typedef struct ScResource
{
	const char *code;
	int32_t		units;
	bool		finite;
	const ScCalendar *cal;
	int			nchanges;
	const ScChange *changes;
} ScResource;

/* Largest capacity of one resource-day; larger sums are clamped to it. */
#define SC_MAX_DAY_MINUTES	INT32_MAX

/* Rule 1: cap(r, d) */
extern int64_t sc_capacity(const ScResource *r, ScDay day);

/* cap(r, d) for the n days from 'from', into out[0..n) */
extern void sc_capacity_range(const ScResource *r, ScDay from, int n, int64_t *out);

/* One step of a routing, resolved against the plant. */
typedef struct ScStep
{
	int32_t		step_no;		/* the routing's step number */
	int			res;			/* index into the board's resources */
	int32_t		lag_days;
} ScStep;

typedef struct ScRouting
{
	int32_t		buffer_days;
	int			nsteps;
	const ScStep *steps;
} ScRouting;

/* One allocation: minutes of step position 'pos' on resource 'res' on 'day'. */
typedef struct ScAlloc
{
	int32_t		pos;
	int32_t		res;
	ScDay		day;
	int32_t		minutes;
} ScAlloc;

/*
 * An order (or a quote hold, or a would-be order) as the engine sees it.
 * The caller fills the inputs; sc_load_order() fills the results.
 */
typedef struct ScOrder
{
	/* sort key of rule 7: (promised, key in byte order, seq); key NULL sorts last */
	ScDay		promised;
	const char *key;
	uint64_t	keyprefix;		/* sc_key_prefix(key), or 0: compare the keys themselves */
	int64_t		seq;

	ScDay		not_before;		/* SC_NO_DAY: none */
	const ScRouting *routing;
	const int64_t *work;		/* minutes per step position (rule 2) */

	/* history: minutes per step position on days before today, and the last such day */
	const int64_t *past_minutes;	/* NULL: no history */
	const ScDay *past_last;

	/* progress: steps [0, steps_done) are complete, the last on done_day; they load nothing */
	int32_t		steps_done;
	ScDay		done_day;

	bool		at_risk;		/* sorts after the backed orders of its promise day */
	bool		backed_before;	/* rule 7: must stay backed */

	/* results */
	ScDay		finish;			/* planned finish; SC_NO_DAY: not loadable within the horizon */
	bool		backed;			/* rule 5 */
	int32_t		bottleneck;		/* step position that waited longest; -1 none */
	int32_t		alloc_off;		/* its new allocations: board->allocs[alloc_off .. +nalloc) */
	int32_t		nalloc;
} ScOrder;

/*
 * Fill callback of a lazy board (greedy insertion reads only the days it
 * walks): planned minutes of resource 'res' for days [from, upto) into
 * planned[0 .. upto-from), given their capacity cap[].  It may stop early
 * and returns how many days it filled (at least 1).  For a day it reports
 * full (planned >= cap) any value >= cap will do; for a day with room the
 * value must be exact.
 */
typedef int32_t (*ScFillFn) (void *arg, int res, ScDay from, ScDay upto,
							 const int64_t *cap, int64_t *planned);

typedef struct ScLane
{
	int64_t    *cap;			/* capacity per day index */
	uint8_t    *cap_block;		/* lazy boards: which blocks of days have their capacity */
	int64_t    *planned;		/* planned minutes per day index; -1: not read yet (lazy) */
	int32_t    *next;			/* full boards: next day index with free capacity */
	int32_t    *base_next;		/* 'next' of an empty board */
	bool		touched;
} ScLane;

typedef struct ScBoard
{
	ScDay		today;			/* day index 0 */
	ScDay		last;			/* rule 8: nothing is placed after this day */
	int32_t		ndays;
	int			nres;
	const ScResource *res;
	ScLane	   *lanes;
	ScFillFn	fill;			/* NULL: a full board, empty after sc_board_clear() */
	void	   *fill_arg;

	ScAlloc    *allocs;			/* arena of new allocations */
	int32_t		nallocs;
	int32_t		maxallocs;
} ScBoard;

/*
 * Called in the engine's long loops (each order a replan loads, each probe
 * of a search, each step loaded), so that a replan of a large plant stops
 * at a statement timeout or a cancel.  The backend sets it to check for
 * interrupts, which may not return; NULL: nothing to check.
 */
extern void (*sc_interrupt_hook) (void);

/* Allocation hooks: palloc in the backend, malloc in standalone tests. */
extern void *sc_alloc(size_t size);
extern void *sc_alloc0(size_t size);
extern void *sc_realloc(void *ptr, size_t size);
extern void sc_free(void *ptr);

/*
 * A lazy board (fill != NULL) reads planned minutes on demand; a full board
 * (fill == NULL) holds every day of every resource, starts empty, and skips
 * full days in near-constant time.
 */
extern void sc_board_init(ScBoard *b, ScDay today, int32_t horizon_days,
						  int nres, const ScResource *res,
						  ScFillFn fill, void *fill_arg);
/* Empty a full board and forget its allocations (for the next replan probe). */
extern void sc_board_clear(ScBoard *b);
/* Room for this many allocations, when the caller knows about how many a replan makes. */
extern void sc_board_reserve(ScBoard *b, int32_t nallocs);
/* Add (sign +1) or remove (-1) allocations made elsewhere; days before today are ignored. */
extern void sc_board_apply(ScBoard *b, const ScAlloc *a, int n, int sign);
/* Planned minutes of a resource-day; 0 outside the board. */
extern int64_t sc_board_planned(ScBoard *b, int res, ScDay day);

/* Rule 4: load one order onto the board; returns o->backed. */
extern bool sc_load_order(ScBoard *b, ScOrder *o);
extern bool sc_load_order_for_promise(ScBoard *b, ScOrder *o);
/* Take an order's new allocations off the board again (undo the last load). */
extern void sc_unload_order(ScBoard *b, ScOrder *o);

/*
 * The first eight bytes of a key, big-endian: two keys whose prefixes
 * differ compare as their prefixes do, so a sort compares most keys
 * without strcmp().
 */
extern uint64_t sc_key_prefix(const char *key);

/* rule 7's order: (promised, at risk last, key in byte order with NULL last, seq) */
extern int	sc_order_cmp(const ScOrder *a, const ScOrder *b);
extern void sc_sort_orders(ScOrder **orders, int n);

/*
 * Rule 7: replan.  Loads orders[0..n) (sorted by sc_order_cmp) onto an
 * empty full board, with 'extra' (may be NULL) merged at its place.
 * Returns true when acceptable: extra (if any) is backed and every order
 * with backed_before is still backed.  With stop_early it returns at the
 * first refusal, leaving the rest unloaded; *broken then names the order
 * that broke (NULL when extra itself is not backed).
 */
extern bool sc_replan(ScBoard *b, ScOrder **orders, int n, ScOrder *extra,
					  bool stop_early, ScOrder **broken);

/*
 * Rule 9: the earliest promise date in [lo, hi] for which sc_replan()
 * accepts 'extra', by bisection (hi is assumed acceptable; returns
 * SC_NO_DAY when hi is not either).  Leaves the board holding the plan of
 * the returned date.
 */
extern ScDay sc_search_earliest(ScBoard *b, ScOrder **orders, int n, ScOrder *extra,
								ScDay lo, ScDay hi, bool hi_known_good);

/*
 * Rule 9 when greedy insertion cannot finish within the horizon: the
 * earliest date in [lo, hi] that sc_replan() accepts for 'extra', exactly
 * what a scan of every date would find (SC_NO_DAY: none).  A replan's
 * verdict changes only where extra's place among the orders does, so it
 * tries each place once, not each date.  Leaves the board holding the plan
 * of the date found.
 */
extern ScDay sc_search_earliest_scan(ScBoard *b, ScOrder **orders, int n, ScOrder *extra,
									 ScDay lo, ScDay hi);

#endif							/* SC_PLAN_H */
