/*
 * plan_fuzz.c: a fuzz harness for the planning engine (src/plan.c).
 *
 * An input is read as a recipe: a small plant (calendars with weekly
 * minutes and holidays, resources with units and capacity changes,
 * routings with lags and buffers), the orders committed on it, then up to
 * MAXOPS operations driven through the engine's API the way src/promise.c
 * drives it: greedy insertion on a lazy board, updates that take an
 * order's old plan off that board first, replans, quotes through the
 * earliest-date search, deletes, capacity changes repaired in rule 7's
 * order, and direct probes of capacity, sorting and unloading.  Every byte
 * string decodes to a plant and orders that the extension's CHECK
 * constraints accept, so whatever the checks below find is a real finding.
 *
 * The checks do not only wait for a crash.  Each load and replan is
 * compared with ref_load(), rule 3 and 4 of DESIGN.md §3.1 written the
 * obvious way (walk every day); a lazy board must place what a full board
 * places; the committed schedule never loads a finite resource-day beyond
 * its capacity; a search's date must be accepted by a replan and the day
 * before it refused.  A failed check aborts (libFuzzer reports it), or,
 * replaying, jumps back to the replay loop.
 *
 * Built two ways:
 *   make fuzz      clang -fsanitize=fuzzer,address,undefined, with
 *                  SC_CALLER_ALLOC so that every input frees what it used
 *   make test      test/unit/fuzz_corpus.c includes this file with
 *                  SC_FUZZ_REPLAY: a main() that runs test/fuzz/corpus and
 *                  test/fuzz/regress through the same checks, as TAP
 */
#define _DEFAULT_SOURCE			/* scandir() under -std=c11 */
#include <dirent.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* PostgreSQL's dates as days since 2000-01-01: 4713 BC .. 5874897 AD */
#define DATE_MIN	(-2451545)
#define DATE_MAX	2145031948
#define MON			9557		/* 2026-03-02, a Monday */

#define MAXCAL		3
#define MAXHOL		8
#define MAXRES		6
#define MAXCHG		6
#define MAXRT		4
#define MAXSTEPS	8
#define MAXORD		40
#define MAXOPS		24

/* ------------------------------------------------------------------------
 * Failing, and memory that every input gives back
 * ------------------------------------------------------------------------
 */

static jmp_buf *fail_jmp;		/* replay: a failed check returns here */

static void
fail(const char *what, int line)
{
	fprintf(stderr, "plan_fuzz.c:%d: check failed: %s\n", line, what);
	if (fail_jmp)
		longjmp(*fail_jmp, 1);
	abort();
}

#define CHECK(cond) do { if (!(cond)) fail(#cond, __LINE__); } while (0)

/* every allocation of an input, harness and (SC_CALLER_ALLOC) engine alike */
static void **pool;
static size_t npool,
			maxpool;

static void
pool_add(void *p)
{
	if (npool == maxpool)
	{
		maxpool = maxpool ? 2 * maxpool : 1024;
		pool = realloc(pool, sizeof(void *) * maxpool);
		if (pool == NULL)
			abort();
	}
	pool[npool++] = p;
}

static void *
xalloc(size_t size, bool zero)
{
	void	   *p = zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);

	if (p == NULL)
		abort();
	pool_add(p);
	return p;
}

static void
pool_release(void)
{
	for (size_t i = 0; i < npool; i++)
		free(pool[i]);
	npool = 0;
}

#ifdef SC_CALLER_ALLOC
static void
pool_forget(void *p)
{
	for (size_t i = npool; i-- > 0;)
		if (pool[i] == p)
		{
			pool[i] = pool[--npool];
			return;
		}
	fail("the engine freed memory it did not allocate", __LINE__);
}

void *
sc_alloc(size_t size)
{
	return xalloc(size, false);
}

void *
sc_alloc0(size_t size)
{
	return xalloc(size, true);
}

void *
sc_realloc(void *ptr, size_t size)
{
	void	   *p;

	pool_forget(ptr);
	p = realloc(ptr, size);
	if (p == NULL)
		abort();
	pool_add(p);
	return p;
}

void
sc_free(void *ptr)
{
	pool_forget(ptr);
	free(ptr);
}
#endif

/*
 * What a board holds, given back after each operation (the extension resets
 * a memory context instead).  Replaying without SC_CALLER_ALLOC this keeps
 * the corpus run small; only the search's checkpoints stay behind.
 */
static void
board_free(ScBoard *b)
{
	for (int r = 0; r < b->nres; r++)
	{
		ScLane	   *lane = &b->lanes[r];

		if (!lane->touched)
			continue;
		sc_free(lane->cap);
		sc_free(lane->planned);
		if (lane->next)
		{
			sc_free(lane->next);
			sc_free(lane->base_next);
		}
		if (lane->cap_block)
			sc_free(lane->cap_block);
	}
	sc_free(b->lanes);
	sc_free(b->allocs);
}

/* ------------------------------------------------------------------------
 * Reading the input
 * ------------------------------------------------------------------------
 */

typedef struct Src
{
	const uint8_t *p;
	size_t		n;
} Src;

static unsigned
u8(Src *s)
{
	if (s->n == 0)
		return 0;
	s->n--;
	return *s->p++;
}

static unsigned
u16(Src *s)
{
	unsigned	lo = u8(s);

	return lo | u8(s) << 8;
}

static int
pick(Src *s, int n)
{
	return (int) (u8(s) % (unsigned) n);
}

typedef struct Plant
{
	ScDay		today;
	int32_t		horizon;
	int			ncal;
	ScCalendar	cal[MAXCAL];
	ScDay		hol[MAXCAL][MAXHOL];
	int			nres;
	ScResource	res[MAXRES];
	ScChange	chg[MAXRES][MAXCHG];
	int			nrt;
	ScRouting	rt[MAXRT];
	ScStep		steps[MAXRT][MAXSTEPS];
} Plant;

typedef struct Ord
{
	ScOrder		o;				/* first: an ScOrder * is its Ord * */
	char		key[16];
	int64_t		work[MAXSTEPS];
	int64_t		past[MAXSTEPS];
	ScDay		past_last[MAXSTEPS];
	bool		live;
	int			nalloc;			/* its committed allocations, today on */
	ScAlloc    *alloc;
} Ord;

