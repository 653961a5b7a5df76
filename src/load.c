/*
 * load.c
 *		Reading sacrosanct.load through the lane cache, and writing it.
 *
 * The guard reads a few index ranges of sacrosanct.load per INSERT, with
 * the table and index access methods and a snapshot taken after the
 * resource locks.  Writes merge the deltas of an operation per
 * resource-day and apply them in (resource, day) order through the direct
 * writer of tables.c.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_collation.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "load.h"
#include "tables.h"

/* ------------------------------------------------------------------------
 * Reading sacrosanct.load, through the lane cache
 *
 * A backend keeps, per finite resource, the planned minutes it last read
 * for each day from today on.  Between two releases of a resource its
 * planned minutes only grow (inserts add, nothing takes away), so a day the
 * cache saw full is still full: a greedy walk skips it without reading and
 * reads, exactly, only the days that may have room.  Whatever takes minutes
 * away (a release, a replan, a reconciliation) bumps the resource's release
 * counter, kept in sacrosanct.load on day -infinity, in the same statement;
 * a backend that finds the counter moved forgets its copy of that lane.  A
 * new plant (capacity may have grown), another today, or a rolled-back
 * (sub)transaction forgets them all.
 * ------------------------------------------------------------------------
 */

typedef struct LaneCache
{
	bool		valid;
	int64		releases;		/* the release counter it was read under */
	int64	   *planned;		/* ndays; -1 unknown, else a lower bound of what is planned */
} LaneCache;

static struct
{
	const ScPlant *plant;		/* compared, never followed, once stale */
	uint64		generation;
	ScDay		today;
	int32		ndays;
	LaneCache  *lanes;			/* per resource of the plant */
	MemoryContext cxt;
} cache;

void
sc_lane_cache_reset(void)
{
	if (cache.cxt)
		MemoryContextDelete(cache.cxt);
	memset(&cache, 0, sizeof(cache));
}

static void
cache_prepare(const ScPlant *plant, ScDay today, int32 ndays)
{
	if (cache.plant == plant && cache.generation == sc_plant_generation() &&
		cache.today == today && cache.ndays == ndays)
		return;
	sc_lane_cache_reset();
	cache.cxt = AllocSetContextCreate(TopMemoryContext, "sacrosanct lane cache",
									  ALLOCSET_DEFAULT_SIZES);
	cache.plant = plant;
	cache.generation = sc_plant_generation();
	cache.today = today;
	cache.ndays = ndays;
	cache.lanes = MemoryContextAllocZero(cache.cxt, sizeof(LaneCache) * (plant->nres + 1));
}

/* point the reader's index scan at resource 'res', days [from, upto) */
static void
load_scan(ScLoadReader *rd, int res, ScDay from, ScDay upto)
{
	ScanKeyData key[3];

	ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_TEXTEQ,
				rd->code[res] ? rd->code[res]
				: (rd->code[res] = CStringGetTextDatum(rd->plant->res[res].code)));
	key[0].sk_collation = C_COLLATION_OID;
	ScanKeyInit(&key[1], 2, BTGreaterEqualStrategyNumber, F_DATE_GE, DateADTGetDatum(from));
	ScanKeyInit(&key[2], 2, BTLessStrategyNumber, F_DATE_LT, DateADTGetDatum(upto));
	index_rescan(rd->scan, key, 3, NULL, 0);
}

static int64
release_counter(ScLoadReader *rd, int res)
{
	bool		isnull;

	load_scan(rd, res, DATEVAL_NOBEGIN, DATEVAL_NOBEGIN + 1);
	if (index_getnext_slot(rd->scan, ForwardScanDirection, rd->slot))
		return DatumGetInt64(slot_getattr(rd->slot, 3, &isnull));
	return 0;
}

void
sc_load_reader_open(ScLoadReader *rd, const ScPlant *plant, Snapshot snapshot,
					ScDay today, int32 ndays)
{
	rd->plant = plant;
	rd->snapshot = snapshot;
	rd->heap = table_open(sc_rels()->table[SC_LOAD], AccessShareLock);
	rd->index = index_open(sc_rels()->pkey[SC_LOAD], AccessShareLock);
	rd->slot = table_slot_create(rd->heap, NULL);
	rd->scan = index_beginscan(rd->heap, rd->index, snapshot, 3, 0);
	rd->checked = palloc0(sizeof(bool) * (plant->nres + 1));
	rd->reads = palloc0(sizeof(uint8) * (plant->nres + 1));
	rd->code = palloc0(sizeof(Datum) * (plant->nres + 1));
	cache_prepare(plant, today, ndays);
}

/* is the cached lane still a lower bound?  Forget it if minutes were released */
static void
lane_check(ScLoadReader *rd, LaneCache *lc, int res)
{
	int64		releases = release_counter(rd, res);

	if (!lc->valid || lc->releases != releases)
	{
		if (lc->planned == NULL)
			lc->planned = MemoryContextAlloc(cache.cxt, sizeof(int64) * cache.ndays);
		memset(lc->planned, 0xff, sizeof(int64) * cache.ndays);	/* all -1 */
		lc->valid = true;
		lc->releases = releases;
	}
	rd->checked[res] = true;
}

