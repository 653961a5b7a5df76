/*
 * promise.c
 *		Planning operations on the committed schedule (DESIGN.md §3.1
 *		rules 6, 7 and 9; §3.2): place, release, quote, replan, re-check.
 *
 * The fast path of a guarded INSERT locks the resources of the order's
 * routing, loads it greedily on a lazy board that reads only the days it
 * walks, and writes one demand row and a handful of load rows.  Only when
 * that does not back the promise does it lock every resource, read every
 * open order, and run replans in memory: once at the promised date and, if
 * that fails too, as a bisection for the earliest backed date.  Replans
 * write back only the orders whose plan changed.
 */
#include "postgres.h"

#include "access/xact.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "plan_io.h"
#include "plant.h"
#include "promise.h"

/* One demand row in a full session, and the order the engine makes of it. */
typedef struct Entry
{
	ScDemand   *rec;
	ScOrder		ord;
	const ScProduct *prod;
	int64	   *work;
	bool	   *keep;			/* per allocation: history kept by a replan */
	bool		live;			/* planned in replans */
	bool		loaded;			/* its ord holds a plan from the last pass (commit it) */
	bool		purge;			/* an expired hold, deleted by a committing replan */
	bool		stale;			/* its steps or work differ from the routing now */
} Entry;

typedef struct Session
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
	Entry	   *e;
	Entry	   *excluded;		/* the order being re-planned, left out */
	ScOrder   **sorted;
	int			nsorted;
	ScBoard		board;
} Session;

static void
session_begin(Session *s)
{
	memset(s, 0, sizeof(*s));
	s->cxt = AllocSetContextCreate(CurrentMemoryContext, "sacrosanct planning",
								   ALLOCSET_DEFAULT_SIZES);
	s->caller = MemoryContextSwitchTo(s->cxt);
	s->today = sc_today();

	/*
	 * Make the rows of the statement that fired us visible to the snapshots
	 * and the plant we are about to take, as SPI would for a volatile
	 * function.
	 */
	CommandCounterIncrement();
}

/* a snapshot taken now: after the locks, it shows every committed writer before us */
static void
session_snapshot(Session *s)
{
	CommandCounterIncrement();
	if (s->snapshot)
		UnregisterSnapshot(s->snapshot);
	s->snapshot = RegisterSnapshot(GetLatestSnapshot());
}

static void
session_end(Session *s)
{
	if (s->reader_open)
		sc_load_reader_close(&s->reader);
	if (s->snapshot)
		UnregisterSnapshot(s->snapshot);
	MemoryContextSwitchTo(s->caller);
	MemoryContextDelete(s->cxt);
}

static const char *
res_code(const Session *s, const ScProduct *prod, int pos)
{
	return s->plant->res[prod->routing.steps[pos].res].code;
}

/*
 * Lock the resources of a product's routing and of an old record, then make
 * sure the plant did not change while we waited (a master-data change that
 * committed under those locks invalidates it): if it did, start over.
 */
static const ScProduct *
lock_for_order(Session *s, const char *product, const ScDemand *old)
{
	for (;;)
	{
		const ScProduct *prod;
		int		   *res;
		int			n = 0;

		s->plant = sc_plant();
		prod = sc_plant_product_for_order(s->plant, product);
		res = palloc(sizeof(int) * (prod->routing.nsteps + (old ? old->nsteps : 0) + 1));
		for (int k = 0; k < prod->routing.nsteps; k++)
			res[n++] = prod->routing.steps[k].res;
		for (int k = 0; old && k < old->nsteps; k++)
			res[n++] = sc_plant_resource(s->plant, old->step_res[k]);
		sc_lock_resources(s->plant, res, n, &s->locks);
		pfree(res);
		if (sc_plant() == s->plant)
			return prod;
		sc_unlock(&s->locks);
	}
}

static void
lock_everything(Session *s)
{
	for (;;)
	{
		s->plant = sc_plant();
		sc_lock_all(s->plant, &s->locks);
		if (sc_plant() == s->plant)
			return;
		sc_unlock(&s->locks);
	}
}

/* ------------------------------------------------------------------------
 * Orders and records
 * ------------------------------------------------------------------------
 */

/* position of a record's allocation k in the product's routing, -1 if none */
static int
alloc_position(const Session *s, const ScDemand *rec, int k, const ScProduct *prod)
{
	int			r = sc_demand_alloc_ridx(s->plant, rec, k);

	for (int p = 0; p < prod->routing.nsteps; p++)
		if (prod->routing.steps[p].step_no == rec->alloc_step[k] &&
			prod->routing.steps[p].res == r)
			return p;
	return -1;
}

/*
 * History (rule 7): a record's minutes on days before today stay, and count
 * for the step they were made for, when the routing still has that step on
 * that resource.  Sets o->past_* and returns the per-allocation keep mask.
 */
static bool *
history(const Session *s, const ScDemand *rec, const ScProduct *prod, ScOrder *o)
{
	int			n = prod->routing.nsteps;
	bool	   *keep = palloc0(sizeof(bool) * (rec ? rec->nalloc + 1 : 1));
	int64	   *past = NULL;
	ScDay	   *last = NULL;

	for (int k = 0; rec && k < rec->nalloc; k++)
	{
		int			p;

		if (rec->alloc_day[k] >= s->today)
			continue;
		p = alloc_position(s, rec, k, prod);
		if (p < 0)
			continue;
		if (past == NULL)
		{
			past = palloc0(sizeof(int64) * n);
			last = palloc(sizeof(ScDay) * n);
			for (int i = 0; i < n; i++)
				last[i] = SC_NO_DAY;
		}
		keep[k] = true;
		past[p] += rec->alloc_min[k];
		if (rec->alloc_day[k] > last[p])
			last[p] = rec->alloc_day[k];
	}
	o->past_minutes = past;
	o->past_last = last;
	return keep;
}