typedef struct Model
{
	Plant		p;
	int32_t		ndays;
	int64_t    *cap;			/* [res * ndays + i]: rule 1, by ref_cap() */
	int64_t    *load;			/* committed minutes per resource-day */
	int			n;
	Ord			ord[MAXORD + 1];	/* + 1: an operation's would-be order */
	uint32_t	rng;			/* how the fill callback reads */
	bool		junk;			/* fill reports a full day as any value >= capacity */
} Model;

/*
 * Weekly minutes, units, capacity changes, lags, buffers and work in the
 * ranges the extension's tables allow, the edges included: a weekday can
 * count up to 2878 minutes (an overnight window counts on its start day),
 * units go to 1,000,000, a change is any non-zero int, lags and buffers go
 * to 3660 days, work to 2^53 minutes.
 */
static const int32_t week_minutes[] = {0, 0, 60, 240, 480, 480, 720, 960, 1440, 2878};
static const int32_t unit_counts[] = {1, 1, 1, 2, 3, 1000000};
static const int64_t change_minutes[] = {-480, -60, -2000, 60, 120, 480, INT32_MIN, INT32_MAX};
static const int32_t lag_days[] = {0, 0, 0, 1, 2, 7, 3660};
static const int32_t buffer_days[] = {0, 0, 1, 2, 5, 30, 3660};
static const int64_t work_minutes[] = {0, 1, 30, 240, 480, 481, 1000, 4000, INT64_C(9007199254740992)};

#define NELEM(a) ((int) (sizeof(a) / sizeof((a)[0])))

static ScDay
decode_day(Src *s, const Plant *p, int before, int after)
{
	unsigned	v = u8(s);
	int64_t		d;

	/* now and then the ends of the date range */
	if (v == 255)
		return DATE_MAX - (ScDay) u8(s);
	if (v == 254)
		return DATE_MIN + (ScDay) u8(s);
	d = (int64_t) p->today - before + u16(s) % (unsigned) (p->horizon + before + after + 1);
	return d < DATE_MIN ? DATE_MIN : d > DATE_MAX ? DATE_MAX : (ScDay) d;
}

static void
decode_change(Src *s, const Plant *p, ScChange *c)
{
	int			v = pick(s, NELEM(change_minutes) + 2);
	int64_t		upto;

	/* a daterange's bounds: finite, not empty, upper exclusive */
	c->from = decode_day(s, p, 10, 10);
	upto = (int64_t) c->from + 1 + (u8(s) < 32 ? (int64_t) u16(s) : pick(s, 10));
	c->upto = upto > DATE_MAX + 1 ? DATE_MAX + 1 : (ScDay) upto;
	if (v < NELEM(change_minutes))
		c->minutes = change_minutes[v];
	else
	{
		int16_t		mins = (int16_t) u16(s);

		c->minutes = mins ? mins : 1;
	}
}

static void
decode_plant(Src *s, Plant *p)
{
	unsigned	v = u8(s);

	memset(p, 0, sizeof(*p));
	p->today = MON + (ScDay) (v % 7);
	if (v == 255)
		p->today = DATE_MAX - (ScDay) u16(s);
	else if (v == 254)
		p->today = DATE_MIN + (ScDay) u16(s);
	v = u8(s);
	p->horizon = v < 200 ? 1 + (int32_t) (v % 60) : 1 + (int32_t) (u16(s) % 730);

	p->ncal = 1 + pick(s, MAXCAL);
	for (int c = 0; c < p->ncal; c++)
	{
		ScCalendar *cal = &p->cal[c];
		ScDay		d = p->today - 3 + pick(s, 8);

		for (int dow = 1; dow <= 7; dow++)
		{
			v = u8(s);
			cal->week[dow] = v < 240 ? week_minutes[v % NELEM(week_minutes)]
				: (int32_t) (v * 11 % 2879);
		}
		cal->nholidays = pick(s, MAXHOL + 1);
		for (int h = 0; h < cal->nholidays; h++)
		{
			p->hol[c][h] = d;	/* ascending, no repeats: the table's key */
			d += 1 + pick(s, 16);
		}
		cal->holidays = p->hol[c];
	}

	p->nres = 1 + pick(s, MAXRES);
	for (int r = 0; r < p->nres; r++)
	{
		ScResource *res = &p->res[r];

		res->code = "R";
		res->units = unit_counts[pick(s, NELEM(unit_counts))];
		res->finite = pick(s, 6) != 0;
		res->cal = &p->cal[pick(s, p->ncal)];
		res->nchanges = pick(s, 3);
		res->changes = p->chg[r];
		for (int c = 0; c < res->nchanges; c++)
			decode_change(s, p, &p->chg[r][c]);
	}

	p->nrt = 1 + pick(s, MAXRT);
	for (int k = 0; k < p->nrt; k++)
	{
		ScRouting  *rt = &p->rt[k];

		rt->buffer_days = buffer_days[pick(s, NELEM(buffer_days))];
		rt->nsteps = 1 + pick(s, MAXSTEPS);
		rt->steps = p->steps[k];
		for (int i = 0; i < rt->nsteps; i++)
		{
			p->steps[k][i].step_no = i + 1;
			p->steps[k][i].res = pick(s, p->nres);
			p->steps[k][i].lag_days = lag_days[pick(s, NELEM(lag_days))];
		}
	}
}

