/*
 * gantt.c
 *		sacrosanct.gantt(): the load per resource and day as text, for psql.
 *
 * One line per resource, one character per day, shaded by how much of the
 * day's capacity is planned; days over capacity and days where an order at
 * risk works are marked.  Days come in blocks of eight weeks (a week is
 * seven characters and a space), so that a block fits an 80-column
 * terminal; each block starts with a ruler: the date of each Monday, then
 * the weekday initials.  Without UTF8 on the client, the shades are ASCII.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/rangetypes.h"
#include "utils/snapmgr.h"

#include "demand.h"
#include "plant.h"

#define BLOCK_WEEKS	8
#define LABEL_MAX	12

typedef struct Glyphs
{
	const char *closed;			/* no capacity, nothing planned */
	const char *idle;			/* capacity, nothing planned */
	const char *shade[4];		/* planned: < 1/3, < 2/3, < 1, full */
	const char *over;			/* over capacity */
	const char *risk;			/* an order at risk works that day */
} Glyphs;

static const Glyphs utf8 = {" ", "\u00b7", {"\u2591", "\u2592", "\u2593", "\u2588"}, "!", "*"};
static const Glyphs plain = {" ", ".", {"-", "=", "#", "@"}, "!", "*"};

/* the days asked for: a bounded range, four weeks from today by default */
static void
day_range(FunctionCallInfo fcinfo, ScDay *from, ScDay *upto)
{
	RangeType  *r;
	RangeBound	lo,
				hi;
	bool		empty;

	*from = sc_today();
	*upto = *from + 28;
	if (PG_ARGISNULL(1))
		return;
	r = PG_GETARG_RANGE_P(1);
	range_deserialize(range_get_typcache(fcinfo, RangeTypeGetOid(r)), r, &lo, &hi, &empty);
	if (empty || lo.infinite || hi.infinite ||
		DATE_NOT_FINITE(DatumGetDateADT(lo.val)) || DATE_NOT_FINITE(DatumGetDateADT(hi.val)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days must be a bounded, non-empty range of dates"),
				 errhint("Give the days as '[first,after last)', such as '[2026-03-02,2026-04-27)'.")));
	*from = DatumGetDateADT(lo.val) + (lo.inclusive ? 0 : 1);
	*upto = DatumGetDateADT(hi.val) + (hi.inclusive ? 1 : 0);
	if (*upto - *from > 3660)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days must span at most 3660 days"),
				 errhint("Ask for a shorter range.")));
}

static void
emit(ReturnSetInfo *rsinfo, const char *line)
{
	Datum		v = CStringGetTextDatum(line);
	bool		n = false;

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &n);
}

static const char *
cell(const Glyphs *g, int64 cap, int64 planned, bool risk)
{
	if (planned > cap)
		return g->over;
	if (risk && planned > 0)
		return g->risk;
	if (planned == 0)
		return cap == 0 ? g->closed : g->idle;
	if (planned >= cap)
		return g->shade[3];
	return g->shade[planned * 3 < cap ? 0 : planned * 3 < 2 * cap ? 1 : 2];
}

PG_FUNCTION_INFO_V1(sacrosanct_gantt);
Datum
sacrosanct_gantt(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const Glyphs *g = pg_get_client_encoding() == PG_UTF8 ? &utf8 : &plain;
	ScPlant    *plant = sc_plant();
	ScDay		from,
				upto,
				start;
	int			ndays,
				only = -1,
				label = 8,
				n;
	int64	   *planned;
	bool	   *risk;
	ScDemand  **all;
	Snapshot	snap;
	StringInfoData line;

	day_range(fcinfo, &from, &upto);
	if (!PG_ARGISNULL(0))
	{
		char	   *code = text_to_cstring(PG_GETARG_TEXT_PP(0));

		only = sc_plant_resource(plant, code);
		if (only < 0)
			ereport(ERROR,
					(errcode(ERRCODE_SC_UNKNOWN),
					 errmsg("unknown resource \"%s\"", code),
					 errdetail("Resource \"%s\" is not in sacrosanct.resource.", code),
					 errhint("Check the resource code, or leave it out for every resource.")));
	}
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	/* planned minutes and at-risk work per resource and day of the range */
	ndays = upto - from;
	planned = palloc0(sizeof(int64) * plant->nres * ndays + 1);
	risk = palloc0(sizeof(bool) * plant->nres * ndays + 1);
	snap = RegisterSnapshot(GetTransactionSnapshot());
	all = sc_demand_all(snap, plant, &n);
	UnregisterSnapshot(snap);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < all[i]->nalloc; k++)
		{
			int			r = sc_demand_alloc_ridx(plant, all[i], k);
			int			d = all[i]->alloc_day[k] - from;

			if (r < 0 || d < 0 || d >= ndays)
				continue;
			planned[r * ndays + d] += all[i]->alloc_min[k];
			risk[r * ndays + d] |= all[i]->at_risk;
		}

	for (int r = 0; r < plant->nres; r++)
		if (only < 0 || r == only)
			label = Max(label, Min((int) strlen(plant->res[r].code), LABEL_MAX) + 1);

	emit(rsinfo, psprintf("load %s .. %s: %s free, %s%s%s%s planned, %s over capacity, %s at risk",
						  sc_day_text(from), sc_day_text(upto - 1), g->idle,
						  g->shade[0], g->shade[1], g->shade[2], g->shade[3], g->over, g->risk));
	initStringInfo(&line);

	/* blocks of whole weeks from the Monday on or before the first day */
	start = from - (sc_isodow(from) - 1);
	for (ScDay block = start; block < upto; block += 7 * BLOCK_WEEKS)
	{
		ScDay		block_end = Min(block + 7 * BLOCK_WEEKS, upto);

		/* the ruler: each Monday's date, then the weekday initials */
		resetStringInfo(&line);
		appendStringInfo(&line, "%-*s", label, "");
		for (ScDay w = block; w < block_end; w += 7)
			appendStringInfo(&line, "%-8s", sc_day_text(w) + 5);
		emit(rsinfo, line.data);
		resetStringInfo(&line);
		appendStringInfo(&line, "%-*s", label, "");
		for (ScDay d = block; d < block_end; d++)
			appendStringInfo(&line, "%s%c", (d - block) % 7 == 0 && d > block ? " " : "",
							 "MTWTFSS"[sc_isodow(d) - 1]);
		emit(rsinfo, line.data);

		for (int r = 0; r < plant->nres; r++)
		{
			const ScResource *res = &plant->res[r];

			if (only >= 0 && r != only)
				continue;
			CHECK_FOR_INTERRUPTS();
			resetStringInfo(&line);
			appendStringInfo(&line, "%-*.*s", label, LABEL_MAX, res->code);
			for (ScDay d = block; d < block_end; d++)
			{
				int			i = d - from;

				if ((d - block) % 7 == 0 && d > block)
					appendStringInfoChar(&line, ' ');
				if (i < 0)
					appendStringInfoChar(&line, ' ');	/* before the range */
				else
					appendStringInfoString(&line, cell(g, sc_capacity(res, d),
													   planned[r * ndays + i], risk[r * ndays + i]));
			}
			emit(rsinfo, line.data);
		}
	}
	return (Datum) 0;
}
