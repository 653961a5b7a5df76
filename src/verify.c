/*
 * verify.c
 *		sacrosanct.verify(): recompute capacity and promises from scratch
 *		and report every violation of the invariant (DESIGN.md §3.2).
 *
 * It trusts nothing the planner stored: loads are summed again from the
 * allocations, capacity is recomputed from the calendars, work from the
 * routings and quantities, and every guarded table is compared row by row
 * with the extension's record of it.  Stress, crash and restore tests
 * assert that it returns no rows.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/varlena.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "demand.h"
#include "guardmap.h"
#include "plant.h"
#include "query.h"

typedef struct Report
{
	ReturnSetInfo *rsinfo;
	int			n;
} Report;

static void
report(Report *r, const char *problem, const char *fmt,...) pg_attribute_printf(3, 4);

static void
report(Report *r, const char *problem, const char *fmt,...)
{
	StringInfoData detail;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	initStringInfo(&detail);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&detail, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&detail, needed);
	}
	values[0] = CStringGetTextDatum(problem);
	values[1] = CStringGetTextDatum(detail.data);
	tuplestore_putvalues(r->rsinfo->setResult, r->rsinfo->setDesc, values, nulls);
	r->n++;
}

static char *
val(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/* load rows against the sum of the allocations; finite days against capacity */
static void
verify_load(Report *r, ScPlant *plant, Snapshot snap, ScDay today)
{
	sc_spi_select("WITH a AS ("
			  "  SELECT d.step_resource[pg_catalog.array_position(d.step, s.step)] AS resource,"
			  "         s.day, pg_catalog.sum(s.minutes)::bigint AS minutes"
			  "    FROM sacrosanct.demand d,"
			  "         LATERAL ROWS FROM (pg_catalog.unnest(d.alloc_step), pg_catalog.unnest(d.alloc_day),"
			  "                            pg_catalog.unnest(d.alloc_minutes))"
			  "              AS s(step, day, minutes)"
			  "   GROUP BY 1, 2)"
			  " SELECT COALESCE(a.resource, l.resource), COALESCE(a.day, l.day),"
			  "        COALESCE(a.minutes, 0), COALESCE(l.planned, 0)"
			  "   FROM a FULL JOIN (SELECT * FROM sacrosanct.load"
			  "                      WHERE day OPERATOR(pg_catalog.<>) '-infinity') l"
			  "     ON l.resource OPERATOR(pg_catalog.=) a.resource"
			  "    AND l.day OPERATOR(pg_catalog.=) a.day"
			  "  ORDER BY 1, 2", snap);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		char	   *res = val(i, 1);
		ScDay		day = DatumGetDateADT(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
		int64		alloc = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3, &isnull));
		int64		planned = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4, &isnull));
		int			ri;

		if (res == NULL)
		{
			report(r, "allocation without resource",
				   "an allocation on %s names a step its order does not have", sc_day_text(day));
			continue;
		}
		ri = sc_plant_resource(plant, res);
		/* only finite resources keep a load */
		if (ri >= 0 && !plant->res[ri].finite)
			alloc = 0;
		if (alloc != planned)
			report(r, "load mismatch",
				   "resource %s on %s: load says %lld minutes, allocations sum to %lld",
				   res, sc_day_text(day), (long long) planned, (long long) alloc);
		if (ri < 0)
		{
			if (alloc != 0)
				report(r, "unknown resource", "resource %s holds %lld minutes on %s but does not exist",
					   res, (long long) alloc, sc_day_text(day));
			continue;
		}
		if (plant->res[ri].finite && day >= today)
		{
			int64		cap = sc_capacity(&plant->res[ri], day);

			if (alloc > cap)
				report(r, "overload",
					   "resource %s on %s: %lld minutes planned, capacity %lld",
					   res, sc_day_text(day), (long long) alloc, (long long) cap);
		}
	}
}