/* the inputs of an order: 'id' keeps keys and quote hold numbers unique */
static void
decode_order(Src *s, Model *m, Ord *x, int id)
{
	const Plant *p = &m->p;
	ScOrder    *o = &x->o;
	bool		hold = pick(s, 8) == 0;

	memset(x, 0, sizeof(*x));
	o->routing = &p->rt[pick(s, p->nrt)];
	o->promised = decode_day(s, p, 10, 40);
	if (hold)
		o->seq = id;			/* a quote hold: no key, sorted by its number */
	else
	{
		snprintf(x->key, sizeof(x->key), "%s-%d", pick(s, 2) ? "ORDER-00" : &"ABab"[pick(s, 4)], id);
		o->key = x->key;
		/* promise.c sets the prefix; 0 (compare the keys themselves) must sort the same */
		o->keyprefix = pick(s, 2) ? sc_key_prefix(o->key) : 0;
	}
	o->not_before = pick(s, 4) == 0 ? decode_day(s, p, 5, 5) : SC_NO_DAY;
	for (int k = 0; k < o->routing->nsteps; k++)
	{
		int			v = pick(s, NELEM(work_minutes) + 1);

		x->work[k] = v < NELEM(work_minutes) ? work_minutes[v] : (int64_t) u16(s);
	}
	o->work = x->work;

	/* history: minutes on days before today, the way promise.c's history() builds it */
	if (pick(s, 5) == 0)
	{
		for (int k = 0; k < o->routing->nsteps; k++)
		{
			x->past_last[k] = SC_NO_DAY;
			if (u8(s) & 1)
			{
				x->past[k] = 1 + (int64_t) u16(s);
				x->past_last[k] = p->today - 1 - pick(s, 40);
			}
		}
		o->past_minutes = x->past;
		o->past_last = x->past_last;
	}
	o->at_risk = pick(s, 10) == 0;
	/* progress: the first steps complete, the last of them on a recent day */
	if (pick(s, 6) == 0)
	{
		o->steps_done = pick(s, o->routing->nsteps + 1);
		o->done_day = p->today - pick(s, 5);
	}
	else
		o->done_day = SC_NO_DAY;
	o->finish = SC_NO_DAY;
	o->bottleneck = -1;
}

/* ------------------------------------------------------------------------
 * The reference: rules 1, 3, 4 and 7 the obvious way
 * ------------------------------------------------------------------------
 */

static int64_t
ref_cap(const ScResource *r, ScDay d)
{
	int			dow = (int) ((((int64_t) d + 5) % 7 + 7) % 7) + 1;
	bool		holiday = false;
	int64_t		c;

	for (int h = 0; h < r->cal->nholidays; h++)
		holiday |= r->cal->holidays[h] == d;
	c = holiday ? 0 : (int64_t) r->units * r->cal->week[dow];
	for (int k = 0; k < r->nchanges; k++)
		if (d >= r->changes[k].from && d < r->changes[k].upto)
			c += r->changes[k].minutes;
	return c < 0 ? 0 : c > SC_MAX_DAY_MINUTES ? SC_MAX_DAY_MINUTES : c;
}

static void
model_caps(Model *m)
{
	for (int r = 0; r < m->p.nres; r++)
		for (int32_t i = 0; i < m->ndays; i++)
			m->cap[r * m->ndays + i] = ref_cap(&m->p.res[r], m->p.today + i);
}

typedef struct Ref
{
	ScDay		finish;
	bool		backed;
	int32_t		bottleneck;
	int			n;
	ScAlloc    *a;
} Ref;

/* rules 3 and 4 for one order on 'planned' [res * ndays + i] */
static void
ref_load(const Model *m, int64_t *planned, const ScOrder *o, Ref *out)
{
	const ScRouting *rt = o->routing;
	int64_t		today = m->p.today,
				last = today + m->p.horizon;
	int64_t		start = o->not_before != SC_NO_DAY && o->not_before > today ? o->not_before : today;
	int64_t		finish = start,
				best_wait = -1,
				best_work = -1;
	bool		fits = true;

	out->n = 0;
	out->bottleneck = -1;
	out->a = xalloc(sizeof(ScAlloc) * ((size_t) rt->nsteps * m->ndays + 1), false);
	for (int k = 0; k < rt->nsteps; k++)
	{
		const ScStep *st = &rt->steps[k];
		int64_t		past = o->past_minutes ? o->past_minutes[k] : 0;
		int64_t		remaining = o->work[k] - past;
		int64_t		step_finish = -1;

		if (k < o->steps_done)
		{
			/* complete: nothing loads; the next step follows the completion day */
			finish = o->done_day;
			continue;
		}
		if (k > 0)
			start = finish + st->lag_days < today ? today : finish + st->lag_days;
		if (remaining <= 0)
			step_finish = past > 0 ? o->past_last[k] : start;
		else
		{
			for (int64_t d = start; d <= last && remaining > 0; d++)
			{
				int64_t    *pl = &planned[st->res * m->ndays + (d - today)];
				int64_t		cap = m->cap[st->res * m->ndays + (d - today)];
				int64_t		avail = m->p.res[st->res].finite ? cap - *pl : cap;
				int64_t		take = avail < remaining ? avail : remaining;

				if (avail <= 0)
					continue;
				out->a[out->n++] = (ScAlloc) {k, st->res, (ScDay) d, (int32_t) take};
				*pl += take;
				remaining -= take;
				step_finish = d;
			}
			if (remaining > 0)
			{
				out->bottleneck = k;
				fits = false;
				break;
			}
		}
		if (step_finish - start > best_wait ||
			(step_finish - start == best_wait && o->work[k] > best_work))
		{
			best_wait = step_finish - start;
			best_work = o->work[k];
			out->bottleneck = k;
		}
		finish = step_finish;
	}
	if (fits && finish > last)
		fits = false;
	if (!fits)
	{
		for (int i = 0; i < out->n; i++)
			planned[out->a[i].res * m->ndays + (out->a[i].day - today)] -= out->a[i].minutes;
		out->n = 0;
		out->finish = SC_NO_DAY;
		out->backed = false;
		return;
	}
	out->finish = (ScDay) finish;
	out->backed = finish + rt->buffer_days <= (int64_t) o->promised || o->steps_done >= rt->nsteps;
}

/* rule 7's order, written again: (promised, at risk last, key in byte order with NULL last, seq) */
static int
ref_cmp(const ScOrder *a, const ScOrder *b)
{
	if (a->promised != b->promised)
		return a->promised < b->promised ? -1 : 1;
	if (a->at_risk != b->at_risk)
		return a->at_risk ? 1 : -1;
	if ((a->key == NULL) != (b->key == NULL))
		return a->key == NULL ? 1 : -1;
	if (a->key != NULL && strcmp(a->key, b->key) != 0)
		return strcmp(a->key, b->key) < 0 ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq ? 1 : 0;
}

/*
 * Rule 7 on an empty plant: orders[0..n) in their order, extra (if any)
 * merged at its place, results into ref[0..n) and ref[n].  Returns whether
 * the replan is acceptable; *broken is the first refusal when it is an
 * order rather than extra.
 */