int32
sc_load_reader_fill(void *arg, int res, ScDay from, ScDay upto,
					const int64 *cap, int64 *planned)
{
	ScLoadReader *rd = arg;
	LaneCache  *lc = &cache.lanes[res];
	int32		i0 = from - cache.today;
	int32		n = upto - from;
	int32		k = 0;

	/* a non-finite resource is never reduced by what is planned */
	if (!rd->plant->res[res].finite)
	{
		memset(planned, 0, sizeof(int64) * n);
		return n;
	}

	/* a lane with nothing cached starts under the current release counter */
	if (!lc->valid)
		lane_check(rd, lc, res);

	/*
	 * Days the cache saw full are still full, unless minutes were released
	 * since: trusting the cache is what needs the release counter, read
	 * once per operation and only then (a step that fits on its first day
	 * never reads it).  A day without capacity is full anyway.
	 */
	while (k < n)
	{
		if (cap[k] != 0 && lc->planned[i0 + k] < cap[k])
			break;
		if (cap[k] != 0 && !rd->checked[res])
		{
			lane_check(rd, lc, res);
			continue;			/* judge day k again: the lane may be forgotten */
		}
		planned[k] = lc->planned[i0 + k] >= 0 ? lc->planned[i0 + k] : 0;
		k++;
	}
	if (k > 0)
		return k;

	/*
	 * A day that had room, or one not read yet: read exactly from here, a
	 * few days, and remember them.  The first read of a lane in an
	 * operation is short: a step usually fits on the first day with room,
	 * and every day read is a heap fetch along the HOT chain of a row that
	 * every insert updates.  A walk that goes on reads longer stretches (one
	 * index descent instead of one per day).
	 */
	n = Min(n, rd->reads[res] == 0 ? 2 : 16);
	if (rd->reads[res] < PG_UINT8_MAX)
		rd->reads[res]++;
	memset(planned, 0, sizeof(int64) * n);
	load_scan(rd, res, from, from + n);
	while (index_getnext_slot(rd->scan, ForwardScanDirection, rd->slot))
	{
		bool		isnull;
		ScDay		day = DatumGetDateADT(slot_getattr(rd->slot, 2, &isnull));

		if (day >= from && day < from + n)
			planned[day - from] = DatumGetInt64(slot_getattr(rd->slot, 3, &isnull));
	}
	memcpy(lc->planned + i0, planned, sizeof(int64) * n);
	return n;
}

/* our own writes, as they are made: keep the cached lanes lower bounds */
static void
cache_apply(const char *res, ScDay day, int64 minutes)
{
	int			r;
	LaneCache  *lc;
	int32		i;

	/* a plant rebuilt since: the next cache_prepare() starts afresh */
	if (cache.plant == NULL || cache.generation != sc_plant_generation())
		return;
	r = sc_plant_resource(cache.plant, res);
	if (r < 0)
		return;
	lc = &cache.lanes[r];
	if (!lc->valid)
		return;
	if (minutes < 0)
	{
		/* we bump its release counter: read the lane afresh next time */
		lc->valid = false;
		return;
	}
	i = day - cache.today;
	if (i >= 0 && i < cache.ndays && lc->planned[i] >= 0)
		lc->planned[i] += minutes;
}

void
sc_load_reader_close(ScLoadReader *rd)
{
	index_endscan(rd->scan);
	ExecDropSingleTupleTableSlot(rd->slot);
	index_close(rd->index, AccessShareLock);
	table_close(rd->heap, AccessShareLock);
}


/* ------------------------------------------------------------------------
 * Deltas and writing
 * ------------------------------------------------------------------------
 */

void
sc_delta_add(ScLoadDelta *dl, const char *res, ScDay day, int64 minutes)
{
	if (minutes == 0)
		return;
	if (dl->n == dl->max)
	{
		dl->max = dl->max ? dl->max * 2 : 64;
		if (dl->res == NULL)
		{
			dl->res = palloc(sizeof(char *) * dl->max);
			dl->day = palloc(sizeof(ScDay) * dl->max);
			dl->minutes = palloc(sizeof(int64) * dl->max);
		}
		else
		{
			dl->res = repalloc_huge(dl->res, sizeof(char *) * dl->max);
			dl->day = repalloc_huge(dl->day, sizeof(ScDay) * dl->max);
			dl->minutes = repalloc_huge(dl->minutes, sizeof(int64) * dl->max);
		}
	}
	dl->res[dl->n] = res;
	dl->day[dl->n] = day;
	dl->minutes[dl->n] = minutes;
	dl->n++;
}

/*
 * Only finite resources keep a load: a non-finite resource's availability
 * never depends on what is planned, and leaving it out means orders that
 * share one (an outside painter, shipping) never wait for each other's
 * load rows.
 */
void
sc_delta_demand(ScLoadDelta *dl, const ScPlant *plant, const ScDemand *d, int sign)
{
	for (int k = 0; k < d->nalloc; k++)
	{
		int			r = sc_demand_alloc_ridx(plant, d, k);

		if (r >= 0 && plant->res[r].finite)
			sc_delta_add(dl, plant->res[r].code, d->alloc_day[k], sign * (int64) d->alloc_min[k]);
	}
}