/* does the record's step list match the product's routing? */
static bool
record_steps_match(const ScPlant *plant, const ScDemand *d, const ScProduct *prod)
{
	if (d->nsteps != prod->routing.nsteps)
		return false;
	for (int k = 0; k < d->nsteps; k++)
		if (d->step_no[k] != prod->routing.steps[k].step_no ||
			strcmp(d->step_res[k], plant->res[prod->routing.steps[k].res].code) != 0)
			return false;
	return true;
}

/* work per step, recomputed from the routing and the quantity */
static void
verify_work(Report *r, const ScDemand *d, const ScProduct *prod, const char *who)
{
	int64	   *work = palloc(sizeof(int64) * d->nsteps);

	sc_product_work(prod, d->qty, work);
	for (int k = 0; k < d->nsteps; k++)
		if (work[k] != d->work[k])
			report(r, "work mismatch", "%s step %d: planned for %lld minutes, routing says %lld",
				   who, d->step_no[k], (long long) d->work[k], (long long) work[k]);
}

/*
 * The allocations against the plan: all the work planned, nothing after the
 * planned finish, and, for what is still to be done, steps in order: a
 * step's minutes from today on come after the previous steps' last day plus
 * its lag.  (Minutes before today are history; a replan may finish an
 * earlier step's rest after them.)
 */
static void
verify_allocations(Report *r, const ScDemand *d, const ScProduct *prod, const char *who,
				   ScDay today)
{
	int64	   *sum = palloc0(sizeof(int64) * d->nsteps);
	ScDay	   *last = palloc(sizeof(ScDay) * d->nsteps);

	for (int k = 0; k < d->nsteps; k++)
		last[k] = SC_NO_DAY;
	for (int a = 0; a < d->nalloc; a++)
	{
		for (int k = 0; k < d->nsteps; k++)
			if (d->step_no[k] == d->alloc_step[a])
			{
				sum[k] += d->alloc_min[a];
				if (last[k] == SC_NO_DAY || d->alloc_day[a] > last[k])
					last[k] = d->alloc_day[a];
			}
		if (d->alloc_min[a] <= 0)
			report(r, "empty allocation", "%s has an allocation of %d minutes on %s",
				   who, d->alloc_min[a], sc_day_text(d->alloc_day[a]));
	}
	if (d->planned_finish == SC_NO_DAY)
		return;

	/* a complete step has no work left to plan: from the next one on */
	for (int k = d->steps_done; k < d->nsteps; k++)
	{
		if (sum[k] < d->work[k])
			report(r, "work not planned", "%s step %d: %lld of %lld minutes planned",
				   who, d->step_no[k], (long long) sum[k], (long long) d->work[k]);
		if (last[k] != SC_NO_DAY && last[k] > d->planned_finish)
			report(r, "finish mismatch", "%s step %d works on %s, after its planned finish %s",
				   who, d->step_no[k], sc_day_text(last[k]), sc_day_text(d->planned_finish));
	}
	for (int k = Max(1, d->steps_done); k < d->nsteps; k++)
	{
		ScDay		prev = SC_NO_DAY;
		ScDay		next = SC_NO_DAY;

		/* the first step after the complete ones follows their completion day */
		if (k == d->steps_done)
			prev = d->done_on;
		for (int j = k - 1; j >= 0 && prev == SC_NO_DAY; j--)
			prev = last[j];
		for (int a = 0; a < d->nalloc; a++)
			if (d->alloc_step[a] == d->step_no[k] && d->alloc_day[a] >= today &&
				(next == SC_NO_DAY || d->alloc_day[a] < next))
				next = d->alloc_day[a];
		if (prev != SC_NO_DAY && next != SC_NO_DAY &&
			next < prev + prod->routing.steps[k].lag_days)
			report(r, "step order", "%s step %d works on %s, before step %d ends (%s) plus its lag",
				   who, d->step_no[k], sc_day_text(next), d->step_no[k - 1],
				   sc_day_text(prev));
	}
	if (d->steps_done == d->nsteps)
	{
		if (d->planned_finish != d->done_on)
			report(r, "finish mismatch", "%s: every step is complete, on %s, but its planned finish is %s",
				   who, sc_day_text(d->done_on), sc_day_text(d->planned_finish));
	}
	else if (last[d->nsteps - 1] != SC_NO_DAY && d->work[d->nsteps - 1] > 0 &&
			 last[d->nsteps - 1] != d->planned_finish)
		report(r, "finish mismatch", "%s: planned finish %s, its last step ends on %s",
			   who, sc_day_text(d->planned_finish), sc_day_text(last[d->nsteps - 1]));
}