static bool
ref_replan(const Model *m, int64_t *planned, ScOrder **orders, int n, ScOrder *extra,
		   Ref *ref, ScOrder **broken)
{
	bool		ok = true;
	bool		extra_done = extra == NULL;

	*broken = NULL;
	memset(planned, 0, sizeof(int64_t) * m->p.nres * m->ndays);
	for (int i = 0; i <= n; i++)
	{
		if (!extra_done && (i == n || ref_cmp(extra, orders[i]) < 0))
		{
			extra_done = true;
			ref_load(m, planned, extra, &ref[n]);
			if (!ref[n].backed)
				ok = false;
		}
		if (i == n)
			break;
		ref_load(m, planned, orders[i], &ref[i]);
		if (!ref[i].backed && orders[i]->backed_before)
		{
			if (ok)
				*broken = orders[i];
			ok = false;
		}
	}
	return ok;
}

/* ------------------------------------------------------------------------
 * Checks
 * ------------------------------------------------------------------------
 */

/* what the engine made of an order is what the reference made of it */
static void
check_same(const ScBoard *b, const ScOrder *o, const Ref *r)
{
	CHECK(o->finish == r->finish);
	CHECK(o->backed == r->backed);
	CHECK(o->bottleneck == r->bottleneck);
	CHECK(o->nalloc == r->n);
	for (int k = 0; k < r->n; k++)
	{
		const ScAlloc *a = &b->allocs[o->alloc_off + k];

		CHECK(a->pos == r->a[k].pos && a->res == r->a[k].res &&
			  a->day == r->a[k].day && a->minutes == r->a[k].minutes);
	}
}

/* a loaded order on its own: the planning rule's promises, whatever the reference says */
static void
check_order(const Model *m, const ScBoard *b, const ScOrder *o)
{
	int64_t		sum[MAXSTEPS] = {0};

	CHECK(o->alloc_off >= 0 && o->nalloc >= 0 && o->alloc_off + o->nalloc <= b->nallocs);
	if (o->finish == SC_NO_DAY)
	{
		CHECK(o->nalloc == 0 && !o->backed);
		return;
	}
	CHECK(o->finish <= b->last);
	CHECK(o->backed == ((int64_t) o->finish + o->routing->buffer_days <= (int64_t) o->promised ||
						 o->steps_done >= o->routing->nsteps));
	for (int k = 0; k < o->nalloc; k++)
	{
		const ScAlloc *a = &b->allocs[o->alloc_off + k];

		CHECK(a->pos >= 0 && a->pos < o->routing->nsteps);
		CHECK(a->res == o->routing->steps[a->pos].res);
		CHECK(a->minutes > 0);
		/* not <= finish: a step done in the past may finish before an earlier one (rule 7) */
		CHECK(a->day >= m->p.today && a->day <= b->last);
		sum[a->pos] += a->minutes;
	}
	/* allocations add up to the work left after history */
	for (int k = 0; k < o->routing->nsteps; k++)
	{
		int64_t		left = k < o->steps_done ? 0
			: o->work[k] - (o->past_minutes ? o->past_minutes[k] : 0);

		CHECK(sum[k] == (left > 0 ? left : 0));
	}
}

/*
 * A full board against the reference's planned minutes: the same load, no
 * finite day over capacity, and a union-find whose roots are exactly the
 * days with room.
 */
static void
check_board(const Model *m, const ScBoard *b, const int64_t *planned)
{
	CHECK(b->fill == NULL && b->ndays == m->ndays);
	for (int r = 0; r < m->p.nres; r++)
	{
		const ScLane *lane = &b->lanes[r];
		bool		finite = m->p.res[r].finite;

		for (int32_t i = 0; i < m->ndays; i++)
		{
			int64_t		want = planned[r * m->ndays + i];
			int64_t		cap = m->cap[r * m->ndays + i];

			if (!lane->touched)
			{
				CHECK(want == 0);
				continue;
			}
			CHECK(lane->cap[i] == cap);
			CHECK(lane->planned[i] == want);
			CHECK(!finite || want <= cap);
			CHECK(lane->next[i] >= i && lane->next[i] <= m->ndays);
			CHECK((lane->next[i] == i) == ((finite ? cap - want : cap) > 0));
		}
		CHECK(!lane->touched || lane->next[m->ndays] == m->ndays);
	}
}

/* the committed schedule: never a finite resource-day over capacity */
static void
check_load(const Model *m)
{
	for (int r = 0; r < m->p.nres; r++)
		for (int32_t i = 0; i < m->ndays; i++)
		{
			int64_t		l = m->load[r * m->ndays + i];

			CHECK(l >= 0);
			CHECK(!m->p.res[r].finite || l <= m->cap[r * m->ndays + i]);
		}
}

/* two engine loads of the same order, on a lazy and on a full board */
static void
check_alike(const ScBoard *lb, const ScOrder *lo, const ScBoard *fb, const ScOrder *fo)
{
	CHECK(lo->finish == fo->finish && lo->backed == fo->backed &&
		  lo->bottleneck == fo->bottleneck && lo->nalloc == fo->nalloc);
	for (int k = 0; k < lo->nalloc; k++)
	{
		const ScAlloc *x = &lb->allocs[lo->alloc_off + k];
		const ScAlloc *y = &fb->allocs[fo->alloc_off + k];

		CHECK(x->pos == y->pos && x->res == y->res && x->day == y->day &&
			  x->minutes == y->minutes);
	}
}

/* ------------------------------------------------------------------------
 * The model: committed orders and their load
 * ------------------------------------------------------------------------
 */

static uint32_t
next_rand(Model *m)
{
	m->rng = m->rng * 1103515245u + 12345u;
	return m->rng >> 8;
}

/*
 * A lazy board reads the committed load as sc_load_reader_fill() reads the
 * load table: from 'from', as many days as it likes (at least one), and a
 * full day may read as any value >= its capacity.
 */
static int32_t
fill(void *arg, int res, ScDay from, ScDay upto, const int64_t *cap, int64_t *planned)
{
	Model	   *m = arg;
	int32_t		i0 = from - m->p.today;
	int32_t		n = upto - from;
	int32_t		k;

	CHECK(res >= 0 && res < m->p.nres && n >= 1 && i0 >= 0 && i0 + n <= m->ndays);
	k = 1 + (int32_t) (next_rand(m) % (uint32_t) n);
	for (int32_t i = 0; i < k; i++)
	{
		int64_t		v = m->load[res * m->ndays + i0 + i];

		CHECK(cap[i] == m->cap[res * m->ndays + i0 + i]);
		if (m->junk && v >= cap[i])
			v += next_rand(m) % 1000;
		planned[i] = v;
	}
	return k;
}

