/*
 * session.h
 *		A planning session: one operation on the committed schedule, from
 *		its locks and snapshot to the rows it writes back.
 *
 * A session locks the resources it needs (sc_session_lock_*), takes a
 * snapshot after the locks, reads what it plans with, runs the engine on a
 * board, and commits: the records whose plan changed, their load, and a
 * plan_log entry.  A full session holds every open order and quote hold in
 * memory, sorted by rule 7's order, for replans and the earliest-date
 * search; the fast path of a guarded INSERT needs only a lazy board.
 */
#ifndef SC_SESSION_H
#define SC_SESSION_H

#include "sacrosanct.h"

#include "lib/stringinfo.h"
#include "utils/numeric.h"

#include "demand.h"
#include "load.h"
#include "locks.h"
#include "plant.h"

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

/* One demand row in a full session, and the order the engine makes of it. */
typedef struct ScEntry
{
	const ScDemand *rec;		/* read-only: the backend keeps it (demand.c) */
	ScOrder		ord;
	const ScProduct *prod;
	int64	   *work;
	bool	   *keep;			/* per allocation: history kept by a replan; NULL: none */
	bool		live;			/* planned in replans */
	bool		loaded;			/* its ord holds a plan from the last pass (commit it) */
	bool		purge;			/* an expired hold, deleted by a committing replan */
	bool		stale;			/* its steps or work differ from the routing now */
} ScEntry;

typedef struct ScSession
{
	MemoryContext cxt;
	MemoryContext caller;
	ScPlant    *plant;
	ScDay		today;
	ScLocks		locks;
	Snapshot	snapshot;
	ScLoadReader reader;
	bool		reader_open;

	/* full sessions */
	int			n;
	ScEntry    *e;
	ScEntry    *excluded;		/* the order being re-planned, left out */
	ScOrder   **sorted;
	int			nsorted;
	ScBoard		board;
	ScAlloc    *current;		/* the live orders' allocations from today on, once built */
	int			ncurrent;
	int			nexpired;		/* expired holds: the load still counts them */
	ScBoard		lazy;			/* sc_session_greedy()'s board when it reads the load */
} ScSession;

/*
 * The order a session commits besides the replanned ones: its record
 * (new, or a copy of 'old' with the same id), its product and work, the
 * engine's order holding its plan on the session's board, and the history
 * of its old record that the plan keeps.
 */
typedef struct ScExtra
{
	ScDemand   *rec;
	const ScProduct *prod;
	const int64 *work;
	const ScOrder *ord;
	const ScDemand *old;
	const bool *keep;
	const ScBoard *board;		/* the board ord was loaded on; NULL: the session's */
} ScExtra;

/* sacrosanct.replan() and friends: the orders whose plan changed */
typedef struct ScMoved
{
	const char *order_key;		/* NULL for a quote hold */
	int64		id;
	ScDay		promised;
	ScDay		planned_finish;
} ScMoved;

extern void sc_session_begin(ScSession *s);
/* a snapshot taken now: after the locks, it shows every committed writer before us */
extern void sc_session_snapshot(ScSession *s);
extern void sc_session_end(ScSession *s);

/*
 * Locks.  Each takes the plant, locks, and starts over when the plant
 * changed while it waited (a master-data change that committed under those
 * locks invalidates it).
 */
extern const ScProduct *sc_session_lock_order(ScSession *s, const char *product,
											  const ScDemand *old);
extern void sc_session_lock_all(ScSession *s);
/* lock what a record holds and read it again under the locks; false when gone */
extern bool sc_session_lock_record(ScSession *s, const char *key, Oid source, ScDemand *rec);

/* resource code of step position 'pos' of a product */
extern const char *sc_session_res_code(const ScSession *s, const ScProduct *prod, int pos);

/* the engine's order for a product, its work and its sort key */
extern void sc_order_init(ScOrder *o, const ScProduct *prod, const int64 *work,
						  const char *key, int64 seq, ScDay promised, ScDay not_before);
/* rule 7's history: what a record keeps of its plan; returns the keep mask */
extern bool *sc_session_history(const ScSession *s, const ScDemand *rec,
								const ScProduct *prod, ScOrder *o);
/* the identity part of a new record for an order (a copy of old, with its id) */
extern ScDemand *sc_record_for_order(const ScOrderIn *in, const ScDemand *old, ScDay promised);

/*
 * Full sessions.  exclude_key/source: that order's record is read but left
 * out (s->excluded); recompute: every order's work from its routing.
 */
extern void sc_session_full(ScSession *s, const char *exclude_key, Oid exclude_source,
							bool recompute);
/* a record's allocations from today on, as the engine's allocations */
extern ScAlloc *sc_session_future_allocs(const ScSession *s, const ScDemand *rec, int *n);
/* put the committed schedule of every live order on the (full) board */
extern void sc_session_apply_current(ScSession *s);
/* the committed schedule on lazy board b, without old's plan (old may be NULL) */
extern ScBoard *sc_session_committed_board(ScSession *s, ScBoard *b, const ScDemand *old);
/* rule 6's first try for an order on the committed schedule: the board it is on */
extern const ScBoard *sc_session_greedy(ScSession *s, ScOrder *o);

static inline ScEntry *
sc_entry_of(ScOrder *o)
{
	return (ScEntry *) ((char *) o - offsetof(ScEntry, ord));
}

/*
 * Write a replan: every loaded order whose plan changed, expired holds
 * gone, and the extra order (may be NULL).  Logs 'what' and 'why' in
 * plan_log and returns the orders that moved.
 */
extern ScMoved *sc_session_commit(ScSession *s, ScExtra *extra,
								  const char *what, const char *why, int *nmoved);
/* Write one order planned on s->board, nothing else moved (but expired holds). */
extern void sc_session_commit_single(ScSession *s, ScExtra *extra);

/*
 * The orders of the last pass that were backed and are not any more, with
 * the dates they could have now, into 'detail' (SC003's DETAIL).  Returns
 * how many.
 */
extern int	sc_session_broken(ScSession *s, StringInfo detail);
extern void sc_refuse_breaking(const char *change, int n, const char *detail) pg_attribute_noreturn();

#endif							/* SC_SESSION_H */