static void
order_init(ScOrder *o, const ScProduct *prod, const int64 *work,
		   const char *key, int64 seq, ScDay promised, ScDay not_before)
{
	memset(o, 0, sizeof(*o));
	o->promised = promised;
	o->key = key;
	o->seq = seq;
	o->not_before = not_before;
	o->routing = &prod->routing;
	o->work = work;
	o->finish = SC_NO_DAY;
	o->bottleneck = -1;
}

/* does the record's step list still match the product's routing? */
static bool
steps_match(const Session *s, const ScDemand *rec, const ScProduct *prod)
{
	if (rec->nsteps != prod->routing.nsteps)
		return false;
	for (int k = 0; k < rec->nsteps; k++)
	{
		if (rec->step_no[k] != prod->routing.steps[k].step_no)
			return false;
		/* resolved against this plant when read: compare indexes, not codes */
		if (rec->step_ridx && rec->step_ridx[k] >= 0 ?
			rec->step_ridx[k] != prod->routing.steps[k].res :
			strcmp(rec->step_res[k], res_code(s, prod, k)) != 0)
			return false;
	}
	return true;
}

static const ScProduct *
product_of_record(const Session *s, const ScDemand *rec)
{
	const ScProduct *prod = rec->prod;
	const char *who;

	/* resolved when read, against this plant: no need to look it up again */
	if (prod == NULL || prod < s->plant->prod || prod >= s->plant->prod + s->plant->nprod)
		prod = sc_plant_product(s->plant, rec->product);
	who = rec->order_key ? rec->order_key : "(quote hold)";

	if (prod == NULL || prod->routing.nsteps == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SC_WOULD_BREAK),
				 errmsg("open order \"%s\" needs product \"%s\", which has %s",
						who, rec->product, prod == NULL ? "been removed" : "no routing"),
				 errdetail("Order \"%s\" is promised for %s and must stay planned.",
						   who, sc_day_text(rec->promised)),
				 errhint("Keep the product and its routing until its open orders are done or cancelled.")));
	return prod;
}

/* Fill the plan part of a record from an order just loaded on s->board. */
static void
record_plan(const Session *s, ScDemand *rec, const ScProduct *prod, const int64 *work,
			const ScOrder *o, const ScDemand *old, const bool *keep)
{
	int			n = prod->routing.nsteps;
	int			nkeep = 0;
	int			m = 0;

	rec->nsteps = n;
	rec->step_no = palloc(sizeof(int32) * n);
	rec->step_res = palloc(sizeof(char *) * n);
	rec->step_ridx = palloc(sizeof(int32) * n);
	rec->work = palloc(sizeof(int64) * n);
	for (int k = 0; k < n; k++)
	{
		rec->step_no[k] = prod->routing.steps[k].step_no;
		rec->step_res[k] = (char *) res_code(s, prod, k);
		rec->step_ridx[k] = prod->routing.steps[k].res;
		rec->work[k] = work[k];
	}
	rec->prod = prod;

	for (int k = 0; old && k < old->nalloc; k++)
		nkeep += keep[k] ? 1 : 0;
	rec->nalloc = nkeep + o->nalloc;
	rec->alloc_step = palloc(sizeof(int32) * (rec->nalloc + 1));
	rec->alloc_day = palloc(sizeof(ScDay) * (rec->nalloc + 1));
	rec->alloc_min = palloc(sizeof(int32) * (rec->nalloc + 1));
	for (int k = 0; old && k < old->nalloc; k++)
		if (keep[k])
		{
			rec->alloc_step[m] = old->alloc_step[k];
			rec->alloc_day[m] = old->alloc_day[k];
			rec->alloc_min[m] = old->alloc_min[k];
			m++;
		}
	for (int k = 0; k < o->nalloc; k++)
	{
		const ScAlloc *a = &s->board.allocs[o->alloc_off + k];

		rec->alloc_step[m] = prod->routing.steps[a->pos].step_no;
		rec->alloc_day[m] = a->day;
		rec->alloc_min[m] = a->minutes;
		m++;
	}
	rec->planned_finish = o->finish;
	rec->backed = o->backed;
}

/*
 * Would record_plan() write back exactly the record an entry has?  Checked
 * without building it, and the only such check: most orders of a replan do
 * not move, and an order whose steps or work changed is stale.
 */
static bool
plan_unchanged(const Session *s, const Entry *e)
{
	const ScDemand *d = e->rec;
	const ScOrder *o = &e->ord;
	int			j = 0;

	if (e->stale || d->planned_finish != o->finish || d->backed != o->backed)
		return false;
	/* record_plan() puts the kept history first, then the new allocations */
	for (int k = 0; k < d->nalloc; k++)
		if (e->keep[k])
		{
			if (k != j)
				return false;
			j++;
		}
	if (d->nalloc - j != o->nalloc)
		return false;
	for (int k = 0; k < o->nalloc; k++)
	{
		const ScAlloc *a = &s->board.allocs[o->alloc_off + k];

		if (d->alloc_step[j + k] != e->prod->routing.steps[a->pos].step_no ||
			d->alloc_day[j + k] != a->day || d->alloc_min[j + k] != a->minutes)
			return false;
	}
	return true;
}

