/*
 * plant.c
 *		Master data (calendars, resources, products, routings, capacity
 *		changes) read into the engine's structures, cached per backend.
 *
 * Every guarded INSERT needs the capacity and routing of a few resources;
 * reading seven tables for that each time would cost more than the check.
 * So the plant is read once and kept in CacheMemoryContext.  The master-data
 * trigger (masterdata.c) invalidates the relcache entry of the table it
 * changes; every backend's relcache callback then drops its plant, and the
 * next user rebuilds it.  Writers of the schedule take the resource locks
 * first and call AcceptInvalidationMessages() after, so a change committed
 * under those locks is always seen.
 *
 * The plant is read with the latest snapshot, not the transaction's: under
 * REPEATABLE READ a stale plant could let an order use capacity that a
 * committed change has already removed.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rangetypes.h"
#include "utils/snapmgr.h"

#include "plant.h"
#include "query.h"

static ScPlant *plant_cache = NULL;
static MemoryContext plant_cxt = NULL;
static uint64 plant_generation = 0;

/* the master-data tables whose relcache invalidation drops the plant */
static const char *const master_tables[] = {
	"calendar", "calendar_window", "calendar_holiday", "resource",
	"product", "routing", "capacity_change"
};
#define NMASTER lengthof(master_tables)
static Oid	master_oids[NMASTER];

static void
plant_relcache_callback(Datum arg, Oid relid)
{
	if (plant_cache == NULL)
		return;
	if (relid == InvalidOid)
	{
		plant_cache = NULL;
		return;
	}
	for (int i = 0; i < (int) NMASTER; i++)
		if (master_oids[i] == relid)
		{
			plant_cache = NULL;
			return;
		}
}

void
sc_plant_init(void)
{
	CacheRegisterRelcacheCallback(plant_relcache_callback, (Datum) 0);
}

void
sc_plant_invalidate(void)
{
	plant_cache = NULL;
}

/* Run a read-only query against the latest snapshot; results land in SPI's tuptable. */
static void
spi_latest(const char *sql, MemoryContext back)
{
	sc_spi_select(sql, GetLatestSnapshot());
	/* SPI leaves us in its own context; results are copied where the caller builds */
	MemoryContextSwitchTo(back);
}

static inline Datum
col(int row, int attno, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, attno, isnull);
}

static char *
col_text(int row, int attno)
{
	bool		isnull;
	Datum		d = col(row, attno, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* the first row after 'i' whose text column 'attno' differs: rows are ordered by it */
static uint64
group_end(uint64 i, int attno)
{
	const char *code = col_text(i, attno);
	uint64		j;

	for (j = i + 1; j < SPI_processed; j++)
		if (strcmp(col_text(j, attno), code) != 0)
			break;
	return j;
}

static int
find_code(const char *const *codes, size_t stride, int n, const char *code)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const char *c = *(const char *const *) ((const char *) codes + stride * mid);
		int			r = strcmp(c, code);

		if (r == 0)
			return mid;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int
sc_plant_resource(const ScPlant *plant, const char *code)
{
	return find_code(&plant->res[0].code, sizeof(ScResource), plant->nres, code);
}

const ScProduct *
sc_plant_product(const ScPlant *plant, const char *code)
{
	int			i = find_code(&plant->prod[0].code, sizeof(ScProduct), plant->nprod, code);

	return i < 0 ? NULL : &plant->prod[i];
}

const ScProduct *
sc_plant_product_for_order(const ScPlant *plant, const char *code)
{
	const ScProduct *p = sc_plant_product(plant, code);

	if (p == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SC_UNKNOWN),
				 errmsg("unknown product \"%s\"", code),
				 errdetail("Product \"%s\" is not in sacrosanct.product.", code),
				 errhint("Add the product and its routing first, or correct the product code.")));
	if (p->routing.nsteps == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SC_UNKNOWN),
				 errmsg("product \"%s\" has no routing", code),
				 errdetail("sacrosanct.routing has no step for product \"%s\", so no date can be backed.", code),
				 errhint("Add the steps that make the product to sacrosanct.routing.")));
	return p;
}

