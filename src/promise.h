/*
 * promise.h
 *		Planning operations on the committed schedule: place an order
 *		(greedy insertion, replan fallback, or SC001 with the earliest
 *		backed date), release one, quote, replan, check master data.
 */
#ifndef SC_PROMISE_H
#define SC_PROMISE_H

#include "sacrosanct.h"

#include "utils/numeric.h"
#include "utils/timestamp.h"

/* An order as a guarded row describes it. */
typedef struct ScOrderIn
{
	const char *key;
	Oid			source;			/* the guarded table */
	const char *product;
	Numeric		qty;
	ScDay		promised;		/* SC_NO_DAY: not given */
	ScDay		not_before;		/* SC_NO_DAY: none */
	bool		has_quote;
	int64		quote_id;
} ScOrderIn;

/*
 * Plan a new open order (old_key NULL) or re-plan a changed one (old_key is
 * its key before the change).  Refuses with SC001 unless
 * promise_negotiable: then a promise the schedule cannot back is moved to
 * the earliest backed date, which is returned (SC_NO_DAY when it stands).
 */
extern ScDay sc_place_order(const ScOrderIn *in, const char *old_key, bool promise_negotiable);

/* Rename an order's record (its key changed, nothing else). */
extern void sc_rename_order(const char *old_key, const char *new_key);

/* Release an order's capacity: its record and all its allocations go. */
extern void sc_release_order(const char *key);

/*
 * The earliest backed date for an order (rule 9) without planning it, for
 * an INSERT with no promised date; exclude_key leaves that order's own
 * plan out.  SC001 when none exists within the horizon.
 */
extern ScDay sc_assign_promise(const ScOrderIn *in, const char *exclude_key);

/* Is an open order with this key planned? */
extern bool sc_order_planned(const char *key);

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

/* sacrosanct.replan(): the orders whose plan changed */
typedef struct ScMoved
{
	const char *order_key;		/* NULL for a quote hold */
	int64		id;
	ScDay		promised;
	ScDay		planned_finish;
} ScMoved;

extern ScMoved *sc_replan_all(const char *what, const char *why, int *nmoved);

/*
 * After a master-data change: if the committed plan no longer fits (a day
 * overloaded, a routing or buffer changed under an order), replan, or
 * refuse with SC003 naming the orders that would break.  routing_changed:
 * recompute every order's work from its routing.
 */
extern void sc_check_plan_fits(bool routing_changed);

#endif							/* SC_PROMISE_H */