static void
board_full(Model *m, ScBoard *b)
{
	sc_board_init(b, m->p.today, m->p.horizon, m->p.nres, m->p.res, NULL, NULL);
}

static void
board_lazy(Model *m, ScBoard *b)
{
	sc_board_init(b, m->p.today, m->p.horizon, m->p.nres, m->p.res, fill, m);
}

/* the committed schedule of every live order but 'except', as promise.c's board_apply_current() */
static void
apply_current(Model *m, ScBoard *b, const Ord *except)
{
	sc_board_clear(b);
	for (int i = 0; i < m->n; i++)
		if (m->ord[i].live && &m->ord[i] != except)
			sc_board_apply(b, m->ord[i].alloc, m->ord[i].nalloc, +1);
}

static int64_t *
load_copy(const Model *m, const Ord *except)
{
	int64_t    *pl = xalloc(sizeof(int64_t) * m->p.nres * m->ndays, false);

	memcpy(pl, m->load, sizeof(int64_t) * m->p.nres * m->ndays);
	if (except)
		for (int k = 0; k < except->nalloc; k++)
			pl[except->alloc[k].res * m->ndays + except->alloc[k].day - m->p.today] -=
				except->alloc[k].minutes;
	return pl;
}

static void
uncommit(Model *m, Ord *x)
{
	for (int k = 0; k < x->nalloc; k++)
		m->load[x->alloc[k].res * m->ndays + x->alloc[k].day - m->p.today] -= x->alloc[k].minutes;
	x->nalloc = 0;
}

/* the order's plan on board b becomes its committed plan */
static void
commit(Model *m, Ord *x, const ScBoard *b)
{
	ScOrder    *o = &x->o;

	check_order(m, b, o);
	uncommit(m, x);
	x->alloc = xalloc(sizeof(ScAlloc) * (o->nalloc + 1), false);
	memcpy(x->alloc, b->allocs + o->alloc_off, sizeof(ScAlloc) * o->nalloc);
	x->nalloc = o->nalloc;
	for (int k = 0; k < x->nalloc; k++)
		m->load[x->alloc[k].res * m->ndays + x->alloc[k].day - m->p.today] += x->alloc[k].minutes;
	x->live = true;
	/* what promise.c reads back as backed_before */
	o->backed_before = o->backed && !o->at_risk && o->finish != SC_NO_DAY &&
		o->promised >= m->p.today;
}

/* a replan's plan of every order (and extra) becomes the committed schedule */
static void
commit_all(Model *m, const ScBoard *b, ScOrder **sorted, int n, Ord *extra)
{
	for (int i = 0; i < n; i++)
		commit(m, (Ord *) sorted[i], b);
	if (extra)
		commit(m, extra, b);
	check_load(m);
}

/* rule 7's order of the live orders but 'except', checked against ref_cmp() */
static int
sorted_orders(Model *m, ScOrder **out, const Ord *except)
{
	int			n = 0;

	for (int i = 0; i < m->n; i++)
		if (m->ord[i].live && &m->ord[i] != except)
			out[n++] = &m->ord[i].o;
	sc_sort_orders(out, n);
	for (int i = 1; i < n; i++)
		CHECK(ref_cmp(out[i - 1], out[i]) < 0 && sc_order_cmp(out[i - 1], out[i]) < 0);
	return n;
}

/*
 * sc_replan()'s verdict and plan against ref_replan(): the same verdict,
 * the same broken order, and when everything was loaded the same plan.
 */
static void
check_replan(Model *m, const ScBoard *b, ScOrder **sorted, int n, ScOrder *extra,
			 bool ok, ScOrder *broken, bool stop_early)
{
	Ref			ref[MAXORD + 1];
	int64_t    *planned = xalloc(sizeof(int64_t) * m->p.nres * m->ndays, false);
	ScOrder    *ref_broken;
	bool		ref_ok = ref_replan(m, planned, sorted, n, extra, ref, &ref_broken);

	CHECK(ok == ref_ok);
	CHECK(broken == ref_broken);
	if (stop_early && !ok)
		return;
	for (int i = 0; i < n; i++)
	{
		check_same(b, sorted[i], &ref[i]);
		check_order(m, b, sorted[i]);
	}
	if (extra)
	{
		check_same(b, extra, &ref[n]);
		check_order(m, b, extra);
	}
	check_board(m, b, planned);
}

static bool
ref_accepts(Model *m, ScOrder **sorted, int n, ScOrder *extra, ScDay promised)
{
	Ref			ref[MAXORD + 1];
	int64_t    *planned = xalloc(sizeof(int64_t) * m->p.nres * m->ndays, false);
	ScOrder    *broken;
	ScDay		saved = extra->promised;
	bool		ok;

	extra->promised = promised;
	ok = ref_replan(m, planned, sorted, n, extra, ref, &broken);
	extra->promised = saved;
	return ok;
}

/*
 * Rule 9 as promise.c's earliest_backed() asks it: a greedy load on the
 * committed schedule, then sc_search_earliest() below that date.  The date
 * found must be accepted (greedily, or by a replan the board holds), and
 * the day before it refused.  Returns the date; *greedy when the board
 * does not hold its plan.
 */
static ScDay
search(Model *m, ScBoard *b, ScOrder **sorted, int n, Ord *x, ScDay floor,
	   const Ord *except, bool *greedy_out)
{
	ScOrder    *o = &x->o;
	ScDay		today = m->p.today;
	int32_t		buffer = o->routing->buffer_days;
	ScDay		start = o->not_before != SC_NO_DAY && o->not_before > today ? o->not_before : today;
	ScDay		lo = start + buffer;
	ScDay		greedy = SC_NO_DAY;
	ScDay		hi,
				d;

	apply_current(m, b, except);
	sc_load_order(b, o);
	if (o->finish != SC_NO_DAY)
		greedy = o->finish + buffer;
	if (floor != SC_NO_DAY && floor + 1 > lo)
		lo = floor + 1;
	hi = greedy != SC_NO_DAY ? greedy : today + m->p.horizon + buffer;
	if (lo > hi)
		lo = hi;

	d = sc_search_earliest(b, sorted, n, o, lo, hi, greedy != SC_NO_DAY);
	*greedy_out = greedy != SC_NO_DAY && d == greedy;
	if (d == SC_NO_DAY)
	{
		CHECK(greedy == SC_NO_DAY);
		CHECK(!ref_accepts(m, sorted, n, o, hi));
		return d;
	}
	CHECK(d >= lo && d <= hi && o->promised == d);
	if (d > lo)
		CHECK(!ref_accepts(m, sorted, n, o, d - 1));
	if (*greedy_out)
	{
		Ref			r;
		int64_t    *planned = load_copy(m, except);

		ref_load(m, planned, o, &r);
		CHECK(r.finish != SC_NO_DAY && (int64_t) r.finish + buffer <= d);
	}
	else
		check_replan(m, b, sorted, n, o, true, NULL, false);
	return d;
}