/* minutes of a time of day (the CHECK constraints make it whole minutes) */
static int32
time_minutes(TimeADT t)
{
	return (int32) (t / USECS_PER_MINUTE);
}

/* minutes a window works on its start day (an overnight window counts there whole) */
static int32
window_minutes(TimeADT starts, TimeADT ends)
{
	int32		s = time_minutes(starts),
				e = time_minutes(ends);

	return e > s ? e - s : 24 * 60 - s + e;
}

static void
read_calendars(ScPlant *plant, MemoryContext cxt)
{
	spi_latest("SELECT code FROM sacrosanct.calendar ORDER BY code", cxt);
	plant->ncal = (int) SPI_processed;
	plant->cal_code = palloc0(sizeof(char *) * (plant->ncal + 1));
	plant->cal = palloc0(sizeof(ScCalendar) * (plant->ncal + 1));
	for (int i = 0; i < plant->ncal; i++)
	{
		MemoryContextSwitchTo(cxt);
		plant->cal_code[i] = col_text(i, 1);
	}

	spi_latest("SELECT calendar, isodow, starts, ends FROM sacrosanct.calendar_window", cxt);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		char	   *code;
		int			c,
					dow;

		MemoryContextSwitchTo(cxt);
		code = col_text(i, 1);
		c = find_code(plant->cal_code, sizeof(char *), plant->ncal, code);
		dow = DatumGetInt32(col(i, 2, &isnull));
		if (c < 0 || dow < 1 || dow > 7)
			continue;
		plant->cal[c].week[dow] += window_minutes(DatumGetTimeADT(col(i, 3, &isnull)),
												  DatumGetTimeADT(col(i, 4, &isnull)));
	}

	spi_latest("SELECT calendar, day FROM sacrosanct.calendar_holiday ORDER BY calendar, day", cxt);
	for (uint64 i = 0, j; i < SPI_processed; i = j)
	{
		char	   *code;
		int			c;
		bool		isnull;

		MemoryContextSwitchTo(cxt);
		code = col_text(i, 1);
		j = group_end(i, 1);
		c = find_code(plant->cal_code, sizeof(char *), plant->ncal, code);
		if (c >= 0)
		{
			ScDay	   *days = palloc(sizeof(ScDay) * (j - i));

			for (uint64 k = i; k < j; k++)
				days[k - i] = DatumGetDateADT(col(k, 2, &isnull));
			plant->cal[c].holidays = days;
			plant->cal[c].nholidays = (int) (j - i);
		}
	}
}

static void
read_resources(ScPlant *plant, MemoryContext cxt)
{
	spi_latest("SELECT code, units, finite, calendar FROM sacrosanct.resource ORDER BY code", cxt);
	plant->nres = (int) SPI_processed;
	plant->res = palloc0(sizeof(ScResource) * (plant->nres + 1));
	plant->lockkey = palloc0(sizeof(uint32) * (plant->nres + 1));
	for (int i = 0; i < plant->nres; i++)
	{
		bool		isnull;
		ScResource *r = &plant->res[i];
		int			c;

		MemoryContextSwitchTo(cxt);
		r->code = col_text(i, 1);
		r->units = DatumGetInt32(col(i, 2, &isnull));
		r->finite = DatumGetBool(col(i, 3, &isnull));
		c = find_code(plant->cal_code, sizeof(char *), plant->ncal, col_text(i, 4));
		/* the foreign key makes c valid; an empty calendar works no minutes */
		r->cal = c >= 0 ? &plant->cal[c] : &plant->cal[plant->ncal];
		plant->lockkey[i] = hash_bytes((const unsigned char *) r->code, strlen(r->code));
	}

	spi_latest("SELECT resource, pg_catalog.lower(days), pg_catalog.upper(days), minutes "
			   "FROM sacrosanct.capacity_change ORDER BY resource, 2, id", cxt);
	for (uint64 i = 0, j; i < SPI_processed; i = j)
	{
		char	   *code;
		int			r;
		bool		isnull;

		MemoryContextSwitchTo(cxt);
		code = col_text(i, 1);
		j = group_end(i, 1);
		r = sc_plant_resource(plant, code);
		if (r >= 0)
		{
			ScChange   *ch = palloc(sizeof(ScChange) * (j - i));

			for (uint64 k = i; k < j; k++)
			{
				ch[k - i].from = DatumGetDateADT(col(k, 2, &isnull));
				ch[k - i].upto = DatumGetDateADT(col(k, 3, &isnull));
				ch[k - i].minutes = DatumGetInt32(col(k, 4, &isnull));
			}
			plant->res[r].changes = ch;
			plant->res[r].nchanges = (int) (j - i);
		}
	}
}