/*
 * The promise: an open order is backed, late (promised before today), or
 * at risk (and then has an open renegotiation: verify_at_risk()).
 */
static void
verify_promise(Report *r, const ScDemand *d, const ScProduct *prod, ScDay today)
{
	bool		backed;

	if (d->order_key == NULL || d->promised < today)
		return;
	backed = d->steps_done == d->nsteps ||
		(d->planned_finish != SC_NO_DAY &&
		 d->planned_finish + prod->routing.buffer_days <= d->promised);
	if (backed && !d->backed)
		report(r, "stale backed flag", "order %s is backed but recorded as not", d->order_key);
	if (!backed && !d->at_risk)
		report(r, "unbacked promise", "order %s promised %s: planned finish %s plus %d buffer days",
			   d->order_key, sc_day_text(d->promised), sc_day_text(d->planned_finish),
			   prod->routing.buffer_days);
}

/*
 * At risk and renegotiating go together: every order at risk has exactly
 * one open renegotiation, every open renegotiation an order at risk, and
 * sacrosanct.orders.at_risk says what the record says.
 */
static void
verify_at_risk(Report *r, Snapshot snap)
{
	sc_spi_select("SELECT d.order_key, d.source::pg_catalog.regclass::pg_catalog.text"
				  "  FROM sacrosanct.demand d"
				  " WHERE d.at_risk AND NOT EXISTS (SELECT FROM sacrosanct.renegotiation n"
				  "        WHERE n.status OPERATOR(pg_catalog.=) 'open'"
				  "          AND n.order_key OPERATOR(pg_catalog.=) d.order_key"
				  "          AND n.source OPERATOR(pg_catalog.=) d.source)"
				  " ORDER BY 1, 2", snap);
	for (uint64 i = 0; i < SPI_processed; i++)
		report(r, "at risk without renegotiation", "order %s of %s is at risk, but no renegotiation is open",
			   val(i, 1), val(i, 2));
	sc_spi_select("SELECT n.id, n.order_key, n.source::pg_catalog.regclass::pg_catalog.text"
				  "  FROM sacrosanct.renegotiation n"
				  " WHERE n.status OPERATOR(pg_catalog.=) 'open'"
				  "   AND NOT EXISTS (SELECT FROM sacrosanct.demand d"
				  "        WHERE d.at_risk AND d.order_key OPERATOR(pg_catalog.=) n.order_key"
				  "          AND d.source OPERATOR(pg_catalog.=) n.source)"
				  " ORDER BY 1", snap);
	for (uint64 i = 0; i < SPI_processed; i++)
		report(r, "stale renegotiation", "renegotiation %s of order %s of %s is open, but the order is not at risk",
			   val(i, 1), val(i, 2), val(i, 3));
	sc_spi_select("SELECT o.order_key FROM sacrosanct.orders o"
				  "  JOIN sacrosanct.demand d ON d.order_key OPERATOR(pg_catalog.=) o.order_key"
				  "   AND d.source OPERATOR(pg_catalog.=) 'sacrosanct.orders'::pg_catalog.regclass"
				  " WHERE o.at_risk OPERATOR(pg_catalog.<>) d.at_risk"
				  " ORDER BY 1", snap);
	for (uint64 i = 0; i < SPI_processed; i++)
		report(r, "at_risk differs", "order %s: sacrosanct.orders.at_risk disagrees with its record",
			   val(i, 1));
}