/* the identity part of a new record for an order */
static ScDemand *
record_for_order(const ScOrderIn *in, const ScDemand *old, ScDay promised)
{
	ScDemand   *rec = palloc0(sizeof(ScDemand));

	if (old)
		*rec = *old;
	rec->order_key = pstrdup(in->key);
	rec->source = in->source;
	rec->hold_until = 0;
	rec->product = pstrdup(in->product);
	rec->qty = in->qty;
	rec->promised = promised;
	rec->not_before = in->not_before;
	return rec;
}

/* ------------------------------------------------------------------------
 * Full sessions: every open order in memory
 * ------------------------------------------------------------------------
 */

static void
session_full(Session *s, const char *exclude_key, bool recompute)
{
	ScDemand   *rec;
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	rec = sc_demand_all(s->snapshot, s->plant, &s->n);
	s->e = palloc0(sizeof(Entry) * (s->n + 1));
	s->sorted = palloc(sizeof(ScOrder *) * (s->n + 1));
	s->nsorted = 0;
	s->excluded = NULL;

	for (int i = 0; i < s->n; i++)
	{
		Entry	   *e = &s->e[i];

		e->rec = &rec[i];
		if (exclude_key && rec[i].order_key && strcmp(rec[i].order_key, exclude_key) == 0)
		{
			s->excluded = e;
			continue;
		}
		if (rec[i].order_key == NULL && rec[i].hold_until < now)
		{
			/* an expired hold reserves nothing */
			e->purge = true;
			continue;
		}
		e->prod = product_of_record(s, e->rec);
		if (!recompute && steps_match(s, e->rec, e->prod))
			e->work = e->rec->work;
		else
		{
			e->work = palloc(sizeof(int64) * e->prod->routing.nsteps);
			sc_product_work(e->prod, e->rec->qty, e->work);
			e->stale = !steps_match(s, e->rec, e->prod) ||
				memcmp(e->work, e->rec->work, sizeof(int64) * e->rec->nsteps) != 0;
		}
		order_init(&e->ord, e->prod, e->work, e->rec->order_key,
				   e->rec->order_key ? 0 : e->rec->id,
				   e->rec->promised, e->rec->not_before);
		e->keep = history(s, e->rec, e->prod, &e->ord);
		e->ord.at_risk = e->rec->at_risk;
		e->ord.backed_before = e->rec->backed && !e->rec->at_risk &&
			e->rec->planned_finish != SC_NO_DAY && e->rec->promised >= s->today;
		e->live = true;
		e->loaded = true;
		s->sorted[s->nsorted++] = &e->ord;
	}
	sc_sort_orders(s->sorted, s->nsorted);
	sc_board_init(&s->board, s->today, sc_horizon_days, s->plant->nres, s->plant->res,
				  NULL, NULL);
}

/* a record's allocations from today on, as the engine's allocations */
static ScAlloc *
future_allocs(const Session *s, const ScDemand *rec, int *n)
{
	ScAlloc    *a = palloc(sizeof(ScAlloc) * (rec->nalloc + 1));

	*n = 0;
	for (int k = 0; k < rec->nalloc; k++)
	{
		int			r;

		if (rec->alloc_day[k] < s->today)
			continue;
		r = sc_demand_alloc_ridx(s->plant, rec, k);
		if (r < 0)
			continue;
		a[*n].pos = 0;
		a[*n].res = r;
		a[*n].day = rec->alloc_day[k];
		a[*n].minutes = rec->alloc_min[k];
		(*n)++;
	}
	return a;
}

/* put the committed schedule of every live order on the (full) board */
static void
board_apply_current(Session *s)
{
	sc_board_clear(&s->board);
	for (int i = 0; i < s->n; i++)
	{
		int			n;
		ScAlloc    *a;

		if (!s->e[i].live)
			continue;
		a = future_allocs(s, s->e[i].rec, &n);
		sc_board_apply(&s->board, a, n, +1);
		pfree(a);
	}
}

static inline Entry *
entry_of(ScOrder *o)
{
	return (Entry *) ((char *) o - offsetof(Entry, ord));
}

/*
 * A full session plans as if expired holds were gone: whatever it commits
 * must make them gone.  (Caller runs as owner.)
 */
static void
purge_expired(Session *s, ScLoadDelta *dl)
{
	for (int i = 0; i < s->n; i++)
	{
		Entry	   *e = &s->e[i];

		if (e->purge)
		{
			sc_delta_demand(dl, s->plant, e->rec, -1);
			sc_demand_delete(e->rec->id);
		}
	}
}

/*
 * Write a replan: every live order whose plan changed, expired holds gone,
 * and the extra order (new or re-planned) if any.  Returns the moved orders.
 */