static void
read_products(ScPlant *plant, MemoryContext cxt)
{
	spi_latest("SELECT code, buffer_days FROM sacrosanct.product ORDER BY code", cxt);
	plant->nprod = (int) SPI_processed;
	plant->prod = palloc0(sizeof(ScProduct) * (plant->nprod + 1));
	for (int i = 0; i < plant->nprod; i++)
	{
		bool		isnull;

		MemoryContextSwitchTo(cxt);
		plant->prod[i].code = col_text(i, 1);
		plant->prod[i].routing.buffer_days = DatumGetInt32(col(i, 2, &isnull));
	}

	spi_latest("SELECT product, step, resource, setup_minutes, run_minutes, lag_days "
			   "FROM sacrosanct.routing ORDER BY product, step", cxt);
	for (uint64 i = 0, j; i < SPI_processed; i = j)
	{
		char	   *code;
		int			p;

		MemoryContextSwitchTo(cxt);
		code = col_text(i, 1);
		j = group_end(i, 1);
		p = find_code(&plant->prod[0].code, sizeof(ScProduct), plant->nprod, code);
		if (p >= 0)
		{
			ScProduct  *prod = &plant->prod[p];
			int			n = (int) (j - i);
			ScStep	   *steps = palloc0(sizeof(ScStep) * n);

			prod->setup = palloc(sizeof(Numeric) * n);
			prod->run = palloc(sizeof(Numeric) * n);
			for (int k = 0; k < n; k++)
			{
				bool		isnull;

				steps[k].step_no = DatumGetInt32(col(i + k, 2, &isnull));
				steps[k].res = sc_plant_resource(plant, col_text(i + k, 3));
				prod->setup[k] = DatumGetNumericCopy(col(i + k, 4, &isnull));
				prod->run[k] = DatumGetNumericCopy(col(i + k, 5, &isnull));
				steps[k].lag_days = DatumGetInt32(col(i + k, 6, &isnull));
			}
			prod->routing.steps = steps;
			prod->routing.nsteps = n;
		}
	}
}

/* the master data as the engine sees it, read as the extension's owner (query.h) */
static ScPlant *
plant_build(void)
{
	MemoryContext cxt;
	MemoryContext old;
	ScPlant    *plant;
	Oid			nsp;
	ScOwner own;

	/* under the caller's context until complete, so an error frees it */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "sacrosanct plant",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	plant = palloc0(sizeof(ScPlant));

	nsp = get_namespace_oid("sacrosanct", false);
	for (int i = 0; i < (int) NMASTER; i++)
		master_oids[i] = get_relname_relid(master_tables[i], nsp);

	sc_owner_begin(&own);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	read_calendars(plant, cxt);
	read_resources(plant, cxt);
	read_products(plant, cxt);
	SPI_finish();
	sc_owner_end(&own);
	MemoryContextSwitchTo(old);

	/*
	 * An older plant may still be in use by a caller up the stack (a trigger
	 * fired from our own writes): retire it with the transaction instead of
	 * freeing it now.
	 */
	if (plant_cxt != NULL)
		MemoryContextSetParent(plant_cxt, TopTransactionContext);
	MemoryContextSetParent(cxt, CacheMemoryContext);
	plant_cxt = cxt;
	return plant;
}

ScPlant *
sc_plant(void)
{
	if (plant_cache == NULL)
	{
		plant_cache = plant_build();
		plant_generation++;
	}
	return plant_cache;
}

uint64
sc_plant_generation(void)
{
	return plant_cache ? plant_generation : 0;
}

