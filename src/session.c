/*
 * session.c
 *		Planning sessions (see session.h): locks, snapshots, every open
 *		order in memory, and writing back what a plan changed.
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "planlog.h"
#include "session.h"
#include "tables.h"

void
sc_session_begin(ScSession *s)
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
void
sc_session_snapshot(ScSession *s)
{
	CommandCounterIncrement();
	/* a load reader reads with the snapshot it was opened with */
	if (s->reader_open)
	{
		sc_load_reader_close(&s->reader);
		s->reader_open = false;
	}
	if (s->snapshot)
		UnregisterSnapshot(s->snapshot);
	s->snapshot = RegisterSnapshot(GetLatestSnapshot());
}

void
sc_session_end(ScSession *s)
{
	if (s->reader_open)
		sc_load_reader_close(&s->reader);
	if (s->snapshot)
		UnregisterSnapshot(s->snapshot);
	MemoryContextSwitchTo(s->caller);
	MemoryContextDelete(s->cxt);
}

const char *
sc_session_res_code(const ScSession *s, const ScProduct *prod, int pos)
{
	return s->plant->res[prod->routing.steps[pos].res].code;
}

/*
 * Lock the resources of a product's routing and of an old record, then make
 * sure the plant did not change while we waited (a master-data change that
 * committed under those locks invalidates it): if it did, start over.
 */
const ScProduct *
sc_session_lock_order(ScSession *s, const char *product, const ScDemand *old)
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

void
sc_session_lock_all(ScSession *s)
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
alloc_position(const ScSession *s, const ScDemand *rec, int k, const ScProduct *prod)
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
 * that resource.  Sets o->past_* and returns the per-allocation keep mask,
 * NULL when nothing is kept (most orders have no history).
 */
bool *
sc_session_history(const ScSession *s, const ScDemand *rec, const ScProduct *prod, ScOrder *o)
{
	int			n = prod->routing.nsteps;
	bool	   *keep = NULL;
	int64	   *past = NULL;
	ScDay	   *last = NULL;

	/* steps reported complete load nothing, whatever their minutes say */
	o->steps_done = rec && rec->steps_done <= n ? rec->steps_done : 0;
	o->done_day = rec ? rec->done_on : SC_NO_DAY;
	if (rec && rec->first_day >= s->today)
		rec = NULL;				/* nothing before today: no history */
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
			keep = palloc0(sizeof(bool) * (rec->nalloc + 1));
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

void
sc_order_init(ScOrder *o, const ScProduct *prod, const int64 *work,
		   const char *key, int64 seq, ScDay promised, ScDay not_before)
{
	memset(o, 0, sizeof(*o));
	o->promised = promised;
	o->key = key;
	o->keyprefix = sc_key_prefix(key);
	o->seq = seq;
	o->not_before = not_before;
	o->routing = &prod->routing;
	o->work = work;
	o->finish = SC_NO_DAY;
	o->bottleneck = -1;
}

/* does the record's step list still match the product's routing? */
static bool
steps_match(const ScSession *s, const ScDemand *rec, const ScProduct *prod)
{
	/* judged when the record was read against this plant */
	if (rec->prod == prod && rec->routing_same != 0)
		return rec->routing_same > 0;
	if (rec->nsteps != prod->routing.nsteps)
		return false;
	for (int k = 0; k < rec->nsteps; k++)
	{
		if (rec->step_no[k] != prod->routing.steps[k].step_no)
			return false;
		/* resolved against this plant when read: compare indexes, not codes */
		if (rec->step_ridx && rec->step_ridx[k] >= 0 ?
			rec->step_ridx[k] != prod->routing.steps[k].res :
			strcmp(rec->step_res[k], sc_session_res_code(s, prod, k)) != 0)
			return false;
	}
	return true;
}

static const ScProduct *
product_of_record(const ScSession *s, const ScDemand *rec)
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

/* Fill the plan part of a record from an order just loaded on board b. */
static void
record_plan(const ScSession *s, const ScBoard *b, ScDemand *rec, const ScProduct *prod,
			const int64 *work, const ScOrder *o, const ScDemand *old, const bool *keep)
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
		rec->step_res[k] = (char *) sc_session_res_code(s, prod, k);
		rec->step_ridx[k] = prod->routing.steps[k].res;
		rec->work[k] = work[k];
	}
	rec->prod = prod;
	rec->routing_same = 1;

	for (int k = 0; old && k < old->nalloc; k++)
		nkeep += keep && keep[k] ? 1 : 0;
	rec->nalloc = nkeep + o->nalloc;
	rec->alloc_step = palloc(sizeof(int32) * (rec->nalloc + 1));
	rec->alloc_day = palloc(sizeof(ScDay) * (rec->nalloc + 1));
	rec->alloc_min = palloc(sizeof(int32) * (rec->nalloc + 1));
	for (int k = 0; old && k < old->nalloc; k++)
		if (keep && keep[k])
		{
			rec->alloc_step[m] = old->alloc_step[k];
			rec->alloc_day[m] = old->alloc_day[k];
			rec->alloc_min[m] = old->alloc_min[k];
			m++;
		}
	for (int k = 0; k < o->nalloc; k++)
	{
		const ScAlloc *a = &b->allocs[o->alloc_off + k];

		rec->alloc_step[m] = prod->routing.steps[a->pos].step_no;
		rec->alloc_day[m] = a->day;
		rec->alloc_min[m] = a->minutes;
		m++;
	}
	rec->planned_finish = o->finish;
	rec->backed = o->backed;
	rec->first_day = 0;			/* not worked out: no promise of a lower bound */
}

