/*
 * search_scan.c: rule 9 beyond greedy insertion.  sc_search_earliest_scan()
 * must find exactly the first date that a replan (sc_replan) accepts, as a
 * scan of every date would, on random plants where the would-be order is
 * large, promises lie beyond the horizon, some orders are at risk and some
 * were never backed.  Fixed seeds; TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define ROUNDS 300
#define MAXORD 14

static unsigned long long rng = 42;

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

int
main(void)
{
	static const char *keys[] = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N"};
	ScCalendar	cal = {{0, 480, 480, 480, 480, 480, 0, 0}, 0, NULL};
	ScDay		today = 9557;	/* a Monday */
	int			nfail = 0,
				found = 0,
				none = 0;

	for (int round = 0; round < ROUNDS; round++)
	{
		ScResource	res[2] = {{"R1", 1, true, &cal, 0, NULL}, {"R2", rnd(1, 2), true, &cal, 0, NULL}};
		ScStep		steps[2] = {{1, 0, 0}, {2, 1, 0}};
		ScRouting	rt = {0, 2, steps};
		int			horizon = rnd(10, 30);
		int			n = rnd(2, MAXORD);
		ScOrder		ord[MAXORD],
					extra;
		ScOrder    *sorted[MAXORD];
		int64_t		work[MAXORD][2],
					xwork[2];
		ScBoard		b;
		ScDay		lo,
					hi,
					scan,
					linear = SC_NO_DAY;

		steps[1].lag_days = rnd(0, 2);
		rt.buffer_days = rnd(0, 2);
		for (int i = 0; i < n; i++)
		{
			memset(&ord[i], 0, sizeof(ScOrder));
			ord[i].key = keys[i];
			ord[i].promised = today + rnd(0, horizon + 15);
			ord[i].not_before = SC_NO_DAY;
			ord[i].routing = &rt;
			work[i][0] = rnd(60, 900);
			work[i][1] = rnd(0, 600);
			ord[i].work = work[i];
			ord[i].at_risk = rnd(0, 9) == 0;
			ord[i].backed_before = !ord[i].at_risk && rnd(0, 4) != 0;
			sorted[i] = &ord[i];
		}
		sc_sort_orders(sorted, n);
		memset(&extra, 0, sizeof(extra));
		extra.key = rnd(0, 1) ? "C5" : NULL;
		extra.seq = extra.key ? 0 : INT64_MAX;
		extra.not_before = rnd(0, 3) == 0 ? today + rnd(0, 5) : SC_NO_DAY;
		extra.routing = &rt;
		xwork[0] = rnd(480, 480 * 8);
		xwork[1] = rnd(0, 480 * 3);
		extra.work = xwork;

		sc_board_init(&b, today, horizon, 2, res, NULL, NULL);
		lo = today + rt.buffer_days;
		hi = today + horizon + 20;
		for (ScDay d = lo; d <= hi && linear == SC_NO_DAY; d++)
		{
			extra.promised = d;
			if (sc_replan(&b, sorted, n, &extra, true, NULL))
				linear = d;
		}
		scan = sc_search_earliest_scan(&b, sorted, n, &extra, lo, hi);
		if (scan != linear)
		{
			nfail++;
			printf("# round %d: scan %d, linear %d\n", round, scan, linear);
		}
		else if (scan != SC_NO_DAY && !(extra.promised == scan && extra.backed))
		{
			nfail++;
			printf("# round %d: the board does not hold the plan of %d\n", round, scan);
		}
		if (linear == SC_NO_DAY)
			none++;
		else
			found++;
	}
	printf("%sok 1 - the scan finds the first date a replan accepts, as a scan of every date does (%d rounds)\n",
		   nfail ? "not " : "", ROUNDS);
	printf("%sok 2 - the rounds cover dates found (%d) and none (%d)\n",
		   found > 20 && none > 20 ? "" : "not ", found, none);
	printf("1..2\n");
	return nfail ? 1 : 0;
}