static ScMoved *
session_commit(Session *s, ScDemand *extra_rec, const ScProduct *extra_prod,
			   const int64 *extra_work, const ScOrder *extra, const ScDemand *extra_old,
			   const bool *extra_keep, const char *what, const char *why, int *nmoved)
{
	ScLoadDelta dl = {0};
	ScAsOwner	own;
	ScMoved    *moved = palloc(sizeof(ScMoved) * (s->n + 1));
	int			m = 0;

	sc_owner_begin(&own);
	purge_expired(s, &dl);
	/* in rule 7's order, so that what moved reads in promise order */
	for (int i = 0; i < s->nsorted; i++)
	{
		Entry	   *e = entry_of(s->sorted[i]);
		ScDemand	now;

		if (!e->loaded || plan_unchanged(s, e))
			continue;
		now = *e->rec;
		record_plan(s, &now, e->prod, e->work, &e->ord, e->rec, e->keep);
		sc_delta_demand(&dl, s->plant, e->rec, -1);
		sc_delta_demand(&dl, s->plant, &now, +1);
		sc_demand_update(&now);
		moved[m].order_key = now.order_key;
		moved[m].id = now.id;
		moved[m].promised = now.promised;
		moved[m].planned_finish = now.planned_finish;
		m++;
	}
	if (extra_rec)
	{
		record_plan(s, extra_rec, extra_prod, extra_work, extra, extra_old, extra_keep);
		if (extra_old)
			sc_delta_demand(&dl, s->plant, extra_old, -1);
		sc_delta_demand(&dl, s->plant, extra_rec, +1);
		if (extra_rec->id)
			sc_demand_update(extra_rec);
		else
			extra_rec->id = sc_demand_insert(extra_rec);
	}
	sc_load_write(&dl);
	sc_plan_log(what, why, m);
	sc_owner_end(&own);
	*nmoved = m;
	return moved;
}

/*
 * Write one order planned on s->board, nothing else moved (but expired
 * holds, when the board was a full session's).
 */
static void
commit_single(Session *s, ScDemand *rec, const ScProduct *prod, const int64 *work,
			  const ScOrder *o, const ScDemand *old, const bool *keep)
{
	ScLoadDelta dl = {0};
	ScAsOwner	own;

	record_plan(s, rec, prod, work, o, old, keep);
	if (old)
		sc_delta_demand(&dl, s->plant, old, -1);
	sc_delta_demand(&dl, s->plant, rec, +1);
	sc_owner_begin(&own);
	purge_expired(s, &dl);
	if (rec->id)
		sc_demand_update(rec);
	else
		rec->id = sc_demand_insert(rec);
	sc_load_write(&dl);
	sc_owner_end(&own);
}

/* ------------------------------------------------------------------------
 * The earliest backed date (rule 9)
 * ------------------------------------------------------------------------
 */

typedef struct Earliest
{
	ScDay		date;			/* SC_NO_DAY: none within the horizon */
	ScDay		finish;			/* planned finish backing it */
	int			bottleneck;		/* step position */
	bool		greedy;			/* backed by greedy insertion: the board does not hold it */
} Earliest;

/*
 * On a full session: load 'o' greedily onto the committed schedule (rule 6's
 * first try), then search below the greedy date with replans.  'floor' is a
 * date known not to be accepted (SC_NO_DAY: none).  On return the board
 * holds the plan of the date found unless it is the greedy one.
 */
static Earliest
earliest_backed(Session *s, ScOrder *o, ScDay floor)
{
	Earliest	r = {SC_NO_DAY, SC_NO_DAY, -1, false};
	int32		buffer = o->routing->buffer_days;
	ScDay		start = o->not_before != SC_NO_DAY && o->not_before > s->today
		? o->not_before : s->today;
	ScDay		lo = start + buffer;
	ScDay		hi;
	ScDay		greedy = SC_NO_DAY;
	ScDay		saved = o->promised;

	board_apply_current(s);
	sc_load_order(&s->board, o);
	if (o->finish != SC_NO_DAY)
	{
		greedy = o->finish + buffer;
		r.finish = o->finish;
	}
	r.bottleneck = o->bottleneck;

	if (floor != SC_NO_DAY && floor + 1 > lo)
		lo = floor + 1;
	hi = greedy != SC_NO_DAY ? greedy : s->today + sc_horizon_days + buffer;
	if (lo > hi)
		lo = hi;

	r.date = sc_search_earliest(&s->board, s->sorted, s->nsorted, o, lo, hi,
								greedy != SC_NO_DAY);
	if (r.date != SC_NO_DAY && !(greedy != SC_NO_DAY && r.date == greedy))
	{
		r.finish = o->finish;
		r.bottleneck = o->bottleneck;
	}
	else if (r.date != SC_NO_DAY)
		r.greedy = true;
	o->promised = saved;
	return r;
}

/* Load o greedily again on the committed schedule (after a search used the board). */
static void
reload_greedy(Session *s, ScOrder *o, ScDay promised)
{
	board_apply_current(s);
	o->promised = promised;
	sc_load_order(&s->board, o);
}

/* Commit 'o' at the earliest date found: greedily, or with the replan the board holds. */
static void
commit_at_earliest(Session *s, const Earliest *er, ScDemand *rec, const ScProduct *prod,
				   const int64 *work, ScOrder *o, const ScDemand *old, const bool *keep,
				   const char *why)
{
	int			nmoved;

	if (er->greedy)
	{
		reload_greedy(s, o, er->date);
		commit_single(s, rec, prod, work, o, old, keep);
	}
	else
	{
		o->promised = er->date;
		session_commit(s, rec, prod, work, o, old, keep, "replan", why, &nmoved);
	}
}

