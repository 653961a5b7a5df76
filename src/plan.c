/*
 * plan.c
 *		The planning engine: capacity, loading, replans and the earliest
 *		backed date of DESIGN.md §3.1, on day buckets, in plain C.
 *
 * A board holds, per resource, the capacity and the planned minutes of
 * every day from today to the horizon.  Loading a step walks the days from
 * its start and takes what is free (rule 3).  On a full board (replans) the
 * walk skips full days through a union-find "next free day" array, so a
 * replan costs about one visit per allocation however booked the plant is;
 * a lazy board (greedy insertion) reads only the days it walks, through the
 * caller's fill callback.
 */
#ifdef SC_STANDALONE
#include <stdlib.h>
#include <string.h>
#else
#include "postgres.h"
#endif

#include "plan.h"

/*
 * Standalone, memory comes from malloc and is never given back (the unit
 * tests exit).  A standalone caller that must free every board, such as the
 * fuzz harness running millions of inputs, defines SC_CALLER_ALLOC and
 * brings its own sc_alloc() and friends.
 */
#if defined(SC_STANDALONE) && !defined(SC_CALLER_ALLOC)
void *
sc_alloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
sc_alloc0(size_t size)
{
	void	   *p = calloc(1, size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
sc_realloc(void *ptr, size_t size)
{
	void	   *p = realloc(ptr, size);

	if (p == NULL)
		abort();
	return p;
}

void
sc_free(void *ptr)
{
	free(ptr);
}
#elif !defined(SC_STANDALONE)
void *
sc_alloc(size_t size)
{
	return palloc_extended(size, MCXT_ALLOC_HUGE);
}

void *
sc_alloc0(size_t size)
{
	return palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

void *
sc_realloc(void *ptr, size_t size)
{
	return repalloc_huge(ptr, size);
}

void
sc_free(void *ptr)
{
	pfree(ptr);
}
#endif

#ifdef SC_STANDALONE
#include <stdio.h>
#define elog_or_abort(msg) do { fprintf(stderr, "%s\n", msg); abort(); } while (0)
#else
#define elog_or_abort(msg) elog(ERROR, "%s", msg)
#endif

void		(*sc_interrupt_hook) (void) = NULL;

#define CHECK_INTERRUPTS() do { if (sc_interrupt_hook) sc_interrupt_hook(); } while (0)

#define Min64(a, b) ((a) < (b) ? (a) : (b))
#define Max64(a, b) ((a) > (b) ? (a) : (b))

/* days per block of a lazy lane's capacity, computed as walks reach them */
#define CAP_BLOCK 32

/* 2000-01-01 was a Saturday (ISO 6). */
int
sc_isodow(ScDay day)
{
	int			r = (int) (((int64_t) day + 5) % 7);

	if (r < 0)
		r += 7;
	return r + 1;
}

/* first index in the ascending array whose day is >= day */
static int
lower_bound(const ScDay *days, int n, ScDay day)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
sc_capacity_range(const ScResource *r, ScDay from, int n, int64_t *out)
{
	const ScCalendar *cal = r->cal;
	int			h = lower_bound(cal->holidays, cal->nholidays, from);
	int			dow = sc_isodow(from);

	for (int i = 0; i < n; i++)
	{
		ScDay		d = from + i;

		while (h < cal->nholidays && cal->holidays[h] < d)
			h++;
		if (h < cal->nholidays && cal->holidays[h] == d)
			out[i] = 0;
		else
			out[i] = (int64_t) r->units * cal->week[dow];
		dow = dow == 7 ? 1 : dow + 1;
	}

	for (int c = 0; c < r->nchanges; c++)
	{
		const ScChange *ch = &r->changes[c];
		int64_t		lo = Max64((int64_t) ch->from, (int64_t) from);
		int64_t		hi = Min64((int64_t) ch->upto, (int64_t) from + n);

		for (int64_t d = lo; d < hi; d++)
			out[d - from] += ch->minutes;
	}

	for (int i = 0; i < n; i++)
	{
		if (out[i] < 0)
			out[i] = 0;
		else if (out[i] > SC_MAX_DAY_MINUTES)
			out[i] = SC_MAX_DAY_MINUTES;
	}
}

int64_t
sc_capacity(const ScResource *r, ScDay day)
{
	int64_t		cap;

	sc_capacity_range(r, day, 1, &cap);
	return cap;
}

/* ------------------------------------------------------------------------
 * Boards
 * ------------------------------------------------------------------------
 */

static inline int64_t
lane_free(const ScBoard *b, int res, const ScLane *lane, int32_t i)
{
	if (!b->res[res].finite)
		return lane->cap[i];
	return lane->cap[i] - lane->planned[i];
}

/* base_next of a full lane: next[i] = first j >= i with capacity (ndays: none) */
static void
lane_build_next(const ScBoard *b, int res, ScLane *lane, int32_t *next, bool with_planned)
{
	next[b->ndays] = b->ndays;
	for (int32_t i = b->ndays - 1; i >= 0; i--)
	{
		int64_t		room = with_planned ? lane_free(b, res, lane, i) : lane->cap[i];

		next[i] = room > 0 ? i : next[i + 1];
	}
}

/*
 * On first use a lane gets its capacity for every day (cheap: no I/O).  A
 * full board also starts with nothing planned and its union-find; a lazy
 * board marks every day's planned minutes unknown (-1) until read.
 */
static ScLane *
lane_touch(ScBoard *b, int res)
{
	ScLane	   *lane = &b->lanes[res];

	if (lane->touched)
		return lane;
	lane->touched = true;
	lane->cap = sc_alloc(sizeof(int64_t) * b->ndays);
	lane->planned = sc_alloc(sizeof(int64_t) * b->ndays);
	if (b->fill == NULL)
	{
		sc_capacity_range(&b->res[res], b->today, b->ndays, lane->cap);
		memset(lane->planned, 0, sizeof(int64_t) * b->ndays);
		lane->base_next = sc_alloc(sizeof(int32_t) * (b->ndays + 1));
		lane->next = sc_alloc(sizeof(int32_t) * (b->ndays + 1));
		lane_build_next(b, res, lane, lane->base_next, false);
		memcpy(lane->next, lane->base_next, sizeof(int32_t) * (b->ndays + 1));
	}
	else
	{
		memset(lane->planned, 0xff, sizeof(int64_t) * b->ndays);	/* all -1 */
		lane->cap_block = sc_alloc0((b->ndays + CAP_BLOCK - 1) / CAP_BLOCK);
	}
	return lane;
}

/* lazy boards compute capacity a block of days at a time, as walks reach them */
static inline void
lane_cap(ScBoard *b, int res, ScLane *lane, int32_t from, int32_t upto)
{
	for (int32_t blk = from / CAP_BLOCK; blk * CAP_BLOCK < upto; blk++)
		if (!lane->cap_block[blk])
		{
			int32_t		d0 = blk * CAP_BLOCK;
			int32_t		n = Min64(CAP_BLOCK, b->ndays - d0);

			sc_capacity_range(&b->res[res], b->today + d0, n, lane->cap + d0);
			lane->cap_block[blk] = 1;
		}
}

/*
 * Make day index i (< ndays) of a lane known.  On a lazy board the fill
 * callback reads from day i up to the next day already known; it may stop
 * early (after the first day with room it read), so a walk over a booked
 * resource reads what it walks and little more, wherever it starts.
 */
static inline ScLane *
lane_ensure(ScBoard *b, int res, int32_t i)
{
	ScLane	   *lane = lane_touch(b, res);

	if (lane->planned[i] < 0)
	{
		int32_t		upto = i + 1;
		int32_t		got;

		while (upto < b->ndays && upto - i < 64 && lane->planned[upto] < 0)
			upto++;
		lane_cap(b, res, lane, i, upto);
		got = b->fill(b->fill_arg, res, b->today + i, b->today + upto,
					  lane->cap + i, lane->planned + i);
		if (got < 1 || got > upto - i)
			elog_or_abort("sacrosanct: fill callback returned a bad count");
	}
	return lane;
}

void
sc_board_init(ScBoard *b, ScDay today, int32_t horizon_days,
			  int nres, const ScResource *res, ScFillFn fill, void *fill_arg)
{
	memset(b, 0, sizeof(*b));
	b->today = today;
	b->last = today + horizon_days;
	b->ndays = horizon_days + 1;
	b->nres = nres;
	b->res = res;
	b->lanes = sc_alloc0(sizeof(ScLane) * (nres > 0 ? nres : 1));
	b->fill = fill;
	b->fill_arg = fill_arg;
	b->maxallocs = 64;
	b->allocs = sc_alloc(sizeof(ScAlloc) * b->maxallocs);
}

void
sc_board_reserve(ScBoard *b, int32_t nallocs)
{
	if (nallocs <= b->maxallocs)
		return;
	b->maxallocs = nallocs;
	b->allocs = sc_realloc(b->allocs, sizeof(ScAlloc) * b->maxallocs);
}

void
sc_board_clear(ScBoard *b)
{
	for (int r = 0; r < b->nres; r++)
	{
		ScLane	   *lane = &b->lanes[r];

		if (!lane->touched)
			continue;
		memset(lane->planned, 0, sizeof(int64_t) * b->ndays);
		if (lane->next)
			memcpy(lane->next, lane->base_next, sizeof(int32_t) * (b->ndays + 1));
	}
	b->nallocs = 0;
}

/* what the board holds for a resource-day (the fuzz harness checks lazy reads with it) */
int64_t
sc_board_planned(ScBoard *b, int res, ScDay day)
{
	int32_t		i = day - b->today;

	if (i < 0 || i >= b->ndays)
		return 0;
	return lane_ensure(b, res, i)->planned[i];
}

/* first day index >= i with free capacity on the lane, ndays when none */
static inline int32_t
lane_find_free(ScBoard *b, int res, ScLane *lane, int32_t i, int32_t end)
{
	if (lane->next)
	{
		int32_t    *next = lane->next;
		int32_t		root = i;

		while (next[root] != root)
			root = next[root];
		/* path compression */
		while (next[i] != root)
		{
			int32_t		up = next[i];

			next[i] = root;
			i = up;
		}
		return root;
	}
	for (; i < end; i++)
	{
		lane = lane_ensure(b, res, i);
		if (lane_free(b, res, lane, i) > 0)
			return i;
	}
	return end;
}

static inline void
push_alloc(ScBoard *b, int32_t pos, int32_t res, ScDay day, int32_t minutes)
{
	if (b->nallocs == b->maxallocs)
	{
		b->maxallocs *= 2;
		b->allocs = sc_realloc(b->allocs, sizeof(ScAlloc) * b->maxallocs);
	}
	b->allocs[b->nallocs].pos = pos;
	b->allocs[b->nallocs].res = res;
	b->allocs[b->nallocs].day = day;
	b->allocs[b->nallocs].minutes = minutes;
	b->nallocs++;
}

void
sc_board_apply(ScBoard *b, const ScAlloc *a, int n, int sign)
{
	bool	   *rebuild = NULL;

	for (int k = 0; k < n; k++)
	{
		int32_t		i = a[k].day - b->today;
		ScLane	   *lane;

		if (i < 0 || i >= b->ndays)
			continue;
		lane = lane_ensure(b, a[k].res, i);
		lane->planned[i] += sign * (int64_t) a[k].minutes;
		if (lane->next && b->res[a[k].res].finite)
		{
			if (sign > 0 && lane_free(b, a[k].res, lane, i) <= 0)
				lane->next[i] = i + 1;
			else if (sign < 0)
			{
				if (rebuild == NULL)
					rebuild = sc_alloc0(sizeof(bool) * b->nres);
				rebuild[a[k].res] = true;
			}
		}
	}
	if (rebuild)
	{
		for (int r = 0; r < b->nres; r++)
			if (rebuild[r])
				lane_build_next(b, r, &b->lanes[r], b->lanes[r].next, true);
	}
}

/* ------------------------------------------------------------------------
 * Loading (rules 3 and 4)
 * ------------------------------------------------------------------------
 */

void
sc_unload_order(ScBoard *b, ScOrder *o)
{
	sc_board_apply(b, b->allocs + o->alloc_off, o->nalloc, -1);
	if (o->alloc_off + o->nalloc == b->nallocs)
		b->nallocs = o->alloc_off;
	o->nalloc = 0;
}

/*
 * Rule 3 for one step: load 'work' minutes on resource 'res' from day index
 * 'start'.  Returns the day index of the last day that received minutes, or
 * -1 when the work does not fit before day index 'end' (the horizon, or a
 * day past which the caller has no use for it).
 */
static int32_t
load_step(ScBoard *b, int32_t pos, int res, int32_t start, int64_t work, int32_t end)
{
	ScLane	   *lane = lane_touch(b, res);
	bool		finite = b->res[res].finite;
	int32_t		i = start;
	int32_t		lastday = -1;

	CHECK_INTERRUPTS();

	while (work > 0)
	{
		int64_t		room,
					take;

		i = lane_find_free(b, res, lane, i, end);
		if (i >= end)
			return -1;
		lane = &b->lanes[res];
		room = lane_free(b, res, lane, i);
		take = Min64(room, work);
		push_alloc(b, pos, res, b->today + i, (int32_t) take);
		lane->planned[i] += take;
		work -= take;
		lastday = i;
		if (take == room)
		{
			/* the day is full (for this order, on a non-finite resource) */
			if (finite && lane->next)
				lane->next[i] = i + 1;
			i++;
		}
	}
	return lastday;
}

/* rules 3 and 4 for one order; a step that would end past day index 'end' fails it */
static bool
load_order(ScBoard *b, ScOrder *o, int32_t end)
{
	const ScRouting *rt = o->routing;
	ScDay		start = o->not_before != SC_NO_DAY && o->not_before > b->today
		? o->not_before : b->today;
	ScDay		finish = start;
	int64_t		best_wait = -1,
				best_work = -1;
	bool		fits = true;

	o->alloc_off = b->nallocs;
	o->nalloc = 0;
	o->bottleneck = -1;

	for (int k = 0; k < rt->nsteps; k++)
	{
		const ScStep *st = &rt->steps[k];
		int64_t		past = o->past_minutes ? o->past_minutes[k] : 0;
		int64_t		remaining = o->work[k] - past;
		ScDay		step_finish;

		if (k < o->steps_done)
		{
			/* complete: nothing to load; the next step follows its completion day */
			finish = o->done_day;
			continue;
		}
		if (k > 0)
		{
			/*
			 * In 64 bits: lags can carry a start past the int32 days.  Any
			 * day after the horizon is as good as another (nothing loads
			 * there, and a finish there is not within the horizon).
			 */
			int64_t		next = (int64_t) finish + st->lag_days;

			start = next < b->today ? b->today
				: next > (int64_t) b->last + 1 ? b->last + 1 : (ScDay) next;
		}

		if (remaining <= 0)
			step_finish = past > 0 ? o->past_last[k] : start;
		else
		{
			int32_t		lastday = -1;

			if (start <= b->last)
				lastday = load_step(b, k, st->res, start - b->today, remaining, end);
			if (lastday < 0)
			{
				o->bottleneck = k;
				fits = false;
				break;
			}
			step_finish = b->today + lastday;
		}

		/* the bottleneck: the step that took longest from its start, then the biggest */
		if ((int64_t) step_finish - start > best_wait ||
			((int64_t) step_finish - start == best_wait && o->work[k] > best_work))
		{
			best_wait = (int64_t) step_finish - start;
			best_work = o->work[k];
			o->bottleneck = k;
		}
		finish = step_finish;
	}

	o->nalloc = b->nallocs - o->alloc_off;
	if (fits && finish > b->last)
		fits = false;
	if (!fits)
	{
		sc_unload_order(b, o);
		o->finish = SC_NO_DAY;
		o->backed = false;
		return false;
	}
	o->finish = finish;
	/* an order whose every step is complete has no work left to protect with a buffer */
	o->backed = (int64_t) finish + rt->buffer_days <= (int64_t) o->promised ||
		o->steps_done >= rt->nsteps;
	return o->backed;
}

bool
sc_load_order(ScBoard *b, ScOrder *o)
{
	return load_order(b, o, b->ndays);
}

/*
 * sc_load_order() for a caller that only needs to know whether 'o' is
 * backed at its promise: the same answer and, when backed, the same plan;
 * when not, nothing of it stays on the board, and a walk that can no
 * longer back the promise stops there instead of going on to the order's
 * greedy finish.  The first try of an
 * INSERT holds its resources' locks while it walks, so a refused order
 * must not walk (and read) weeks of days under them.  Stopping is exact
 * only while each step ends no earlier than the one before (lags are never
 * negative), which history or completed steps can break: such an order is
 * loaded in full.
 */
bool
sc_load_order_for_promise(ScBoard *b, ScOrder *o)
{
	int64_t		end = b->ndays;

	if (o->promised != SC_NO_DAY && o->past_minutes == NULL && o->steps_done == 0)
	{
		/* the last day index a step may end on and the order still be backed */
		int64_t		latest = (int64_t) o->promised - o->routing->buffer_days - b->today;

		if (latest + 1 < end)
			end = latest + 1 < 0 ? 0 : latest + 1;
	}
	if (load_order(b, o, (int32_t) end))
		return true;
	if (o->nalloc > 0)
		sc_unload_order(b, o);	/* planned within the horizon, but too late */
	return false;
}

/* ------------------------------------------------------------------------
 * Replans (rules 6, 7 and 9)
 * ------------------------------------------------------------------------
 */

uint64_t
sc_key_prefix(const char *key)
{
	uint64_t	p = 0;
	int			i = 0;

	if (key == NULL)
		return 0;
	for (; i < 8 && key[i] != '\0'; i++)
		p = (p << 8) | (unsigned char) key[i];
	return p << (8 * (8 - i));
}

int
sc_order_cmp(const ScOrder *a, const ScOrder *b)
{
	if (a->promised != b->promised)
		return a->promised < b->promised ? -1 : 1;
	/* an order already at risk goes after the backed orders of its day: it blocks none of them */
	if (a->at_risk != b->at_risk)
		return a->at_risk ? 1 : -1;
	if (a->key != NULL && b->key != NULL)
	{
		int			c;

		if (a->keyprefix != b->keyprefix && a->keyprefix != 0 && b->keyprefix != 0)
			return a->keyprefix < b->keyprefix ? -1 : 1;
		c = strcmp(a->key, b->key);

		if (c != 0)
			return c < 0 ? -1 : 1;
	}
	else if (a->key != NULL)
		return -1;
	else if (b->key != NULL)
		return 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

static int
order_ptr_cmp(const void *a, const void *b)
{
	return sc_order_cmp(*(ScOrder *const *) a, *(ScOrder *const *) b);
}

/*
 * Rule 7's order for every open order of a plant, once per replan, quote and
 * refusal: a counting sort on the promised day first (promises span a few
 * hundred days, so each day holds a few dozen orders), then the comparison
 * sort within each day.  A plain qsort spent most of its time comparing the
 * promised days of orders scattered in memory.
 */
void
sc_sort_orders(ScOrder **orders, int n)
{
	ScDay		lo,
				hi;
	int64_t		span;
	int		   *start;
	ScOrder   **out;

	if (n < 64)
	{
		qsort(orders, n, sizeof(ScOrder *), order_ptr_cmp);
		return;
	}
	lo = hi = orders[0]->promised;
	for (int i = 1; i < n; i++)
	{
		if (orders[i]->promised < lo)
			lo = orders[i]->promised;
		if (orders[i]->promised > hi)
			hi = orders[i]->promised;
	}
	span = (int64_t) hi - lo + 1;
	if (span > 4 * (int64_t) n + 1024)
	{
		qsort(orders, n, sizeof(ScOrder *), order_ptr_cmp);
		return;
	}

	start = sc_alloc0(sizeof(int) * (span + 1));
	out = sc_alloc(sizeof(ScOrder *) * n);
	for (int i = 0; i < n; i++)
		start[orders[i]->promised - lo + 1]++;
	for (int64_t d = 1; d <= span; d++)
		start[d] += start[d - 1];
	for (int i = 0; i < n; i++)
		out[start[orders[i]->promised - lo]++] = orders[i];
	/* start[d] is now where day d + 1 begins: sort each day's run */
	for (int64_t d = 0, from = 0; d < span; from = start[d], d++)
		if (start[d] - from > 1)
			qsort(out + from, start[d] - from, sizeof(ScOrder *), order_ptr_cmp);
	memcpy(orders, out, sizeof(ScOrder *) * n);
	sc_free(start);
	sc_free(out);
}

bool
sc_replan(ScBoard *b, ScOrder **orders, int n, ScOrder *extra,
		  bool stop_early, ScOrder **broken)
{
	bool		ok = true;
	bool		extra_done = extra == NULL;

	if (broken)
		*broken = NULL;
	sc_board_clear(b);

	for (int i = 0; i <= n; i++)
	{
		ScOrder    *o;

		if (!extra_done && (i == n || sc_order_cmp(extra, orders[i]) < 0))
		{
			extra_done = true;
			if (!sc_load_order(b, extra))
			{
				ok = false;
				if (stop_early)
					return false;
			}
		}
		if (i == n)
			break;
		CHECK_INTERRUPTS();
		o = orders[i];
		if (!sc_load_order(b, o) && o->backed_before)
		{
			if (ok && broken)
				*broken = o;
			ok = false;
			if (stop_early)
				return false;
		}
	}
	return ok;
}

/*
 * Probes of the bisection share work.  Every order that sorts before the
 * would-be order is loaded the same in every probe, so a probe saves the
 * board as it stands just before the would-be order; when the probe fails,
 * every later probe sorts the would-be order further on and starts from
 * that checkpoint instead of from an empty board.  A committed order that
 * breaks before the would-be order's place fails every probe beyond it.
 */
typedef struct Checkpoint
{
	bool		valid;
	int			pos;			/* orders[0 .. pos) are loaded */
	int32_t		nallocs;
	bool	   *had;			/* per lane: touched when saved */
	int64_t   **planned;
	int32_t   **next;
} Checkpoint;

static void
ckpt_init(ScBoard *b, Checkpoint *c)
{
	memset(c, 0, sizeof(*c));
	c->had = sc_alloc0(sizeof(bool) * (b->nres + 1));
	c->planned = sc_alloc0(sizeof(int64_t *) * (b->nres + 1));
	c->next = sc_alloc0(sizeof(int32_t *) * (b->nres + 1));
}

static void
ckpt_save(ScBoard *b, Checkpoint *c, int pos)
{
	for (int r = 0; r < b->nres; r++)
	{
		ScLane	   *lane = &b->lanes[r];

		c->had[r] = lane->touched;
		if (!lane->touched)
			continue;
		if (c->planned[r] == NULL)
		{
			c->planned[r] = sc_alloc(sizeof(int64_t) * b->ndays);
			c->next[r] = sc_alloc(sizeof(int32_t) * (b->ndays + 1));
		}
		memcpy(c->planned[r], lane->planned, sizeof(int64_t) * b->ndays);
		memcpy(c->next[r], lane->next, sizeof(int32_t) * (b->ndays + 1));
	}
	c->nallocs = b->nallocs;
	c->pos = pos;
	c->valid = true;
}

static void
ckpt_restore(ScBoard *b, const Checkpoint *c)
{
	for (int r = 0; r < b->nres; r++)
	{
		ScLane	   *lane = &b->lanes[r];

		if (c->had[r])
		{
			memcpy(lane->planned, c->planned[r], sizeof(int64_t) * b->ndays);
			memcpy(lane->next, c->next[r], sizeof(int32_t) * (b->ndays + 1));
		}
		else if (lane->touched)
		{
			memset(lane->planned, 0, sizeof(int64_t) * b->ndays);
			memcpy(lane->next, lane->base_next, sizeof(int32_t) * (b->ndays + 1));
		}
	}
	b->nallocs = c->nallocs;
}

/* one replan test (rule 6) of 'extra' at its promise, from the best checkpoint */
static bool
probe(ScBoard *b, ScOrder **orders, int n, ScOrder *extra,
	  Checkpoint **last_failed, Checkpoint **scratch, int *break_pos)
{
	int			pos = 0,
				lo = 0,
				hi = n;
	int			start = 0;
	Checkpoint *swap;

	/* the would-be order's place: first order it sorts before */
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (sc_order_cmp(extra, orders[mid]) < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	pos = lo;
	if (*break_pos >= 0 && pos > *break_pos)
		return false;

	if ((*last_failed)->valid && (*last_failed)->pos <= pos)
	{
		ckpt_restore(b, *last_failed);
		start = (*last_failed)->pos;
	}
	else
		sc_board_clear(b);

	for (int i = start; i < pos; i++)
		if (!sc_load_order(b, orders[i]) && orders[i]->backed_before)
		{
			*break_pos = i;
			return false;
		}
	ckpt_save(b, *scratch, pos);

	if (sc_load_order(b, extra))
	{
		int			i;

		for (i = pos; i < n; i++)
			if (!sc_load_order(b, orders[i]) && orders[i]->backed_before)
				break;
		if (i == n)
			return true;
	}
	/* failed: later probes start from here */
	swap = *last_failed;
	*last_failed = *scratch;
	*scratch = swap;
	return false;
}

ScDay
sc_search_earliest(ScBoard *b, ScOrder **orders, int n, ScOrder *extra,
				   ScDay lo, ScDay hi, bool hi_known_good)
{
	ScDay		good,
				bad;
	ScDay		loaded = SC_NO_DAY;	/* the date whose plan the board holds */
	Checkpoint	c1,
				c2;
	Checkpoint *last_failed = &c1,
			   *scratch = &c2;
	int			break_pos = -1;

	if (lo > hi)
		lo = hi;
	ckpt_init(b, &c1);
	ckpt_init(b, &c2);
	if (!hi_known_good)
	{
		extra->promised = hi;
		if (!probe(b, orders, n, extra, &last_failed, &scratch, &break_pos))
			return SC_NO_DAY;
		loaded = hi;
	}
	good = hi;
	bad = lo - 1;
	while (good - bad > 1)
	{
		ScDay		mid = bad + (good - bad) / 2;

		CHECK_INTERRUPTS();
		extra->promised = mid;
		if (probe(b, orders, n, extra, &last_failed, &scratch, &break_pos))
		{
			good = mid;
			loaded = mid;
		}
		else
		{
			bad = mid;
			loaded = SC_NO_DAY;
		}
	}
	extra->promised = good;
	if (loaded != good && !(hi_known_good && good == hi))
		sc_replan(b, orders, n, extra, false, NULL);
	return good;
}

/*
 * Where 'extra' sorts among orders[0..n) at its current promise: the first
 * order it sorts before.
 */
static int
position(ScOrder **orders, int n, const ScOrder *extra)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (sc_order_cmp(extra, orders[mid]) < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

ScDay
sc_search_earliest_scan(ScBoard *b, ScOrder **orders, int n, ScOrder *extra,
						ScDay lo, ScDay hi)
{
	Checkpoint	c;
	int			loaded = 0;		/* orders[0 .. loaded) are on the board */
	ScDay		d = lo;

	ckpt_init(b, &c);
	sc_board_clear(b);
	while (d <= hi)
	{
		int			p;
		ScDay		group_last = hi;

		/* the dates from d on at which extra sorts in the same place */
		extra->promised = d;
		p = position(orders, n, extra);
		if (p < n)
		{
			ScDay		next = orders[p]->promised;

			extra->promised = next;
			if (next <= hi && sc_order_cmp(extra, orders[p]) > 0)
				next--;
			if (next < group_last)
				group_last = next;
		}

		/* orders that sort before it are loaded alike for every later date */
		for (; loaded < p; loaded++)
		{
			CHECK_INTERRUPTS();
			if (!sc_load_order(b, orders[loaded]) && orders[loaded]->backed_before)
				return SC_NO_DAY;	/* broken before extra's place, at every later date too */
		}
		ckpt_save(b, &c, p);

		/*
		 * Its own plan does not depend on the date either: only whether the
		 * date backs it.  The first date of the group that does, if any.
		 */
		extra->promised = SC_NO_DAY;
		(void) sc_load_order(b, extra);
		if (extra->finish != SC_NO_DAY)
		{
			ScDay		first = extra->finish + extra->routing->buffer_days;
			int			i;

			if (first < d)
				first = d;
			for (i = p; first <= group_last && i < n; i++)
				if (!sc_load_order(b, orders[i]) && orders[i]->backed_before)
					break;
			if (first <= group_last && i == n)
			{
				extra->promised = first;
				extra->backed = true;
				return first;	/* the board holds its plan */
			}
		}
		ckpt_restore(b, &c);
		d = group_last + 1;
	}
	return SC_NO_DAY;
}
