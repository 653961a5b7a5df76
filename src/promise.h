/*
 * promise.h
 *		Promises on the committed schedule: place an order (greedy
 *		insertion, replan fallback, or SC001 with the earliest backed date),
 *		release or rename one, quote and hold, replan.
 */
#ifndef SC_PROMISE_H
#define SC_PROMISE_H

#include "sacrosanct.h"

#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "session.h"

/*
 * Plan a new open order (old_key NULL) or re-plan a changed one (old_key is
 * the key of its record before the change, in the same table).  Refuses
 * with SC001 when the schedule cannot back the promise.
 */
extern void sc_place_order(const ScOrderIn *in, const char *old_key);

/*
 * Plan an order at the earliest date the schedule backs (rule 9), for an
 * open row written without a promise, and return that date; re-plans the
 * record of old_key when given.  SC001 when no date within the horizon is
 * backed.
 */
extern ScDay sc_place_earliest(const ScOrderIn *in, const char *old_key);

/* Rename an order's record (its key changed, nothing else). */
extern void sc_rename_order(const char *old_key, const char *new_key, Oid source);

/*
 * Release an order's capacity: its record and all its allocations go.  An
 * order done (delivered is a day) is recorded in sacrosanct.delivery.
 */
extern void sc_release_order(const char *key, Oid source, ScDay delivered);

/* Release every order of a guarded table (unguard()); returns how many. */
extern int	sc_release_table(Oid source);

/* Is an open order with this key planned for this table? */
extern bool sc_order_planned(const char *key, Oid source);

/* The promise of a valid quote hold matching the order, or SC005. */
extern ScDay sc_hold_promise(const ScOrderIn *in);

/* sacrosanct.quote() */
typedef struct ScQuote
{
	ScDay		earliest;		/* SC_NO_DAY: none within the horizon */
	ScDay		planned_finish;
	const char *bottleneck;
	int64		quote_id;		/* 0: no hold */
	TimestampTz hold_until;
} ScQuote;

extern ScQuote sc_quote(const char *product, Numeric qty, ScDay not_before,
						const Interval *hold);

/*
 * quote() for every product with a routing, at one quantity, on one read of
 * the schedule (sacrosanct.quoted_lead_time); palloc'd in the caller's
 * context, *n of them.
 */
typedef struct ScLeadTime
{
	const char *product;
	ScQuote		q;
} ScLeadTime;

extern ScLeadTime *sc_lead_times(Numeric qty, int *n);

/* sacrosanct.replan(): the orders whose plan changed */
extern ScMoved *sc_replan_all(const char *what, const char *why, int *nmoved);

#endif							/* SC_PROMISE_H */