/*
 * Would record_plan() write back exactly the record an entry has?  Checked
 * without building it, and the only such check: most orders of a replan do
 * not move, and an order whose steps or work changed is stale.
 */
static bool
plan_unchanged(const ScSession *s, const ScEntry *e)
{
	const ScDemand *d = e->rec;
	const ScOrder *o = &e->ord;
	int			j = 0;

	if (e->stale || d->planned_finish != o->finish || d->backed != o->backed)
		return false;
	/* record_plan() puts the kept sc_session_history first, then the new allocations */
	for (int k = 0; k < d->nalloc; k++)
		if (e->keep && e->keep[k])
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
ScDemand *
sc_record_for_order(const ScOrderIn *in, const ScDemand *old, ScDay promised)
{
	ScDemand   *rec = palloc0(sizeof(ScDemand));

	if (old)
		*rec = *old;
	else
		rec->done_on = SC_NO_DAY;	/* no step completed (0 would be 2000-01-01) */
	rec->order_key = pstrdup(in->key);
	rec->source = in->source;
	rec->hold_until = 0;
	rec->product = pstrdup(in->product);
	rec->qty = in->qty;
	rec->promised = promised;
	rec->not_before = in->not_before;
	/* at risk until the customer agrees another promise (renegotiation.h) */
	rec->at_risk = old && old->at_risk && old->promised == promised;
	return rec;
}

/* ------------------------------------------------------------------------
 * Full sessions: every open order in memory
 * ------------------------------------------------------------------------
 */

/*
 * Rule 7's order of the open orders changes little between two statements:
 * a few orders come and go, and an order's place depends only on its
 * record.  The backend keeps the order of its last full session as places
 * in the demand scan it read (a row's place is its index in that scan), so
 * that the next session, reading the scan right after it, sorts only what
 * is new to it and merges; no record is touched to find which are which.
 */
static struct
{
	uint64		scan_no;		/* the scan the places are in; 0: none */
	int		   *place;			/* live orders, in rule 7's order */
	int			n;
	int			cap;
	int			nrows;			/* rows of that scan */
} last_order;

/*
 * The rows of this scan (n of them) that the last session had in order,
 * in that order, into kept[] (returns how many); in_last[] marks them.
 */
static int
rows_in_last_order(int n, int *kept, bool *in_last)
{
	uint64		prev_no;
	const int  *prev = sc_demand_previous_places(&prev_no);
	int		   *now_of;
	int			m = 0;

	memset(in_last, 0, sizeof(bool) * (n + 1));
	if (last_order.scan_no == 0 || last_order.scan_no != prev_no || prev == NULL)
		return 0;
	now_of = palloc_extended(sizeof(int) * (last_order.nrows + 1), MCXT_ALLOC_HUGE);
	memset(now_of, 0xff, sizeof(int) * (last_order.nrows + 1));	/* all -1 */
	for (int i = 0; i < n; i++)
		if (prev[i] >= 0 && prev[i] < last_order.nrows)
			now_of[prev[i]] = i;
	for (int k = 0; k < last_order.n; k++)
	{
		int			i = now_of[last_order.place[k]];

		if (i >= 0)
		{
			kept[m++] = i;
			in_last[i] = true;
		}
	}
	pfree(now_of);
	return m;
}

/* remember the session's sorted orders, as places in its scan */
static void
remember_order(ScSession *s)
{
	if (last_order.cap < s->nsorted)
	{
		if (last_order.place)
			pfree(last_order.place);
		last_order.cap = Max(1024, 2 * s->nsorted);
		last_order.place = MemoryContextAllocHuge(TopMemoryContext, sizeof(int) * last_order.cap);
	}
	for (int i = 0; i < s->nsorted; i++)
		last_order.place[i] = sc_entry_of(s->sorted[i]) - s->e;
	last_order.n = s->nsorted;
	last_order.nrows = s->n;
	last_order.scan_no = sc_demand_scan_no();
}

/* merge sorted a[0..na) and b[0..nb) into out */
static void
merge_orders(ScOrder **a, int na, ScOrder **b, int nb, ScOrder **out)
{
	int			i = 0,
				j = 0,
				k = 0;

	while (i < na && j < nb)
		out[k++] = sc_order_cmp(b[j], a[i]) < 0 ? b[j++] : a[i++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
}

void
sc_session_full(ScSession *s, const char *exclude_key, Oid exclude_source, bool recompute)
{
	ScDemand  **rec;
	int		   *kept;
	bool	   *in_last;
	int			nkept;
	int			nsorted_kept = 0;
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	rec = sc_demand_all(s->snapshot, s->plant, &s->n);
	s->current = NULL;
	s->ncurrent = 0;
	/* not zeroed: 200,000 entries are tens of megabytes; each is set below */
	s->e = palloc_extended(sizeof(ScEntry) * (s->n + 1), MCXT_ALLOC_HUGE);
	s->sorted = palloc_extended(sizeof(ScOrder *) * (s->n + 1), MCXT_ALLOC_HUGE);
	s->nsorted = 0;
	s->excluded = NULL;
	s->nexpired = 0;

	/* in the scan's order, which is the order the records lie in memory */
	for (int i = 0; i < s->n; i++)
	{
		ScEntry	   *e = &s->e[i];

		e->rec = rec[i];
		e->prod = NULL;
		e->work = NULL;
		e->keep = NULL;
		e->live = e->loaded = e->purge = e->stale = false;
		if (exclude_key && rec[i]->order_key && rec[i]->source == exclude_source &&
			strcmp(rec[i]->order_key, exclude_key) == 0)
		{
			s->excluded = e;
			memset(&e->ord, 0, sizeof(e->ord));
			continue;
		}
		if (rec[i]->order_key == NULL && rec[i]->hold_until < now)
		{
			/* an expired hold reserves nothing */
			e->purge = true;
			s->nexpired++;
			memset(&e->ord, 0, sizeof(e->ord));
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
		/* the same key in two guarded tables: the table breaks the tie */
		sc_order_init(&e->ord, e->prod, e->work, e->rec->order_key,
					  e->rec->order_key ? (int64) e->rec->source : e->rec->id,
					  e->rec->promised, e->rec->not_before);
		e->keep = sc_session_history(s, e->rec, e->prod, &e->ord);
		e->ord.at_risk = e->rec->at_risk;
		e->ord.backed_before = e->rec->backed && !e->rec->at_risk &&
			e->rec->planned_finish != SC_NO_DAY && e->rec->promised >= s->today;
		e->live = true;
		e->loaded = true;
	}

	/* rule 7's order: the last session's, in order already, merged with the others sorted */
	kept = palloc_extended(sizeof(int) * (s->n + 1), MCXT_ALLOC_HUGE);
	in_last = palloc_extended(sizeof(bool) * (s->n + 1), MCXT_ALLOC_HUGE);
	nkept = rows_in_last_order(s->n, kept, in_last);
	for (int k = 0; k < nkept; k++)
		if (s->e[kept[k]].live)
			s->sorted[s->nsorted++] = &s->e[kept[k]].ord;
	nsorted_kept = s->nsorted;
	for (int i = 0; i < s->n; i++)
		if (!in_last[i] && s->e[i].live)
			s->sorted[s->nsorted++] = &s->e[i].ord;
	pfree(kept);
	pfree(in_last);
	if (nsorted_kept < s->nsorted)
	{
		ScOrder   **merged = palloc_extended(sizeof(ScOrder *) * (s->nsorted + 1), MCXT_ALLOC_HUGE);

		sc_sort_orders(s->sorted + nsorted_kept, s->nsorted - nsorted_kept);
		merge_orders(s->sorted, nsorted_kept, s->sorted + nsorted_kept,
					 s->nsorted - nsorted_kept, merged);
		pfree(s->sorted);
		s->sorted = merged;
	}
	remember_order(s);
	sc_board_init(&s->board, s->today, sc_horizon_days, s->plant->nres, s->plant->res,
				  NULL, NULL);
	/* a replan makes about as many allocations as the orders hold: grow the array once */
	{
		int64		nallocs = 1024;

		for (int i = 0; i < s->n; i++)
			nallocs += s->e[i].rec->nalloc;
		sc_board_reserve(&s->board, (int32) Min(nallocs + nallocs / 4, PG_INT32_MAX / 2));
	}
}

/*
 * Append a record's allocations from today on, as the engine's allocations,
 * to a[*n] (room for *max, grown as needed).
 */
static void
append_future_allocs(const ScSession *s, const ScDemand *rec, ScAlloc **a, int *n, int *max)
{
	for (int k = 0; k < rec->nalloc; k++)
	{
		int			r;

		if (rec->alloc_day[k] < s->today)
			continue;
		r = sc_demand_alloc_ridx(s->plant, rec, k);
		if (r < 0)
			continue;
		if (*n == *max)
		{
			*max *= 2;
			*a = repalloc_huge(*a, sizeof(ScAlloc) * *max);
		}
		(*a)[*n].pos = 0;
		(*a)[*n].res = r;
		(*a)[*n].day = rec->alloc_day[k];
		(*a)[*n].minutes = rec->alloc_min[k];
		(*n)++;
	}
}

/* a record's allocations from today on, as the engine's allocations */
ScAlloc *
sc_session_future_allocs(const ScSession *s, const ScDemand *rec, int *n)
{
	int			max = rec->nalloc + 1;
	ScAlloc    *a = palloc(sizeof(ScAlloc) * max);

	*n = 0;
	append_future_allocs(s, rec, &a, n, &max);
	return a;
}

/* put the committed schedule of every live order on the (full) board */
void
sc_session_apply_current(ScSession *s)
{
	sc_board_clear(&s->board);
	/* the committed schedule does not change within a session: gather it once */
	if (s->current == NULL)
	{
		int			max = 1024;

		s->current = palloc_extended(sizeof(ScAlloc) * max, MCXT_ALLOC_HUGE);
		for (int i = 0; i < s->n; i++)
			if (s->e[i].live)
				append_future_allocs(s, s->e[i].rec, &s->current, &s->ncurrent, &max);
	}
	sc_board_apply(&s->board, s->current, s->ncurrent, +1);
}

/*
 * The committed schedule on a lazy board 'b': it reads sacrosanct.load, with
 * the session's snapshot, only for the days a walk reaches (a full board
 * would take every open order's allocations), with the plan of 'old' (the
 * order being replaced; NULL: none) taken off.  The load still counts an
 * expired hold until a replan releases it: callers that plan without
 * expired holds check for one first.
 */
ScBoard *
sc_session_committed_board(ScSession *s, ScBoard *b, const ScDemand *old)
{
	if (!s->reader_open)
	{
		sc_load_reader_open(&s->reader, s->plant, s->snapshot, s->today, sc_horizon_days + 1);
		s->reader_open = true;
	}
	sc_board_init(b, s->today, sc_horizon_days, s->plant->nres, s->plant->res,
				  sc_load_reader_fill, &s->reader);
	if (old)
	{
		int			n;
		ScAlloc    *a = sc_session_future_allocs(s, old, &n);

		sc_board_apply(b, a, n, -1);
	}
	return b;
}

/*
 * Rule 6's first try on a full session: load 'o' greedily on the committed
 * schedule, and say on which board it is: the lazy one, or, when the load
 * still counts an expired hold (which the session plans without), the
 * full board.
 */
const ScBoard *
sc_session_greedy(ScSession *s, ScOrder *o)
{
	ScBoard    *b;

	if (s->nexpired > 0)
	{
		sc_session_apply_current(s);
		b = &s->board;
	}
	else
		b = sc_session_committed_board(s, &s->lazy, s->excluded ? s->excluded->rec : NULL);
	sc_load_order(b, o);
	return b;
}

/*
 * A full session plans as if expired holds were gone: whatever it commits
 * must make them gone.
 */
static void
purge_expired(ScSession *s, ScLoadDelta *dl)
{
	for (int i = 0; i < s->n; i++)
	{
		ScEntry    *e = &s->e[i];

		if (e->purge)
		{
			sc_delta_demand(dl, s->plant, e->rec, -1);
			sc_demand_delete(e->rec->id);
		}
	}
}

/* the extra order's record, planned, written with its load delta */
static void
write_extra(ScSession *s, ScExtra *x, ScLoadDelta *dl)
{
	record_plan(s, x->board ? x->board : &s->board, x->rec, x->prod, x->work, x->ord, x->old, x->keep);
	if (x->old)
		sc_delta_demand(dl, s->plant, x->old, -1);
	sc_delta_demand(dl, s->plant, x->rec, +1);
	if (x->rec->id)
		sc_demand_update(x->rec);
	else
		x->rec->id = sc_demand_insert(x->rec);
}

ScMoved *
sc_session_commit(ScSession *s, ScExtra *extra, const char *what, const char *why, int *nmoved)
{
	ScLoadDelta dl = {0};
	ScMoved    *moved = palloc(sizeof(ScMoved) * (s->n + 1));
	int			m = 0;

	bool	   *changed = palloc_extended(sizeof(bool) * (s->n + 1), MCXT_ALLOC_HUGE);

	/* what moved, judged in the order the records lie in memory */
	for (int i = 0; i < s->n; i++)
		changed[i] = s->e[i].loaded && !plan_unchanged(s, &s->e[i]);

	sc_write_begin();
	purge_expired(s, &dl);
	/* written in rule 7's order, so that what moved reads in promise order */
	for (int i = 0; i < s->nsorted; i++)
	{
		ScEntry    *e = sc_entry_of(s->sorted[i]);
		ScDemand	now;

		if (!changed[e - s->e])
			continue;
		now = *e->rec;
		record_plan(s, &s->board, &now, e->prod, e->work, &e->ord, e->rec, e->keep);
		sc_delta_demand(&dl, s->plant, e->rec, -1);
		sc_delta_demand(&dl, s->plant, &now, +1);
		sc_demand_update(&now);
		moved[m].order_key = now.order_key;
		moved[m].id = now.id;
		moved[m].promised = now.promised;
		moved[m].planned_finish = now.planned_finish;
		m++;
	}
	if (extra)
		write_extra(s, extra, &dl);
	sc_load_write(&dl);
	sc_plan_log(what, why, m);
	sc_write_end();
	*nmoved = m;
	return moved;
}

void
sc_session_commit_single(ScSession *s, ScExtra *extra)
{
	ScLoadDelta dl = {0};

	sc_write_begin();
	purge_expired(s, &dl);
	write_extra(s, extra, &dl);
	sc_load_write(&dl);
	sc_write_end();
}

/* lock the resources a record holds, and read it again under them */
bool
sc_session_lock_record(ScSession *s, const char *key, Oid source, ScDemand *rec)
{
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	bool		found = sc_demand_by_key(key, source, snap, rec);

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
	sc_session_snapshot(s);
	return sc_demand_by_key(key, source, s->snapshot, rec);
}

/*
 * The orders of the last pass that were backed and are not any more, with
 * the dates they could have now: SC003's DETAIL.  Returns how many.
 */
int
sc_session_broken(ScSession *s, StringInfo d)
{
	int			n = 0;

	for (int i = 0; i < s->nsorted; i++)
	{
		ScOrder    *o = s->sorted[i];

		if (!sc_entry_of(o)->loaded || !o->backed_before || o->backed)
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

void
sc_refuse_breaking(const char *change, int n, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_SC_WOULD_BREAK),
			 errmsg("%s would break %d backed promise%s", change, n, n == 1 ? "" : "s"),
			 errdetail("%s", detail),
			 errhint("Add capacity elsewhere or renegotiate those orders first; nothing was changed.")));
}