void
sc_product_work(const ScProduct *p, Numeric qty, int64 *work)
{
	static Numeric limit = NULL;

	if (limit == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		/* 2^53 minutes: beyond any horizon, and exact in every client */
		limit = int64_to_numeric(INT64CONST(9007199254740992));
		MemoryContextSwitchTo(old);
	}

	for (int k = 0; k < p->routing.nsteps; k++)
	{
		Datum		w;

		w = DirectFunctionCall2(numeric_mul, NumericGetDatum(p->run[k]), NumericGetDatum(qty));
		w = DirectFunctionCall2(numeric_add, NumericGetDatum(p->setup[k]), w);
		w = DirectFunctionCall1(numeric_ceil, w);
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, w, NumericGetDatum(limit))) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("work of step %d of product \"%s\" is out of range",
							p->routing.steps[k].step_no, p->code),
					 errdetail("ceil(setup_minutes + run_minutes * qty) exceeds 2^53 minutes for qty %s.",
							   DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(qty)))),
					 errhint("Check the quantity and the routing's run_minutes.")));
		work[k] = DatumGetInt64(DirectFunctionCall1(numeric_int8, w));
	}
}

/*
 * Windows as minutes of the week, [start, start + len): an overnight window
 * runs into the next weekday, Sunday's into Monday's (the week wraps).
 */
void
sc_plant_check_windows(void)
{
	ScOwner own;

	sc_owner_begin(&own);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	spi_latest("SELECT a.calendar, a.isodow, a.starts, a.ends, b.isodow, b.starts, b.ends "
			   "FROM sacrosanct.calendar_window a JOIN sacrosanct.calendar_window b "
			   "  ON a.calendar OPERATOR(pg_catalog.=) b.calendar "
			   " AND (a.isodow OPERATOR(pg_catalog.<) b.isodow "
			   "      OR (a.isodow OPERATOR(pg_catalog.=) b.isodow "
			   "          AND a.starts OPERATOR(pg_catalog.<) b.starts)) "
			   "ORDER BY 1, 2, 3, 5, 6", CurrentMemoryContext);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int32		a0,
					alen,
					b0,
					blen;
		const int32 week = 7 * 24 * 60;
		bool		overlap;

		a0 = (DatumGetInt32(col(i, 2, &isnull)) - 1) * 24 * 60 +
			time_minutes(DatumGetTimeADT(col(i, 3, &isnull)));
		alen = window_minutes(DatumGetTimeADT(col(i, 3, &isnull)),
							  DatumGetTimeADT(col(i, 4, &isnull)));
		b0 = (DatumGetInt32(col(i, 5, &isnull)) - 1) * 24 * 60 +
			time_minutes(DatumGetTimeADT(col(i, 6, &isnull)));
		blen = window_minutes(DatumGetTimeADT(col(i, 6, &isnull)),
							  DatumGetTimeADT(col(i, 7, &isnull)));

		/* circular intervals overlap when either start lies inside the other */
		overlap = ((b0 - a0 + week) % week) < alen || ((a0 - b0 + week) % week) < blen;
		if (overlap)
		{
			static const char *const dayname[8] = {
				"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
			};
			char	   *cal = col_text(i, 1);
			char	   *w[2];

			for (int k = 0; k < 2; k++)
			{
				int			dow = DatumGetInt32(col(i, 2 + 3 * k, &isnull));
				int32		from = time_minutes(DatumGetTimeADT(col(i, 3 + 3 * k, &isnull)));
				int32		upto = time_minutes(DatumGetTimeADT(col(i, 4 + 3 * k, &isnull)));

				w[k] = psprintf("%s %02d:%02d-%02d:%02d", dayname[dow],
								from / 60, from % 60, upto / 60, upto % 60);
			}
			ereport(ERROR,
					(errcode(ERRCODE_EXCLUSION_VIOLATION),
					 errmsg("working windows of calendar \"%s\" overlap", cal),
					 errdetail("Window %s overlaps window %s.", w[0], w[1]),
					 errhint("Make the windows of a calendar disjoint; an overnight window also covers the start of the next day.")));
		}
	}
	SPI_finish();
	sc_owner_end(&own);
}