/* each record: its routing, its work, its allocations, its promise */
static void
verify_records(Report *r, ScPlant *plant, Snapshot snap, ScDay today)
{
	int			n;
	ScDemand  **all = sc_demand_all(snap, plant, &n);

	for (int i = 0; i < n; i++)
	{
		ScDemand   *d = all[i];
		const char *who = d->order_key ? d->order_key : psprintf("quote hold %lld", (long long) d->id);
		const ScProduct *prod = sc_plant_product(plant, d->product);

		if (prod == NULL || prod->routing.nsteps == 0)
		{
			report(r, "unknown product", "%s needs product %s, which has no routing", who, d->product);
			continue;
		}
		if (!record_steps_match(plant, d, prod))
		{
			report(r, "routing mismatch", "%s is planned with steps that differ from product %s's routing",
				   who, d->product);
			continue;
		}
		verify_work(r, d, prod, who);
		verify_allocations(r, d, prod, who, today);
		verify_promise(r, d, prod, today);
	}
}

/* A guarded table: its relation and the column map of its guard. */
typedef struct Guarded
{
	Oid			relid;
	ScGuardArgs args;
} Guarded;

/* every table with a guard, from the catalog; malformed guards are reported and skipped */
static Guarded *
guarded_tables(Report *r, Snapshot snap, int *n)
{
	Guarded    *g;

	sc_spi_select("SELECT t.tgrelid, t.tgname, t.tgnargs, t.tgargs,"
				  "       t.tgrelid::pg_catalog.regclass::pg_catalog.text"
				  "  FROM pg_catalog.pg_trigger t"
				  " WHERE t.tgfoid OPERATOR(pg_catalog.=)"
				  "       'sacrosanct.guard_after()'::pg_catalog.regprocedure"
				  " ORDER BY 1", snap);
	g = palloc(sizeof(Guarded) * (SPI_processed + 1));
	*n = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		int			nargs = DatumGetInt16(SPI_getbinval(tup, desc, 3, &isnull));
		bytea	   *bytes = DatumGetByteaPP(SPI_getbinval(tup, desc, 4, &isnull));

		if (nargs != G_NARGS)
		{
			report(r, "malformed guard", "trigger %s on %s has %d arguments, expected %d",
				   val(i, 2), val(i, 5), nargs, G_NARGS);
			continue;
		}
		g[*n].relid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		sc_guard_args_parse_bytes(nargs, VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes),
								  val(i, 2), &g[*n].args);
		(*n)++;
	}
	return g;
}

/* records whose table is not guarded any more */
static void
verify_orphans(Report *r, Snapshot snap, const Guarded *g, int n)
{
	StringInfoData q;

	initStringInfo(&q);
	appendStringInfoString(&q,
						   "SELECT order_key, source::pg_catalog.text FROM sacrosanct.demand"
						   " WHERE order_key IS NOT NULL AND source OPERATOR(pg_catalog.<>) ALL ('{");
	for (int i = 0; i < n; i++)
		appendStringInfo(&q, "%s%u", i ? "," : "", g[i].relid);
	appendStringInfoString(&q, "}'::pg_catalog.oid[])");
	sc_spi_select(q.data, snap);
	for (uint64 i = 0; i < SPI_processed; i++)
		report(r, "orphan plan", "order %s is planned for %s, which is not guarded",
			   val(i, 1), val(i, 2));
}

/* a date column of a guarded table as a plant-local date, or NULL when unmapped */
static void
append_day(StringInfo q, const char *col)
{
	if (col[0] == '\0')
	{
		appendStringInfoString(q, "NULL::pg_catalog.date");
		return;
	}
	appendStringInfo(q,
					 "CASE WHEN pg_catalog.pg_typeof(%s) OPERATOR(pg_catalog.=) 'timestamp with time zone'::pg_catalog.regtype"
					 " THEN (%s::pg_catalog.timestamptz AT TIME ZONE %s)::pg_catalog.date"
					 " ELSE %s::pg_catalog.date END",
					 quote_identifier(col), quote_identifier(col), quote_literal_cstr(sc_timezone),
					 quote_identifier(col));
}