static void
refuse_not_backed(const char *key, ScDay promised, const Earliest *er,
				  const char *bottleneck, int32 buffer)
{
	if (er->date == SC_NO_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_SC_NOT_BACKED),
				 errmsg("promised date %s of order \"%s\" is not backed by the schedule",
						sc_day_text(promised), key),
				 errdetail("earliest backed date: none within %d days\n"
						   "bottleneck: %s cannot finish the order by %s.",
						   sc_horizon_days, bottleneck,
						   sc_day_text(sc_today() + sc_horizon_days)),
				 errhint("Add capacity on %s (overtime: a capacity_change with positive minutes), or raise sacrosanct.horizon_days if the order belongs that far out.",
						 bottleneck)));
	ereport(ERROR,
			(errcode(ERRCODE_SC_NOT_BACKED),
			 errmsg("promised date %s of order \"%s\" is not backed by the schedule",
					sc_day_text(promised), key),
			 errdetail("earliest backed date: %s (bottleneck: %s)\n"
					   "%s, it would finish on %s; the product's buffer is %d day%s.",
					   sc_day_text(er->date), bottleneck,
					   er->greedy ? "Loaded after the orders already planned"
					   : "Loaded before later-promised orders by a replan",
					   sc_day_text(er->finish), buffer, buffer == 1 ? "" : "s"),
			 errhint("Promise %s or later, or add capacity on %s (overtime: a capacity_change with positive minutes) and try again.",
					 sc_day_text(er->date), bottleneck)));
}

/* ------------------------------------------------------------------------
 * Quote holds
 * ------------------------------------------------------------------------
 */

static void
hold_refuse(int64 id, const char *what, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_SC_QUOTE),
			 errmsg("quote %lld %s", (long long) id, what),
			 errdetail("%s", detail),
			 errhint("Ask sacrosanct.quote() again with a hold, or insert the order without quote_id.")));
}

/* the hold record of a quote, checked against the order (SC005 otherwise) */
static void
hold_check(const ScOrderIn *in, Snapshot snapshot, ScDemand *hold)
{
	if (!sc_demand_by_id(in->quote_id, snapshot, hold) || hold->order_key != NULL)
		hold_refuse(in->quote_id, "is not a quote hold",
					psprintf("No live hold has quote_id %lld; it was never made, is consumed, or expired and was released.",
							 (long long) in->quote_id));
	if (hold->hold_until < GetCurrentTransactionStartTimestamp())
		hold_refuse(in->quote_id, "has expired",
					psprintf("The hold ran until %s.", timestamptz_to_str(hold->hold_until)));
	if (strcmp(hold->product, in->product) != 0 ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(hold->qty),
										  NumericGetDatum(in->qty))) != 0)
		hold_refuse(in->quote_id, "does not match the order",
					psprintf("The hold is for %s of product \"%s\"; the order is for %s of \"%s\".",
							 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(hold->qty))),
							 hold->product,
							 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(in->qty))),
							 in->product));
	if (in->promised != SC_NO_DAY && in->promised < hold->promised)
		hold_refuse(in->quote_id, "does not back the promised date",
					psprintf("The hold backs %s; the order promises %s.",
							 sc_day_text(hold->promised), sc_day_text(in->promised)));
	/* the held plan must not start before the order may */
	for (int k = 0; in->not_before != SC_NO_DAY && k < hold->nalloc; k++)
		if (hold->alloc_day[k] < in->not_before)
			hold_refuse(in->quote_id, "does not match the order",
						psprintf("The hold's plan works on %s, before the order's not_before date %s.",
								 sc_day_text(hold->alloc_day[k]), sc_day_text(in->not_before)));
}

bool
sc_order_planned(const char *key)
{
	ScDemand	rec;
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	bool		found = sc_demand_by_key(key, snap, &rec);

	UnregisterSnapshot(snap);
	return found;
}

ScDay
sc_hold_promise(const ScOrderIn *in)
{
	ScDemand	hold;
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	ScDay		promised;

	hold_check(in, snap, &hold);
	promised = hold.promised;
	UnregisterSnapshot(snap);
	return promised;
}

/* An order consumes its quote hold: the hold's record becomes the order's. */
static void
consume_hold(Session *s, const ScOrderIn *in, const ScProduct *prod)
{
	ScDemand	hold;
	ScDemand   *rec;
	ScAsOwner	own;

	hold_check(in, s->snapshot, &hold);
	rec = record_for_order(in, &hold, in->promised);
	rec->backed = hold.planned_finish != SC_NO_DAY &&
		hold.planned_finish + prod->routing.buffer_days <= in->promised;
	sc_owner_begin(&own);
	sc_demand_update(rec);
	sc_owner_end(&own);
}

/* ------------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------------
 */