/* ------------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------------
 */

/* greedy insertion of x on a lazy board and on a full one: the same, and the reference's */
static void
greedy_both(Model *m, ScBoard *lazy, ScBoard *full, Ord *x, const Ord *except)
{
	ScOrder		copy = x->o;
	int64_t    *planned = load_copy(m, except);
	Ref			r;

	sc_load_order(lazy, &x->o);
	apply_current(m, full, except);
	sc_load_order(full, &copy);
	ref_load(m, planned, &copy, &r);
	check_same(full, &copy, &r);
	check_order(m, full, &copy);
	check_board(m, full, planned);
	check_alike(lazy, &x->o, full, &copy);
}

/* rule 6: an INSERT (with a promise, or without one when 'negotiable') */
static void
op_insert(Model *m, Src *s, bool quote)
{
	Ord		   *x = &m->ord[m->n];
	ScOrder    *sorted[MAXORD + 1];
	ScOrder    *broken;
	ScBoard		lazy,
				full;
	bool		negotiable,
				greedy;
	int			n;
	ScDay		d;

	if (m->n == MAXORD)
		return;
	decode_order(s, m, x, m->n);
	negotiable = u8(s) & 1;
	m->junk = u8(s) & 1;
	if (quote)
	{
		/* quote(): no key, after every order of its date, no promise yet */
		x->o.key = NULL;
		x->o.keyprefix = 0;
		x->o.steps_done = 0;
		x->o.done_day = SC_NO_DAY;
		x->o.seq = INT64_MAX;
		x->o.promised = SC_NO_DAY;
		x->o.past_minutes = NULL;
		x->o.past_last = NULL;
	}
	board_lazy(m, &lazy);
	board_full(m, &full);
	n = sorted_orders(m, sorted, NULL);

	if (!quote)
	{
		greedy_both(m, &lazy, &full, x, NULL);
		if (x->o.backed)
		{
			commit(m, x, &lazy);
			m->n++;
			goto done;
		}
		if (sc_replan(&full, sorted, n, &x->o, true, &broken))
		{
			check_replan(m, &full, sorted, n, &x->o, true, broken, true);
			commit_all(m, &full, sorted, n, x);
			m->n++;
			goto done;
		}
		check_replan(m, &full, sorted, n, &x->o, false, broken, true);
	}

	d = search(m, &full, sorted, n, x, quote ? SC_NO_DAY : x->o.promised, NULL, &greedy);
	if (negotiable && d != SC_NO_DAY)
	{
		if (quote)
			x->o.seq = 1000000 + m->n;	/* the hold's number: still last on its date */
		if (greedy)
		{
			apply_current(m, &full, NULL);
			x->o.promised = d;
			sc_load_order(&full, &x->o);
			CHECK(x->o.backed);
			commit(m, x, &full);
		}
		else
			commit_all(m, &full, sorted, n, x);
		m->n++;
	}
done:
	check_load(m);
	board_free(&lazy);
	board_free(&full);
}

static Ord *
pick_live(Model *m, Src *s, bool keyed)
{
	int			live[MAXORD];
	int			n = 0;

	for (int i = 0; i < m->n; i++)
		if (m->ord[i].live && (!keyed || m->ord[i].o.key))
			live[n++] = i;
	return n ? &m->ord[live[pick(s, n)]] : NULL;
}

/*
 * An UPDATE of qty, promise or not_before, as promise.c plans it: the old
 * plan comes off a lazy board, the new one goes on greedily; else a replan
 * without the old plan; else refused, the old plan kept.
 */
static void
op_update(Model *m, Src *s)
{
	Ord		   *x = pick_live(m, s, true);
	Ord			old;
	ScOrder    *sorted[MAXORD + 1];
	ScOrder    *broken;
	ScBoard		lazy,
				full;
	int			n;
	unsigned	what;

	if (x == NULL)
		return;
	old = *x;
	what = u8(s);
	if (what & 1)
		x->o.promised = decode_day(s, &m->p, 10, 40);
	if (what & 2)
		for (int k = 0; k < x->o.routing->nsteps; k++)
			x->work[k] = (x->work[k] / 2) * (1 + pick(s, 4));
	if (what & 4)
		x->o.not_before = pick(s, 2) ? decode_day(s, &m->p, 5, 5) : SC_NO_DAY;
	/*
	 * Taking the old plan off subtracts from what fill read: that is exact
	 * only when fill read the day exactly, which sc_load_reader_fill() does
	 * for every day an order of the committed schedule holds.
	 */
	m->junk = false;

	board_lazy(m, &lazy);
	board_full(m, &full);
	{
		/* with a day of history and one past a (since lowered) horizon: both ignored */
		ScAlloc    *a = xalloc(sizeof(ScAlloc) * (old.nalloc + 2), false);
		int32_t		r = x->o.routing->steps[0].res;

		a[0] = (ScAlloc) {0, r, m->p.today - 1, 480};
		a[1] = (ScAlloc) {0, r, m->p.today + m->p.horizon + 1, 480};
		memcpy(a + 2, old.alloc, sizeof(ScAlloc) * old.nalloc);
		sc_board_apply(&lazy, a, old.nalloc + 2, -1);
	}
	greedy_both(m, &lazy, &full, x, x);
	if (x->o.backed)
	{
		commit(m, x, &lazy);
		goto done;
	}
	n = sorted_orders(m, sorted, x);
	{
		bool		ok = sc_replan(&full, sorted, n, &x->o, true, &broken);

		check_replan(m, &full, sorted, n, &x->o, ok, broken, true);
		if (ok)
		{
			commit_all(m, &full, sorted, n, x);
			goto done;
		}
	}
	/* refused: SC001 reports the earliest date; the old plan stays */
	{
		bool		greedy;

		(void) search(m, &full, sorted, n, x, x->o.promised, x, &greedy);
	}
	*x = old;
	x->o.work = x->work;
	if (x->o.past_minutes)
	{
		x->o.past_minutes = x->past;
		x->o.past_last = x->past_last;
	}
	if (x->o.key)
		x->o.key = x->key;
done:
	check_load(m);
	board_free(&lazy);
	board_free(&full);
}