/* the open rows of a guarded table that disagree with the records, and the records without a row */
static char *
guarded_query(const Guarded *g)
{
	const ScGuardArgs *a = &g->args;
	StringInfoData q;

	initStringInfo(&q);
	appendStringInfo(&q,
					 "WITH t AS (SELECT %s::pg_catalog.text AS k, %s::pg_catalog.text AS p,"
					 " %s::pg_catalog.numeric AS q, ",
					 quote_identifier(a->col[G_KEY]), quote_identifier(a->col[G_PRODUCT]),
					 quote_identifier(a->col[G_QTY]));
	append_day(&q, a->col[G_PROMISED]);
	appendStringInfoString(&q, " AS pr, ");
	append_day(&q, a->col[G_NOT_BEFORE]);
	appendStringInfo(&q, " AS nb FROM %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(g->relid)),
												get_rel_name(g->relid)));
	if (a->col[G_STATUS][0] != '\0')
		appendStringInfo(&q, " WHERE %s IS NULL OR %s::pg_catalog.text OPERATOR(pg_catalog.<>) ALL (%s::pg_catalog.text[] OPERATOR(pg_catalog.||) %s::pg_catalog.text[])",
						 quote_identifier(a->col[G_STATUS]), quote_identifier(a->col[G_STATUS]),
						 quote_literal_cstr(sc_guard_values_literal(a->done, a->ndone)),
						 quote_literal_cstr(sc_guard_values_literal(a->cancelled, a->ncancelled)));
	appendStringInfo(&q,
					 "), d AS (SELECT * FROM sacrosanct.demand WHERE source OPERATOR(pg_catalog.=) %u)"
					 " SELECT COALESCE(t.k, d.order_key), t.k IS NULL, d.order_key IS NULL"
					 "   FROM t FULL JOIN d ON d.order_key OPERATOR(pg_catalog.=) t.k"
					 "  WHERE t.k IS NULL OR d.order_key IS NULL"
					 "     OR t.p IS DISTINCT FROM d.product OR t.q IS DISTINCT FROM d.qty"
					 "     OR t.pr IS DISTINCT FROM d.promised OR t.nb IS DISTINCT FROM d.not_before"
					 "  ORDER BY 1", g->relid);
	return q.data;
}

/* each guarded table against the records: every open row planned as it reads */
static void
verify_guarded(Report *r, Snapshot snap)
{
	int			n;
	Guarded    *g = guarded_tables(r, snap, &n);

	verify_orphans(r, snap, g, n);
	for (int i = 0; i < n; i++)
	{
		const char *tbl = quote_qualified_identifier(get_namespace_name(get_rel_namespace(g[i].relid)),
													 get_rel_name(g[i].relid));

		sc_spi_select(guarded_query(&g[i]), snap);
		for (uint64 j = 0; j < SPI_processed; j++)
		{
			bool		norow = strcmp(val(j, 2), "t") == 0;
			bool		norec = strcmp(val(j, 3), "t") == 0;

			report(r, norow ? "orphan plan" : norec ? "missing plan" : "plan differs from order",
				   norow ? "order %s of %s is planned but not open there"
				   : norec ? "open order %s of %s has no plan"
				   : "order %s of %s reads differently from its plan",
				   val(j, 1), tbl);
		}
	}
}

PG_FUNCTION_INFO_V1(sacrosanct_verify);
Datum
sacrosanct_verify(PG_FUNCTION_ARGS)
{
	Report		r;
	Snapshot	snap;
	ScPlant    *plant;
	ScDay		today = sc_today();

	InitMaterializedSRF(fcinfo, 0);
	r.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	r.n = 0;

	CommandCounterIncrement();
	plant = sc_plant();
	snap = RegisterSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	verify_load(&r, plant, snap, today);
	verify_guarded(&r, snap);
	verify_records(&r, plant, snap, today);
	verify_at_risk(&r, snap);
	SPI_finish();
	UnregisterSnapshot(snap);
	return (Datum) 0;
}