ScDay
sc_place_order(const ScOrderIn *in, const char *old_key, bool promise_negotiable)
{
	Session		s;
	ScDemand	oldrec;
	ScDemand   *old = NULL;
	const ScProduct *prod;
	int64	   *work;
	bool	   *keep;
	ScOrder		o;
	ScDemand   *rec;
	Earliest	er;
	ScDay		result = SC_NO_DAY;
	int			nmoved;

	session_begin(&s);

	/* which resources the old plan holds, to lock them too */
	if (old_key)
	{
		Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());

		if (sc_demand_by_key(old_key, snap, &oldrec))
			old = &oldrec;
		UnregisterSnapshot(snap);
	}
	prod = lock_for_order(&s, in->product, old);
	session_snapshot(&s);
	if (old_key)
		old = sc_demand_by_key(old_key, s.snapshot, &oldrec) ? &oldrec : NULL;

	if (in->has_quote && old == NULL)
	{
		consume_hold(&s, in, prod);
		session_end(&s);
		return SC_NO_DAY;
	}

	work = palloc(sizeof(int64) * prod->routing.nsteps);
	sc_product_work(prod, in->qty, work);

	/*
	 * Rule 6, first try: greedy insertion on the committed schedule.  The
	 * load still counts an expired hold until a replan releases it, so when
	 * one exists the order goes straight to the full path, which does.
	 */
	if (!sc_expired_holds(s.snapshot, GetCurrentTransactionStartTimestamp()))
	{
		sc_load_reader_open(&s.reader, s.plant, s.snapshot, s.today, sc_horizon_days + 1);
		s.reader_open = true;
		sc_board_init(&s.board, s.today, sc_horizon_days, s.plant->nres, s.plant->res,
					  sc_load_reader_fill, &s.reader);
		order_init(&o, prod, work, in->key, 0, in->promised, in->not_before);
		keep = history(&s, old, prod, &o);
		if (old)
		{
			int			n;
			ScAlloc    *a = future_allocs(&s, old, &n);

			sc_board_apply(&s.board, a, n, -1);
		}
		if (sc_load_order(&s.board, &o))
		{
			rec = record_for_order(in, old, in->promised);
			commit_single(&s, rec, prod, work, &o, old, keep);
			session_end(&s);
			return SC_NO_DAY;
		}
		sc_load_reader_close(&s.reader);
		s.reader_open = false;
	}

	/*
	 * Rule 6, second try: replan with the order included.  That needs every
	 * resource: give back ours and take all of them in the fixed order.
	 */
	sc_unlock(&s.locks);
	lock_everything(&s);
	prod = sc_plant_product_for_order(s.plant, in->product);
	work = palloc(sizeof(int64) * prod->routing.nsteps);
	sc_product_work(prod, in->qty, work);
	session_snapshot(&s);
	session_full(&s, old_key, false);
	old = s.excluded ? s.excluded->rec : NULL;

	order_init(&o, prod, work, in->key, 0, in->promised, in->not_before);
	keep = history(&s, old, prod, &o);

	/* things may have changed while we waited: greedy once more, on the full board */
	board_apply_current(&s);
	if (sc_load_order(&s.board, &o))
	{
		rec = record_for_order(in, old, in->promised);
		commit_single(&s, rec, prod, work, &o, old, keep);
		session_end(&s);
		return SC_NO_DAY;
	}
	if (sc_replan(&s.board, s.sorted, s.nsorted, &o, true, NULL))
	{
		rec = record_for_order(in, old, in->promised);
		session_commit(&s, rec, prod, work, &o, old, keep, "replan",
					   psprintf("order %s promised %s", in->key, sc_day_text(in->promised)),
					   &nmoved);
		session_end(&s);
		return SC_NO_DAY;
	}

	/* refused: find the earliest date it could have (rule 9) */
	er = earliest_backed(&s, &o, in->promised);
	if (!promise_negotiable || er.date == SC_NO_DAY)
		refuse_not_backed(in->key, in->promised, &er,
						  res_code(&s, prod, er.bottleneck >= 0 ? er.bottleneck : 0),
						  prod->routing.buffer_days);

	/* the promise was ours to choose (an INSERT without one): take that date */
	rec = record_for_order(in, old, er.date);
	commit_at_earliest(&s, &er, rec, prod, work, &o, old, keep,
					   psprintf("order %s promised %s", in->key, sc_day_text(er.date)));
	result = er.date;
	session_end(&s);
	return result;
}

/* lock the resources a record holds, and read it again under them */
static bool
lock_record(Session *s, const char *key, ScDemand *rec)
{
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	bool		found = sc_demand_by_key(key, snap, rec);

	UnregisterSnapshot(snap);
	if (!found)
		return false;
	for (;;)
	{
		int		   *res = palloc(sizeof(int) * (rec->nsteps + 1));

		s->plant = sc_plant();
		for (int k = 0; k < rec->nsteps; k++)
			res[k] = sc_plant_resource(s->plant, rec->step_res[k]);
		sc_lock_resources(s->plant, res, rec->nsteps, &s->locks);
		if (sc_plant() == s->plant)
			break;
		sc_unlock(&s->locks);
	}
	session_snapshot(s);
	return sc_demand_by_key(key, s->snapshot, rec);
}

void
sc_release_order(const char *key)
{
	Session		s;
	ScDemand	rec;

	session_begin(&s);
	if (lock_record(&s, key, &rec))
	{
		ScLoadDelta dl = {0};
		ScAsOwner	own;

		sc_delta_demand(&dl, s.plant, &rec, -1);
		sc_owner_begin(&own);
		sc_demand_delete(rec.id);
		sc_load_write(&dl);
		sc_owner_end(&own);
	}
	session_end(&s);
}

void
sc_rename_order(const char *old_key, const char *new_key)
{
	Session		s;
	ScDemand	rec;

	session_begin(&s);
	if (lock_record(&s, old_key, &rec))
	{
		ScAsOwner	own;

		rec.order_key = pstrdup(new_key);
		sc_owner_begin(&own);
		sc_demand_update(&rec);
		sc_owner_end(&own);
	}
	session_end(&s);
}

