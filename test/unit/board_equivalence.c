/*
 * board_equivalence.c: a lazy board (greedy insertion reading the schedule
 * through a fill callback, as the extension does) must place exactly what
 * a full board places, whatever the callback reads ahead or stops early.
 * Random plants and orders, fixed seeds; TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define NRES 4
#define HORIZON 60
#define NORDERS 40
#define ROUNDS 200

static unsigned long long rng;

static unsigned
next_rand(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned) (rng >> 33);
}

static int
rnd(int lo, int hi)
{
	return lo + (int) (next_rand() % (unsigned) (hi - lo + 1));
}

/* the "table" the lazy board reads: planned minutes per resource and day index */
static int64_t table[NRES][HORIZON + 1];
static ScDay today = 9557;		/* 2026-03-02 */

static int32_t
fill(void *arg, int res, ScDay from, ScDay upto, const int64_t *cap, int64_t *planned)
{
	int32_t		n = upto - from;
	int32_t		k;

	(void) arg;
	(void) cap;
	/* read a random number of days, at least one: the board must cope */
	k = 1 + (int32_t) (next_rand() % (unsigned) n);
	for (int32_t i = 0; i < k; i++)
		planned[i] = table[res][from - today + i];
	return k;
}

int
main(void)
{
	int			ntest = 0,
				nfail = 0;
	ScCalendar	cals[2] = {{{0, 480, 480, 480, 480, 480, 0, 0}, 0, NULL},
						   {{0, 960, 960, 960, 960, 720, 240, 0}, 0, NULL}};

	for (int round = 0; round < ROUNDS; round++)
	{
		ScResource	res[NRES];
		ScChange	changes[NRES][2];
		ScStep		steps[3][4];
		ScRouting	rt[3];
		int64_t		work[NORDERS][4];
		ScBoard		full,
					lazy;
		int			mismatches = 0;

		rng = 1000 + (unsigned long long) round;
		memset(table, 0, sizeof(table));
		for (int r = 0; r < NRES; r++)
		{
			changes[r][0].from = today + rnd(0, 20);
			changes[r][0].upto = changes[r][0].from + rnd(1, 5);
			changes[r][0].minutes = rnd(-900, 300);
			changes[r][1].from = today + rnd(0, 40);
			changes[r][1].upto = changes[r][1].from + 1;
			changes[r][1].minutes = -2000;
			res[r].code = "R";
			res[r].units = rnd(1, 3);
			res[r].finite = rnd(0, 4) > 0;
			res[r].cal = &cals[rnd(0, 1)];
			res[r].nchanges = 2;
			res[r].changes = changes[r];
		}
		for (int p = 0; p < 3; p++)
		{
			rt[p].buffer_days = rnd(0, 2);
			rt[p].nsteps = rnd(1, 4);
			rt[p].steps = steps[p];
			for (int k = 0; k < rt[p].nsteps; k++)
			{
				steps[p][k].step_no = k + 1;
				steps[p][k].res = rnd(0, NRES - 1);
				steps[p][k].lag_days = rnd(0, 2);
			}
		}

		sc_board_init(&full, today, HORIZON, NRES, res, NULL, NULL);
		sc_board_clear(&full);
		for (int i = 0; i < NORDERS; i++)
		{
			int			p = rnd(0, 2);
			ScOrder		a,
						b;

			for (int k = 0; k < 4; k++)
				work[i][k] = rnd(0, 6) == 0 ? 0 : rnd(1, 1500);
			memset(&a, 0, sizeof(a));
			a.key = "K";
			a.promised = today + rnd(0, HORIZON);
			a.not_before = rnd(0, 3) == 0 ? today + rnd(0, 30) : SC_NO_DAY;
			a.routing = &rt[p];
			a.work = work[i];
			b = a;

			/* the lazy board sees the committed schedule through the table */
			sc_board_init(&lazy, today, HORIZON, NRES, res, fill, NULL);
			sc_load_order(&full, &a);
			sc_load_order(&lazy, &b);

			if (a.finish != b.finish || a.backed != b.backed || a.nalloc != b.nalloc ||
				a.bottleneck != b.bottleneck)
				mismatches++;
			else
				for (int k = 0; k < a.nalloc; k++)
				{
					ScAlloc    *x = &full.allocs[a.alloc_off + k];
					ScAlloc    *y = &lazy.allocs[b.alloc_off + k];

					if (x->pos != y->pos || x->res != y->res || x->day != y->day ||
						x->minutes != y->minutes)
						mismatches++;
				}
			/* commit: the table is the full board's load */
			for (int k = 0; k < a.nalloc; k++)
			{
				ScAlloc    *x = &full.allocs[a.alloc_off + k];

				table[x->res][x->day - today] += x->minutes;
			}
		}
		/* the full board never loads a finite resource-day beyond capacity */
		for (int r = 0; r < NRES; r++)
			for (int d = 0; d <= HORIZON; d++)
				if (res[r].finite && table[r][d] > sc_capacity(&res[r], today + d))
					mismatches++;

		ntest++;
		if (mismatches)
			nfail++;
		printf("%sok %d - round %d: lazy and full boards place %d orders alike, within capacity\n",
			   mismatches ? "not " : "", ntest, round, NORDERS);
	}
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