/* status done or cancelled, or DELETE: every allocation released */
static void
op_delete(Model *m, Src *s)
{
	Ord		   *x = pick_live(m, s, false);

	if (x == NULL)
		return;
	uncommit(m, x);
	x->live = false;
	check_load(m);
}

/* replan(): everything again in rule 7's order, committed when acceptable */
static void
op_replan(Model *m)
{
	ScOrder    *sorted[MAXORD + 1];
	ScOrder    *broken;
	ScBoard		full;
	int			n = sorted_orders(m, sorted, NULL);
	bool		ok;

	board_full(m, &full);
	ok = sc_replan(&full, sorted, n, NULL, false, &broken);
	check_replan(m, &full, sorted, n, NULL, ok, broken, false);
	if (ok)
		commit_all(m, &full, sorted, n, NULL);
	board_free(&full);
}

/*
 * A capacity change, as sc_check_plan_fits() handles it: nothing moves when
 * the plan still fits; else the orders on overloaded days are loaded again
 * around the rest; else a full replan; else forced (orders at risk) or
 * refused (the change undone).
 */
static void
op_capacity(Model *m, Src *s)
{
	int			r = pick(s, m->p.nres);
	ScResource *res = &m->p.res[r];
	bool		forced = u8(s) & 1;
	bool		affected[MAXORD] = {false};
	bool		any = false,
				ok = true;
	ScOrder    *sorted[MAXORD + 1];
	ScOrder    *broken;
	ScBoard		full;
	int64_t    *planned;
	int			n;

	if (res->nchanges == MAXCHG)
		return;
	decode_change(s, &m->p, &m->p.chg[r][res->nchanges++]);
	model_caps(m);
	for (int i = 0; i < m->n; i++)
	{
		Ord		   *x = &m->ord[i];

		for (int k = 0; x->live && k < x->nalloc; k++)
		{
			int32_t		j = x->alloc[k].res * m->ndays + x->alloc[k].day - m->p.today;

			if (m->p.res[x->alloc[k].res].finite && m->load[j] > m->cap[j])
				affected[i] = true;
		}
		any |= affected[i];
	}
	if (!any)
	{
		check_load(m);
		return;
	}

	/* repair: the affected orders again, in rule 7's order, around the rest */
	board_full(m, &full);
	n = sorted_orders(m, sorted, NULL);
	planned = load_copy(m, NULL);
	sc_board_clear(&full);
	for (int i = 0; i < m->n; i++)
	{
		Ord		   *x = &m->ord[i];

		if (!x->live)
			continue;
		if (affected[i])
			for (int k = 0; k < x->nalloc; k++)
				planned[x->alloc[k].res * m->ndays + x->alloc[k].day - m->p.today] -= x->alloc[k].minutes;
		else
			sc_board_apply(&full, x->alloc, x->nalloc, +1);
	}
	for (int i = 0; i < n; i++)
	{
		Ord		   *x = (Ord *) sorted[i];
		Ref			ref;

		if (!affected[x - m->ord])
			continue;
		if (!sc_load_order(&full, &x->o) && x->o.backed_before)
			ok = false;
		ref_load(m, planned, &x->o, &ref);
		check_same(&full, &x->o, &ref);
		check_order(m, &full, &x->o);
	}
	check_board(m, &full, planned);
	if (ok)
	{
		for (int i = 0; i < n; i++)
			if (affected[(Ord *) sorted[i] - m->ord])
				commit(m, (Ord *) sorted[i], &full);
		check_load(m);
		board_free(&full);
		return;
	}

	ok = sc_replan(&full, sorted, n, NULL, false, &broken);
	check_replan(m, &full, sorted, n, NULL, ok, broken, false);
	if (ok || forced)
	{
		/* forced: what cannot be kept stays planned as well as it can, at risk */
		for (int i = 0; i < n; i++)
			if (sorted[i]->backed_before && !sorted[i]->backed)
				sorted[i]->at_risk = true;
		commit_all(m, &full, sorted, n, NULL);
	}
	else
	{
		res->nchanges--;
		model_caps(m);
	}
	check_load(m);
	board_free(&full);
}

/* sc_capacity_range() and sc_capacity() on any stretch of days, before today too */
static void
op_capacity_range(Model *m, Src *s)
{
	const ScResource *r = &m->p.res[pick(s, m->p.nres)];
	ScDay		from = decode_day(s, &m->p, 60, 60);
	int			n = 1 + pick(s, 100);
	int64_t		out[100];

	if (from > DATE_MAX - n)
		from = DATE_MAX - n;
	sc_capacity_range(r, from, n, out);
	for (int i = 0; i < n; i++)
		CHECK(out[i] == ref_cap(r, from + i));
	CHECK(sc_capacity(r, from + n - 1) == out[n - 1]);
	CHECK(sc_isodow(from + 1) == sc_isodow(from) % 7 + 1);
}

/* sc_sort_orders() on enough orders to take its bucket path, ties of promise and key included */
static void
op_sort(Model *m, Src *s)
{
	static const char *keys[] = {"A", "AB", "B", "b", "O-10", "O-9", "\xc3\xa9", "ORDER-0001", "ORDER-0002",
	"ORDER-00", "\xff\xff\xff\xff\xff\xff\xff\xff", "\xff\xff\xff\xff\xff\xff\xff\xff\x01", NULL};
	static const int64_t spans[] = {1, 3, 40, 400, 5000000};
	int			n = 1 + (int) u8(s) + (u8(s) & 1 ? 64 : 0);
	int64_t		span = spans[pick(s, NELEM(spans))];
	ScOrder    *o = xalloc(sizeof(ScOrder) * n, true);
	ScOrder   **p = xalloc(sizeof(ScOrder *) * n, false);
	bool	   *seen = xalloc(n, true);

	for (int i = 0; i < n; i++)
	{
		o[i].promised = MON + (ScDay) (next_rand(m) % span);
		o[i].key = keys[next_rand(m) % NELEM(keys)];
		o[i].keyprefix = o[i].key && next_rand(m) % 2 ? sc_key_prefix(o[i].key) : 0;
		o[i].at_risk = next_rand(m) % 5 == 0;
		o[i].seq = next_rand(m) % 4;
		p[i] = &o[i];
	}
	sc_sort_orders(p, n);
	for (int i = 0; i < n; i++)
	{
		CHECK(p[i] >= o && p[i] < o + n && !seen[p[i] - o]);
		seen[p[i] - o] = true;
		if (i > 0)
			CHECK(ref_cmp(p[i - 1], p[i]) <= 0);
	}
}