ScDay
sc_assign_promise(const ScOrderIn *in, const char *exclude_key)
{
	Session		s;
	const ScProduct *prod;
	int64	   *work;
	ScOrder		o;
	Earliest	er;

	session_begin(&s);
	s.plant = sc_plant();
	prod = sc_plant_product_for_order(s.plant, in->product);
	work = palloc(sizeof(int64) * prod->routing.nsteps);
	sc_product_work(prod, in->qty, work);
	session_snapshot(&s);
	session_full(&s, exclude_key, false);
	order_init(&o, prod, work, in->key, 0, SC_NO_DAY, in->not_before);
	(void) history(&s, s.excluded ? s.excluded->rec : NULL, prod, &o);
	er = earliest_backed(&s, &o, SC_NO_DAY);
	if (er.date == SC_NO_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_SC_NOT_BACKED),
				 errmsg("no date within the horizon backs order \"%s\"", in->key),
				 errdetail("earliest backed date: none within %d days\n"
						   "bottleneck: %s cannot finish the order by %s.",
						   sc_horizon_days,
						   res_code(&s, prod, er.bottleneck >= 0 ? er.bottleneck : 0),
						   sc_day_text(s.today + sc_horizon_days)),
				 errhint("Add capacity (overtime: a capacity_change with positive minutes), or raise sacrosanct.horizon_days.")));
	session_end(&s);
	return er.date;
}

ScQuote
sc_quote(const char *product, Numeric qty, ScDay not_before, const Interval *hold)
{
	Session		s;
	const ScProduct *prod;
	int64	   *work;
	ScOrder		o;
	Earliest	er;
	ScQuote		q = {SC_NO_DAY, SC_NO_DAY, NULL, 0, 0};
	MemoryContext caller = CurrentMemoryContext;

	session_begin(&s);
	if (hold)
		lock_everything(&s);
	else
		s.plant = sc_plant();
	prod = sc_plant_product_for_order(s.plant, product);
	work = palloc(sizeof(int64) * prod->routing.nsteps);
	sc_product_work(prod, qty, work);
	session_snapshot(&s);
	session_full(&s, NULL, false);

	/* a would-be order has no key: it sorts after every order of its date */
	order_init(&o, prod, work, NULL, INT64_MAX, SC_NO_DAY, not_before);
	er = earliest_backed(&s, &o, SC_NO_DAY);
	q.earliest = er.date;
	q.planned_finish = er.finish;
	q.bottleneck = MemoryContextStrdup(caller,
									   res_code(&s, prod, er.bottleneck >= 0 ? er.bottleneck : 0));

	if (hold && er.date != SC_NO_DAY)
	{
		ScDemand   *rec = palloc0(sizeof(ScDemand));

		rec->hold_until = DatumGetTimestampTz(
			DirectFunctionCall2(timestamptz_pl_interval,
								TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
								PointerGetDatum(hold)));
		rec->product = pstrdup(product);
		rec->qty = qty;
		rec->promised = er.date;
		rec->not_before = not_before;
		commit_at_earliest(&s, &er, rec, prod, work, &o, NULL, NULL,
						   psprintf("quote hold for %s of %s promised %s",
									DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(qty))),
									product, sc_day_text(er.date)));
		q.quote_id = rec->id;
		q.hold_until = rec->hold_until;
	}
	session_end(&s);
	return q;
}

/*
 * The orders of the last pass that were backed and are not any more, with
 * the dates they could have now: SC003's DETAIL.  Returns how many.
 */
static int
broken_orders(Session *s, StringInfo d)
{
	int			n = 0;

	for (int i = 0; i < s->nsorted; i++)
	{
		ScOrder    *o = s->sorted[i];

		if (!entry_of(o)->loaded || !o->backed_before || o->backed)
			continue;
		/* name the first ones; a long list helps nobody */
		if (n++ >= 10)
			continue;
		if (n > 1)
			appendStringInfoChar(d, '\n');
		appendStringInfo(d, "order %s promised %s: new earliest %s",
						 o->key ? o->key : "(quote hold)", sc_day_text(o->promised),
						 o->finish == SC_NO_DAY
						 ? psprintf("none within %d days", sc_horizon_days)
						 : sc_day_text(o->finish + o->routing->buffer_days));
	}
	if (n > 10)
		appendStringInfo(d, "\nand %d more", n - 10);
	return n;
}

static void
refuse_breaking(const char *change, int n, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_SC_WOULD_BREAK),
			 errmsg("%s would break %d backed promise%s", change, n, n == 1 ? "" : "s"),
			 errdetail("%s", detail),
			 errhint("Add capacity elsewhere or renegotiate those orders first; nothing was changed.")));
}