void
sc_load_all(Snapshot snapshot, ScLoadDelta *out)
{
	Relation	heap;
	TableScanDesc scan;
	TupleTableSlot *slot;


	heap = table_open(sc_rels()->table[SC_LOAD], AccessShareLock);
	slot = table_slot_create(heap, NULL);
	scan = table_beginscan(heap, snapshot, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		int64		planned = DatumGetInt64(slot_getattr(slot, 3, &isnull));

		ScDay		day = DatumGetDateADT(slot_getattr(slot, 2, &isnull));

		/* day -infinity holds a release counter, not minutes */
		if (planned != 0 && day != DATEVAL_NOBEGIN)
			sc_delta_add(out, TextDatumGetCString(slot_getattr(slot, 1, &isnull)),
						 day, planned);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(heap, AccessShareLock);
}

/* one resource-day of merged deltas */
typedef struct DeltaRow
{
	const char *res;
	ScDay		day;
	int64		minutes;
} DeltaRow;

static int
delta_cmp(const void *a, const void *b)
{
	const DeltaRow *x = a,
			   *y = b;
	int			c = strcmp(x->res, y->res);

	if (c != 0)
		return c;
	return x->day < y->day ? -1 : x->day > y->day ? 1 : 0;
}

/*
 * The deltas merged per resource-day, in (resource, day) order so that
 * every writer changes rows alike, without zeros.  A resource that loses
 * minutes gets its release counter bumped (day -infinity, which sorts
 * first), telling every backend's lane cache.  Returns how many rows.
 */
static int
merge_deltas(const ScLoadDelta *dl, DeltaRow **out)
{
	DeltaRow   *sorted = palloc(sizeof(DeltaRow) * dl->n);
	DeltaRow   *rows = palloc(sizeof(DeltaRow) * (2 * dl->n));
	int			m = 0;

	for (int i = 0; i < dl->n; i++)
	{
		sorted[i].res = dl->res[i];
		sorted[i].day = dl->day[i];
		sorted[i].minutes = dl->minutes[i];
	}
	qsort(sorted, dl->n, sizeof(DeltaRow), delta_cmp);

	for (int i = 0; i < dl->n;)
	{
		const char *res = sorted[i].res;
		int			first = m;
		bool		loses = false;

		/* this resource's days, merged */
		for (; i < dl->n && strcmp(sorted[i].res, res) == 0; i++)
		{
			if (m > first && rows[m - 1].day == sorted[i].day)
				rows[m - 1].minutes += sorted[i].minutes;
			else
				rows[m++] = sorted[i];
		}
		/* drop what cancelled out */
		{
			int			k = first;

			for (int j = first; j < m; j++)
				if (rows[j].minutes != 0)
				{
					loses |= rows[j].minutes < 0;
					rows[k++] = rows[j];
				}
			m = k;
		}
		if (loses)
		{
			memmove(&rows[first + 1], &rows[first], sizeof(DeltaRow) * (m - first));
			rows[first].res = res;
			rows[first].day = DATEVAL_NOBEGIN;
			rows[first].minutes = 1;
			m++;
		}
	}
	pfree(sorted);
	*out = rows;
	return m;
}

/*
 * Every row of a finite resource is written only under that resource's
 * exclusive lock, so the row found is the latest and nobody else updates
 * it.  Rows not found are inserted; the unique index still checks them.
 */
void
sc_load_write(ScLoadDelta *dl)
{
	DeltaRow   *rows;
	int			m;
	ScWriter   *w;

	if (dl->n == 0)
		return;
	m = merge_deltas(dl, &rows);
	dl->n = 0;
	if (m == 0)
		return;

	w = sc_writer(SC_LOAD);
	sc_writer_seek(w, InvalidOid);
	for (int i = 0; i < m; i++)
	{
		ScanKeyData key[2];
		Datum		code = CStringGetTextDatum(rows[i].res);
		Datum	   *v = w->slot->tts_values;
		bool		isnull;

		/* our own writes, as they are made: keep the cached lanes lower bounds */
		if (rows[i].day != DATEVAL_NOBEGIN)
			cache_apply(rows[i].res, rows[i].day, rows[i].minutes);

		ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_TEXTEQ, code);
		key[0].sk_collation = C_COLLATION_OID;
		ScanKeyInit(&key[1], 2, BTEqualStrategyNumber, F_DATE_EQ, DateADTGetDatum(rows[i].day));
		sc_writer_clear(w);
		v[0] = code;
		v[1] = DateADTGetDatum(rows[i].day);
		w->slot->tts_isnull[0] = w->slot->tts_isnull[1] = w->slot->tts_isnull[2] = false;
		if (sc_writer_find(w, key, 2))
		{
			v[2] = Int64GetDatum(DatumGetInt64(slot_getattr(w->found, 3, &isnull)) + rows[i].minutes);
			sc_writer_update(w);
		}
		else
		{
			v[2] = Int64GetDatum(rows[i].minutes);
			sc_writer_insert(w);
		}
	}
	pfree(rows);
}