/*
 * sc_unload_order() must leave a full board as it found it: load an order
 * that is not committed, take it off, and load another one against the
 * reference of the committed schedule alone.
 */
static void
op_unload(Model *m, Src *s)
{
	Ord		   *x = &m->ord[m->n];
	Ord			y;
	ScBoard		full;
	int64_t    *planned = load_copy(m, NULL);
	Ref			r;

	decode_order(s, m, x, m->n);
	decode_order(s, m, &y, m->n + 1);
	board_full(m, &full);
	apply_current(m, &full, NULL);
	sc_load_order(&full, &x->o);
	sc_unload_order(&full, &x->o);
	CHECK(x->o.nalloc == 0);
	check_board(m, &full, planned);
	sc_load_order(&full, &y.o);
	ref_load(m, planned, &y.o, &r);
	check_same(&full, &y.o, &r);
	check_board(m, &full, planned);
	board_free(&full);
}

/* sc_board_planned() on a lazy board reads what is committed */
static void
op_planned(Model *m, Src *s)
{
	ScBoard		lazy;
	int			r = pick(s, m->p.nres);
	ScDay		d = decode_day(s, &m->p, 3, 3);

	m->junk = false;
	board_lazy(m, &lazy);
	if (d < m->p.today || d > m->p.today + m->p.horizon)
		CHECK(sc_board_planned(&lazy, r, d) == 0);
	else
		CHECK(sc_board_planned(&lazy, r, d) == m->load[r * m->ndays + d - m->p.today]);
	board_free(&lazy);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Src			s = {data, size};
	Model	   *m = xalloc(sizeof(Model), true);
	int			n0;

	decode_plant(&s, &m->p);
	m->ndays = m->p.horizon + 1;
	m->cap = xalloc(sizeof(int64_t) * m->p.nres * m->ndays, false);
	m->load = xalloc(sizeof(int64_t) * m->p.nres * m->ndays, true);
	model_caps(m);
	m->rng = u16(&s);

	/* the orders already there: planned by a first replan, whatever it backs */
	n0 = pick(&s, MAXORD / 2 + 1);
	for (m->n = 0; m->n < n0; m->n++)
	{
		decode_order(&s, m, &m->ord[m->n], m->n);
		m->ord[m->n].live = true;
	}
	op_replan(m);

	for (int op = 0; op < MAXOPS && s.n > 0; op++)
	{
		switch (u8(&s) % 10)
		{
			case 0:
			case 1:
				op_insert(m, &s, false);
				break;
			case 2:
				op_insert(m, &s, true);
				break;
			case 3:
				op_update(m, &s);
				break;
			case 4:
				op_delete(m, &s);
				break;
			case 5:
				op_replan(m);
				break;
			case 6:
				op_capacity(m, &s);
				break;
			case 7:
				op_capacity_range(m, &s);
				break;
			case 8:
				op_sort(m, &s);
				break;
			case 9:
				if (u8(&s) & 1)
					op_unload(m, &s);
				else
					op_planned(m, &s);
				break;
		}
	}
	pool_release();
	return 0;
}

#ifdef SC_FUZZ_REPLAY
/*
 * make test's unit suite: every file of test/fuzz/corpus (one TAP line for
 * the lot) and of test/fuzz/regress (one line each: the inputs that once
 * found something, named for it).
 */
static bool
replay_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *buf;
	long		len;
	jmp_buf		jb;
	bool		ok = true;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0)
	{
		fprintf(stderr, "plan_fuzz: cannot read %s\n", path);
		if (f)
			fclose(f);
		return false;
	}
	rewind(f);
	buf = malloc(len ? len : 1);
	if (buf == NULL || fread(buf, 1, len, f) != (size_t) len)
	{
		fprintf(stderr, "plan_fuzz: cannot read %s\n", path);
		fclose(f);
		free(buf);
		return false;
	}
	fclose(f);
	fail_jmp = &jb;
	if (setjmp(jb) == 0)
		LLVMFuzzerTestOneInput(buf, len);
	else
	{
		fprintf(stderr, "plan_fuzz: ... replaying %s\n", path);
		pool_release();
		ok = false;
	}
	fail_jmp = NULL;
	free(buf);
	return ok;
}

static int	ntest = 0;
static int	nfail = 0;

static void
tap(bool ok, const char *what)
{
	ntest++;
	nfail += !ok;
	printf("%sok %d - %s\n", ok ? "" : "not ", ntest, what);
	fflush(stdout);
}

static int
regular(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int
main(int argc, char **argv)
{
	const char *corpus = argc > 1 ? argv[1] : "test/fuzz/corpus";
	const char *regress = argc > 2 ? argv[2] : "test/fuzz/regress";
	struct dirent **names;
	int			n,
				bad = 0;
	char		path[4096],
				what[4400];

	n = scandir(corpus, &names, regular, alphasort);
	for (int i = 0; i < n; i++)
	{
		snprintf(path, sizeof(path), "%s/%s", corpus, names[i]->d_name);
		bad += !replay_file(path);
		free(names[i]);
	}
	snprintf(what, sizeof(what), "fuzz corpus: %d inputs of %s replayed, %d broke a check",
			 n < 0 ? 0 : n, corpus, bad);
	tap(n > 0 && bad == 0, what);
	if (n >= 0)
		free(names);

	n = scandir(regress, &names, regular, alphasort);
	for (int i = 0; i < n; i++)
	{
		snprintf(path, sizeof(path), "%s/%s", regress, names[i]->d_name);
		snprintf(what, sizeof(what), "fuzz regression %s", names[i]->d_name);
		tap(replay_file(path), what);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
#endif							/* SC_FUZZ_REPLAY */