ScMoved *
sc_replan_all(const char *what, const char *why, int *nmoved)
{
	Session		s;
	ScMoved    *moved;
	MemoryContext caller = CurrentMemoryContext;
	ScMoved    *out;

	session_begin(&s);
	lock_everything(&s);
	session_snapshot(&s);
	session_full(&s, NULL, false);
	if (!sc_replan(&s.board, s.sorted, s.nsorted, NULL, false, NULL))
	{
		StringInfoData d;
		int			n;

		initStringInfo(&d);
		n = broken_orders(&s, &d);
		refuse_breaking("replan", n, d.data);
	}
	moved = session_commit(&s, NULL, NULL, NULL, NULL, NULL, NULL, what, why, nmoved);

	out = MemoryContextAlloc(caller, sizeof(ScMoved) * (*nmoved + 1));
	for (int i = 0; i < *nmoved; i++)
	{
		out[i] = moved[i];
		out[i].order_key = moved[i].order_key
			? MemoryContextStrdup(caller, moved[i].order_key) : NULL;
	}
	session_end(&s);
	return out;
}

/*
 * After a master-data change: the orders the committed plan no longer
 * serves.  An order is affected when its routing or work changed, when its
 * buffer grew past its slack, or when it has minutes on a finite
 * resource-day that the new capacity cannot hold.  Returns how many.
 */
static int
mark_affected(Session *s, bool *affected)
{
	bool	  **over = palloc0(sizeof(bool *) * (s->plant->nres + 1));
	int			n = 0;

	/* the overloaded finite resource-days, from today on */
	board_apply_current(s);
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
		Entry	   *e = &s->e[i];
		ScDemand   *d = e->rec;

		affected[i] = false;
		if (!e->live)
			continue;
		if (e->stale ||
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

/*
 * Re-plan only the affected orders, in rule 7's order, around everything
 * else left where it is.  Returns true when every affected order that was
 * backed still is.
 */
static bool
repair(Session *s, const bool *affected)
{
	bool		ok = true;

	sc_board_clear(&s->board);
	for (int i = 0; i < s->n; i++)
	{
		int			n;
		ScAlloc    *a;

		s->e[i].loaded = s->e[i].live && affected[i];
		if (!s->e[i].live || affected[i])
			continue;
		a = future_allocs(s, s->e[i].rec, &n);
		sc_board_apply(&s->board, a, n, +1);
		pfree(a);
	}
	for (int i = 0; i < s->nsorted; i++)
	{
		ScOrder    *o = s->sorted[i];

		if (!entry_of(o)->loaded)
			continue;
		if (!sc_load_order(&s->board, o) && o->backed_before)
			ok = false;
	}
	return ok;
}

/*
 * Make sacrosanct.load the sum of the allocations on finite resources
 * again: a resource that became finite gains its load, one that stopped
 * being finite loses it.
 */
static void
reconcile_load(Session *s)
{
	ScLoadDelta dl = {0};
	ScLoadDelta now = {0};
	ScDemand   *all;
	int			n;
	ScAsOwner	own;

	session_snapshot(s);
	all = sc_demand_all(s->snapshot, s->plant, &n);
	for (int i = 0; i < n; i++)
		sc_delta_demand(&dl, s->plant, &all[i], +1);
	sc_load_all(s->snapshot, &now);
	for (int i = 0; i < now.n; i++)
		sc_delta_add(&dl, now.res[i], now.day[i], -now.minutes[i]);
	sc_owner_begin(&own);
	sc_load_write(&dl);
	sc_owner_end(&own);
}

/*
 * A master-data change that leaves the plan fitting moves nothing.  One
 * that does not is first repaired: only the orders it affects are loaded
 * again, around the rest, so a breakdown on one machine does not reshuffle
 * the plant.  If that cannot keep every promise, a full replan (rule 7) is
 * tried; if that cannot either, the change is refused (SC003) naming the
 * affected orders that would break.
 */
void
sc_check_plan_fits(bool routing_changed)
{
	Session		s;
	int			nmoved;
	bool	   *affected;

	session_begin(&s);
	lock_everything(&s);
	session_snapshot(&s);
	session_full(&s, NULL, routing_changed);

	affected = palloc(sizeof(bool) * (s.n + 1));
	if (mark_affected(&s, affected) > 0)
	{
		if (repair(&s, affected))
			(void) session_commit(&s, NULL, NULL, NULL, NULL, NULL, NULL, "repair",
								  "master data changed", &nmoved);
		else
		{
			/* the repair's verdict, kept while a full replan is tried */
			bool	   *broke = palloc0(sizeof(bool) * (s.n + 1));
			ScDay	   *finish = palloc(sizeof(ScDay) * (s.n + 1));

			for (int i = 0; i < s.n; i++)
			{
				Entry	   *e = &s.e[i];

				broke[i] = e->loaded && e->ord.backed_before && !e->ord.backed;
				finish[i] = e->ord.finish;
				e->loaded = e->live;
			}
			if (!sc_replan(&s.board, s.sorted, s.nsorted, NULL, false, NULL))
			{
				StringInfoData d;

				/*
				 * Name the orders the change breaks (not others a full replan
				 * would shuffle), each with the better date either plan found.
				 */
				for (int i = 0; i < s.n; i++)
				{
					Entry	   *e = &s.e[i];

					e->loaded = broke[i];
					if (broke[i] && finish[i] != SC_NO_DAY &&
						(e->ord.finish == SC_NO_DAY || finish[i] < e->ord.finish))
						e->ord.finish = finish[i];
					e->ord.backed = false;
				}
				initStringInfo(&d);
				refuse_breaking("this change", broken_orders(&s, &d), d.data);
			}
			(void) session_commit(&s, NULL, NULL, NULL, NULL, NULL, NULL, "replan",
								  "master data changed", &nmoved);
		}
	}
	reconcile_load(&s);
	session_end(&s);
}

