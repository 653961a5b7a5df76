/*
 * plan_io.c
 *		The schedule tables: reading them directly through their indexes,
 *		writing them through saved SPI plans, and the per-resource locks
 *		that serialize the writers.
 *
 * Reads bypass SPI and the executor: the guard reads a few index ranges of
 * sacrosanct.load per INSERT, and a replan reads every demand row, so both
 * use the table and index access methods with a snapshot taken after the
 * locks.  Writes go through SPI, so that constraints, indexes and
 * ON CONFLICT behave exactly as for any other writer, including the
 * serialization failures REPEATABLE READ and SERIALIZABLE require.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "plan_io.h"

static void demand_writer_close(void);

/* advisory lock class of the resource locks: pg_locks shows classid 23232 */
#define SC_LOCK_CLASS	0x5AC0

/* ------------------------------------------------------------------------
 * Relation ids, resolved once per backend
 * ------------------------------------------------------------------------
 */

enum
{
	D_ID = 1, D_ORDER_KEY, D_SOURCE, D_HOLD_UNTIL, D_PRODUCT, D_QTY, D_PROMISED,
	D_NOT_BEFORE, D_AT_RISK, D_BACKED, D_PLANNED_FINISH, D_STEP, D_STEP_RESOURCE,
	D_STEP_WORK, D_ALLOC_STEP, D_ALLOC_DAY, D_ALLOC_MINUTES, D_NATTS = D_ALLOC_MINUTES
};

static const char *const demand_columns[D_NATTS] = {
	"id", "order_key", "source", "hold_until", "product", "qty", "promised",
	"not_before", "at_risk", "backed", "planned_finish", "step", "step_resource",
	"step_work", "alloc_step", "alloc_day", "alloc_minutes"
};

static struct
{
	bool		valid;
	Oid			demand;
	Oid			demand_pkey;
	Oid			demand_key;
	Oid			demand_hold;
	Oid			load;
	Oid			load_pkey;
	Oid			demand_seq;		/* the identity sequence of demand.id */
	Oid			owner;
} rels;

static void
rels_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == rels.demand || relid == rels.load ||
		relid == rels.demand_pkey || relid == rels.demand_key ||
		relid == rels.demand_hold || relid == rels.load_pkey)
		rels.valid = false;
}

static Oid
rel_oid(Oid nsp, const char *name)
{
	Oid			oid = get_relname_relid(name, nsp);

	if (!OidIsValid(oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("relation \"sacrosanct.%s\" does not exist", name),
				 errhint("Is the extension installed?  Run CREATE EXTENSION sacrosanct.")));
	return oid;
}

static void
rels_ensure(void)
{
	static bool callback_registered = false;
	Oid			nsp;
	Relation	rel;

	if (rels.valid)
		return;
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(rels_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	nsp = get_namespace_oid("sacrosanct", false);
	rels.demand = rel_oid(nsp, "demand");
	rels.demand_pkey = rel_oid(nsp, "demand_pkey");
	rels.demand_key = rel_oid(nsp, "demand_order_key_key");
	rels.demand_hold = rel_oid(nsp, "demand_hold_until");
	rels.load = rel_oid(nsp, "load");
	rels.load_pkey = rel_oid(nsp, "load_pkey");

	rel = table_open(rels.demand, AccessShareLock);
	rels.owner = rel->rd_rel->relowner;
#if PG_VERSION_NUM >= 170000
	rels.demand_seq = getIdentitySequence(rel, D_ID, false);
#else
	rels.demand_seq = getIdentitySequence(rels.demand, D_ID, false);
#endif
	/* the column numbers below are the table's; an upgrade that moves them must say so here */
	for (int i = 0; i < D_NATTS; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), i);

		if (strcmp(NameStr(att->attname), demand_columns[i]) != 0)
			elog(ERROR, "sacrosanct.demand column %d is \"%s\", expected \"%s\"",
				 i + 1, NameStr(att->attname), demand_columns[i]);
	}
	table_close(rel, AccessShareLock);
	rels.valid = true;
}

/* ------------------------------------------------------------------------
 * Owner
 * ------------------------------------------------------------------------
 */

void
sc_owner_begin(ScAsOwner *s)
{
	rels_ensure();
	GetUserIdAndSecContext(&s->save_user, &s->save_sec);
	SetUserIdAndSecContext(rels.owner,
						   s->save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	s->save_writing = sc_schedule_write_begin();
}

void
sc_owner_end(const ScAsOwner *s)
{
	demand_writer_close();
	sc_schedule_write_end(s->save_writing);
	SetUserIdAndSecContext(s->save_user, s->save_sec);
}

/* ------------------------------------------------------------------------
 * Locks
 * ------------------------------------------------------------------------
 */

/*
 * A lock key is a resource's hash; the low bit of the sort value carries the
 * mode so that a key wanted both ways is taken once, exclusively.
 */
static int
cmp_uint64(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a,
				y = *(const uint64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

#define KEY_SHARED		0
#define KEY_EXCLUSIVE	1

static void
lock_keys(uint64 *want, int n, ScLocks *held)
{
	int			m = 0;

	qsort(want, n, sizeof(uint64), cmp_uint64);
	for (int i = 0; i < n; i++)
	{
		if (m > 0 && (want[m - 1] >> 1) == (want[i] >> 1))
			want[m - 1] |= want[i] & 1;
		else
			want[m++] = want[i];
	}

	if (held->keys == NULL)
	{
		held->keys = palloc(sizeof(uint32) * (m + 1));
		held->modes = palloc(sizeof(LOCKMODE) * (m + 1));
	}
	else
	{
		held->keys = repalloc(held->keys, sizeof(uint32) * (held->n + m + 1));
		held->modes = repalloc(held->modes, sizeof(LOCKMODE) * (held->n + m + 1));
	}

	/* one fixed order (ascending key) for every writer: no deadlocks among them */
	for (int i = 0; i < m; i++)
	{
		LOCKTAG		tag;
		uint32		key = (uint32) (want[i] >> 1);
		LOCKMODE	mode = (want[i] & 1) ? ExclusiveLock : ShareLock;

		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, SC_LOCK_CLASS, key, 2);
		(void) LockAcquire(&tag, mode, false, false);
		held->keys[held->n] = key;
		held->modes[held->n] = mode;
		held->n++;
	}

	/* a master-data change committed under these locks must be seen now */
	AcceptInvalidationMessages();
}

/*
 * Finite resources are locked exclusively: one writer at a time may take
 * their capacity.  Non-finite ones are locked shared, so that orders on
 * them proceed together but wait for a replan, which locks everything.
 */
void
sc_lock_resources(const ScPlant *plant, const int *res, int n, ScLocks *held)
{
	uint64	   *want = palloc(sizeof(uint64) * (n + 1));
	int			m = 0;

	for (int i = 0; i < n; i++)
		if (res[i] >= 0)
			want[m++] = ((uint64) plant->lockkey[res[i]] << 1) |
				(plant->res[res[i]].finite ? KEY_EXCLUSIVE : KEY_SHARED);
	lock_keys(want, m, held);
	pfree(want);
}

void
sc_lock_all(const ScPlant *plant, ScLocks *held)
{
	uint64	   *want = palloc(sizeof(uint64) * (plant->nres + 1));

	for (int i = 0; i < plant->nres; i++)
		want[i] = ((uint64) plant->lockkey[i] << 1) | KEY_EXCLUSIVE;
	lock_keys(want, plant->nres, held);
	pfree(want);
}

void
sc_unlock(ScLocks *held)
{
	for (int i = held->n - 1; i >= 0; i--)
	{
		LOCKTAG		tag;

		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, SC_LOCK_CLASS, held->keys[i], 2);
		LockRelease(&tag, held->modes[i], false);
	}
	held->n = 0;
}

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
	rels_ensure();
	rd->plant = plant;
	rd->snapshot = snapshot;
	rd->heap = table_open(rels.load, AccessShareLock);
	rd->index = index_open(rels.load_pkey, AccessShareLock);
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
 * Reading sacrosanct.demand
 * ------------------------------------------------------------------------
 */

/*
 * Reading many rows allocates many small arrays: a bump arena gives them
 * out of large blocks instead (a replan of 200,000 orders reads 1.4 million
 * arrays).  With no arena, palloc.
 */
typedef struct Arena
{
	char	   *cur;
	Size		left;
} Arena;

static void *
arena_alloc(Arena *a, Size size)
{
	void	   *p;

	size = MAXALIGN(size);
	if (a == NULL)
		return palloc(size);
	if (size > a->left)
	{
		/* small enough that malloc reuses freed blocks rather than mmapping */
		Size		block = Max(size, 64 * 1024);

		a->cur = palloc_extended(block, MCXT_ALLOC_HUGE);
		a->left = block;
	}
	p = a->cur;
	a->cur += size;
	a->left -= size;
	return p;
}

/*
 * The header of an array stored inline (not toasted): its payload (the bytes
 * after the length word: ndim, dataoffset, elemtype, dims, lbounds, data),
 * read with memcpy since a 1-byte length word leaves it unaligned.  Only
 * one-dimensional arrays without NULLs are expected here.
 */
static const char *
inline_array(struct varlena *v, int32 *ndim, int32 *n)
{
	const char *payload = VARATT_IS_SHORT(v) ? VARDATA_SHORT(v) : VARDATA(v);
	int32		dataoffset;

	memcpy(ndim, payload, sizeof(int32));
	memcpy(&dataoffset, payload + sizeof(int32), sizeof(int32));
	if (dataoffset != 0 || *ndim > 1)
		elog(ERROR, "sacrosanct.demand holds an array with NULLs or dimensions");
	*n = 0;
	if (*ndim == 1)
		memcpy(n, payload + 3 * sizeof(int32), sizeof(int32));
	return payload;
}

/*
 * A one-dimensional array of fixed-size elements without NULLs, copied out.
 * Stored inline, it is read in place: the small arrays of a demand row have
 * one-byte headers, and detoasting each (a copy to realign it) cost more
 * than everything else a replan does with them.
 */
static int
fixed_array(Datum d, Size elemsize, void **out, Arena *arena)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	const char *payload;
	int32		ndim,
				n = 0;

	if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
	{
		ArrayType  *a = DatumGetArrayTypeP(d);

		if (ARR_HASNULL(a) || ARR_NDIM(a) > 1)
			elog(ERROR, "sacrosanct.demand holds an array with NULLs or dimensions");
		n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
		*out = arena_alloc(arena, elemsize * (n + 1));
		memcpy(*out, ARR_DATA_PTR(a), elemsize * n);
		pfree(a);
		return n;
	}

	payload = inline_array(v, &ndim, &n);
	*out = arena_alloc(arena, elemsize * (n + 1));
	memcpy(*out, payload + ARR_OVERHEAD_NONULLS(ndim) - VARHDRSZ, elemsize * n);
	return n;
}

/*
 * Bytes as a C string: the plant's own copy when they spell one of the
 * plant's codes (sorted, 'stride' bytes apart), whose index goes to *idx.
 */
static const char *
intern_bytes(const char *s, int len, const char *const *codes, size_t stride, int n,
			 Arena *arena, int *idx)
{
	int			lo = 0,
				hi = n - 1;
	char	   *copy;

	if (idx)
		*idx = -1;
	while (codes && lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const char *c = *(const char *const *) ((const char *) codes + stride * mid);
		int			r = strncmp(c, s, len);

		if (r == 0 && c[len] == '\0')
		{
			if (idx)
				*idx = mid;
			return c;
		}
		if (r == 0)
			r = 1;				/* c is longer: it sorts after s */
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	copy = arena_alloc(arena, len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

static const char *
intern_text(Datum d, const char *const *codes, size_t stride, int n, Arena *arena, int *idx)
{
	text	   *t = DatumGetTextPP(d);

	return intern_bytes(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), codes, stride, n, arena, idx);
}

/*
 * The elements of a text[] without NULLs, read in place when it is stored
 * inline (as fixed_array() does): pointers to each element's bytes and their
 * lengths, no copies.  Offsets are counted from where the array would start
 * with a 4-byte header, aligned, as its layout was computed; the bytes
 * themselves may sit unaligned behind a 1-byte header, so lengths are read
 * with memcpy.  Returns the number of elements; *copy is set when the array
 * had to be detoasted (pfree it after use).
 */
static int
text_array_elems(Datum d, const char ***ptrs, int **lens, Arena *arena, void **copy)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	const char *payload;
	int32		ndim,
				n = 0;
	Size		off;

	*copy = NULL;
	if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
	{
		v = (struct varlena *) DatumGetArrayTypeP(d);
		*copy = v;
	}
	payload = inline_array(v, &ndim, &n);
	*ptrs = arena_alloc(arena, sizeof(char *) * (n + 1));
	*lens = arena_alloc(arena, sizeof(int) * (n + 1));
	off = ARR_OVERHEAD_NONULLS(ndim);
	for (int i = 0; i < n; i++)
	{
		const char *p = payload + off - VARHDRSZ;
		Size		size;

		if (VARATT_IS_1B(p))
		{
			size = VARSIZE_1B(p);
			(*ptrs)[i] = p + VARHDRSZ_SHORT;
			(*lens)[i] = size - VARHDRSZ_SHORT;
		}
		else
		{
			uint32		header;

			memcpy(&header, p, sizeof(uint32));
			size = VARSIZE_4B(&header);
			(*ptrs)[i] = p + VARHDRSZ;
			(*lens)[i] = size - VARHDRSZ;
		}
		off = INTALIGN(off + size);	/* text is int-aligned */
	}
	return n;
}

static inline bool
bytes_are(const char *s, int len, const char *code)
{
	return strncmp(code, s, len) == 0 && code[len] == '\0';
}

static void
demand_from_slot(TupleTableSlot *slot, ScDemand *d, const ScPlant *plant, Arena *arena)
{
	Datum	   *v;
	bool	   *nul;
	const char *const *rescodes = plant && plant->nres ? &plant->res[0].code : NULL;
	const char *const *prodcodes = plant && plant->nprod ? &plant->prod[0].code : NULL;
	const ScProduct *prod = NULL;

	slot_getallattrs(slot);
	v = slot->tts_values;
	nul = slot->tts_isnull;

	memset(d, 0, sizeof(*d));
	d->id = DatumGetInt64(v[D_ID - 1]);
	d->order_key = nul[D_ORDER_KEY - 1] ? NULL
		: (char *) intern_text(v[D_ORDER_KEY - 1], NULL, 0, 0, arena, NULL);
	d->source = nul[D_SOURCE - 1] ? InvalidOid : DatumGetObjectId(v[D_SOURCE - 1]);
	d->hold_until = nul[D_HOLD_UNTIL - 1] ? 0 : DatumGetTimestampTz(v[D_HOLD_UNTIL - 1]);
	{
		int			pidx;

		d->product = (char *) intern_text(v[D_PRODUCT - 1], prodcodes, sizeof(ScProduct),
										  plant ? plant->nprod : 0, arena, &pidx);
		prod = pidx >= 0 ? &plant->prod[pidx] : NULL;
		d->prod = prod;
	}
	{
		Numeric		q = DatumGetNumeric(v[D_QTY - 1]);

		d->qty = arena_alloc(arena, VARSIZE(q));
		memcpy(d->qty, q, VARSIZE(q));
		if ((Pointer) q != DatumGetPointer(v[D_QTY - 1]))
			pfree(q);
	}
	d->promised = DatumGetDateADT(v[D_PROMISED - 1]);
	d->not_before = nul[D_NOT_BEFORE - 1] ? SC_NO_DAY : DatumGetDateADT(v[D_NOT_BEFORE - 1]);
	d->at_risk = DatumGetBool(v[D_AT_RISK - 1]);
	d->backed = DatumGetBool(v[D_BACKED - 1]);
	d->planned_finish = nul[D_PLANNED_FINISH - 1] ? SC_NO_DAY
		: DatumGetDateADT(v[D_PLANNED_FINISH - 1]);

	d->nsteps = fixed_array(v[D_STEP - 1], sizeof(int32), (void **) &d->step_no, arena);
	if (fixed_array(v[D_STEP_WORK - 1], sizeof(int64), (void **) &d->work, arena) != d->nsteps)
		elog(ERROR, "sacrosanct.demand row %lld has step arrays of different lengths",
			 (long long) d->id);
	{
		const char **elems;
		int		   *lens;
		void	   *copy;
		int			n = text_array_elems(v[D_STEP_RESOURCE - 1], &elems, &lens, arena, &copy);

		if (n != d->nsteps)
			elog(ERROR, "sacrosanct.demand row %lld has step arrays of different lengths",
				 (long long) d->id);
		d->step_res = arena_alloc(arena, sizeof(char *) * (n + 1));
		d->step_ridx = plant ? arena_alloc(arena, sizeof(int32) * (n + 1)) : NULL;
		for (int i = 0; i < n; i++)
		{
			int			idx;

			/* usually the step's resource is the routing's: one comparison */
			if (prod && i < prod->routing.nsteps && prod->routing.steps[i].res >= 0 &&
				bytes_are(elems[i], lens[i], plant->res[prod->routing.steps[i].res].code))
			{
				idx = prod->routing.steps[i].res;
				d->step_res[i] = (char *) plant->res[idx].code;
			}
			else
				d->step_res[i] = (char *) intern_bytes(elems[i], lens[i], rescodes,
													   sizeof(ScResource),
													   plant ? plant->nres : 0, arena, &idx);
			if (plant)
				d->step_ridx[i] = idx;
		}
		if (copy)
			pfree(copy);
	}
	d->nalloc = fixed_array(v[D_ALLOC_STEP - 1], sizeof(int32), (void **) &d->alloc_step, arena);
	if (fixed_array(v[D_ALLOC_DAY - 1], sizeof(int32), (void **) &d->alloc_day, arena) != d->nalloc ||
		fixed_array(v[D_ALLOC_MINUTES - 1], sizeof(int32), (void **) &d->alloc_min, arena) != d->nalloc)
		elog(ERROR, "sacrosanct.demand row %lld has allocation arrays of different lengths",
			 (long long) d->id);
}

static bool
demand_fetch(Oid index, ScanKey key, Snapshot snapshot, ScDemand *out)
{
	Relation	heap = table_open(rels.demand, AccessShareLock);
	Relation	idx = index_open(index, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(heap, NULL);
	IndexScanDesc scan = index_beginscan(heap, idx, snapshot, 1, 0);
	bool		found;

	index_rescan(scan, key, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found)
		demand_from_slot(slot, out, NULL, NULL);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, AccessShareLock);
	table_close(heap, AccessShareLock);
	return found;
}

bool
sc_demand_by_key(const char *order_key, Snapshot snapshot, ScDemand *out)
{
	ScanKeyData key;

	rels_ensure();
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(order_key));
	key.sk_collation = C_COLLATION_OID;
	return demand_fetch(rels.demand_key, &key, snapshot, out);
}

bool
sc_demand_by_id(int64 id, Snapshot snapshot, ScDemand *out)
{
	ScanKeyData key;

	rels_ensure();
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
	return demand_fetch(rels.demand_pkey, &key, snapshot, out);
}

bool
sc_expired_holds(Snapshot snapshot, TimestampTz now)
{
	Relation	heap;
	Relation	idx;
	TupleTableSlot *slot;
	IndexScanDesc scan;
	ScanKeyData key;
	bool		found;

	rels_ensure();
	heap = table_open(rels.demand, AccessShareLock);
	idx = index_open(rels.demand_hold, AccessShareLock);
	slot = table_slot_create(heap, NULL);
	scan = index_beginscan(heap, idx, snapshot, 1, 0);
	ScanKeyInit(&key, 1, BTLessStrategyNumber, F_TIMESTAMPTZ_LT, TimestampTzGetDatum(now));
	index_rescan(scan, &key, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, AccessShareLock);
	table_close(heap, AccessShareLock);
	return found;
}

ScDemand *
sc_demand_all(Snapshot snapshot, const ScPlant *plant, int *n)
{
	/*
	 * Sized for what the last call found, and a little more: growing a
	 * 20,000-row array by doubling copied it four times into fresh memory,
	 * a tenth of a quote's time.
	 */
	static int	last_n = 0;
	Arena		arena = {NULL, 0};
	Relation	heap;
	TableScanDesc scan;
	TupleTableSlot *slot;
	int			max = Max(1024, last_n + last_n / 8);
	ScDemand   *all = palloc_extended(sizeof(ScDemand) * max, MCXT_ALLOC_HUGE);

	rels_ensure();
	*n = 0;
	heap = table_open(rels.demand, AccessShareLock);
	slot = table_slot_create(heap, NULL);
	scan = table_beginscan(heap, snapshot, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		if (*n == max)
		{
			max *= 2;
			all = repalloc_huge(all, sizeof(ScDemand) * max);
		}
		demand_from_slot(slot, &all[(*n)++], plant, &arena);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(heap, AccessShareLock);
	last_n = *n;
	return all;
}

int
sc_demand_alloc_ridx(const ScPlant *plant, const ScDemand *d, int k)
{
	for (int s = 0; s < d->nsteps; s++)
		if (d->step_no[s] == d->alloc_step[k])
			return d->step_ridx ? d->step_ridx[s] : sc_plant_resource(plant, d->step_res[s]);
	elog(ERROR, "sacrosanct.demand row %lld has an allocation of unknown step %d",
		 (long long) d->id, d->alloc_step[k]);
	return -1;					/* keep compiler quiet */
}

const char *
sc_demand_alloc_res(const ScDemand *d, int k)
{
	for (int s = 0; s < d->nsteps; s++)
		if (d->step_no[s] == d->alloc_step[k])
			return d->step_res[s];
	elog(ERROR, "sacrosanct.demand row %lld has an allocation of unknown step %d",
		 (long long) d->id, d->alloc_step[k]);
	return NULL;				/* keep compiler quiet */
}

/* ------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------
 */

static ArrayType *
make_int4_array(const int32 *v, int n, Oid elemtype)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));
	ArrayType  *a;

	for (int i = 0; i < n; i++)
		d[i] = Int32GetDatum(v[i]);
	a = construct_array(d, n, elemtype, 4, true, TYPALIGN_INT);
	pfree(d);
	return a;
}

static ArrayType *
make_int8_array(const int64 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));
	ArrayType  *a;

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	a = construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(d);
	return a;
}

static ArrayType *
make_text_array(const char *const *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));
	ArrayType  *a;

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(v[i]);
	a = construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT);
	pfree(d);
	return a;
}

/* a saved SPI plan, prepared on first use */
static SPIPlanPtr
saved_plan(SPIPlanPtr *slot, const char *sql, int nargs, const Oid *types)
{
	if (*slot == NULL)
	{
		/* always the generic plan: these statements have one good plan */
		SPIPlanPtr	p = SPI_prepare_cursor(sql, nargs, (Oid *) types,
										   CURSOR_OPT_GENERIC_PLAN);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*slot = p;
	}
	return *slot;
}

static void
spi_run(SPIPlanPtr plan, Datum *values, const char *nulls, int expect_rc, int64 expect_rows)
{
	int			rc = SPI_execute_plan(plan, values, nulls, false, 0);

	if (rc != expect_rc)
		elog(ERROR, "sacrosanct: schedule write failed: %s", SPI_result_code_string(rc));
	if (expect_rows >= 0 && (int64) SPI_processed != expect_rows)
	{
		/*
		 * The row changed under us: under REPEATABLE READ or SERIALIZABLE a
		 * concurrent writer committed after our snapshot.  The resource
		 * locks exclude this under READ COMMITTED.
		 */
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update of the schedule"),
				 errdetail("A schedule row changed after this transaction's snapshot was taken."),
				 errhint("Retry the transaction.")));
	}
}

/*
 * Demand rows are written with the executor's simple-relation routines (as
 * logical replication applies rows): heap and indexes, no SQL.  Every row
 * is written under the locks of its resources, so the row found is the
 * latest; a row that is gone means a writer committed after our snapshot
 * under REPEATABLE READ, a serialization failure.  The writer stays open
 * between sc_owner_begin() and sc_owner_end(), which bracket every write.
 */
static struct
{
	bool		open;
	Relation	rel;
	Relation	pkey;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	TupleTableSlot *found;
	Oid			seq;
} dw;

static void
demand_writer_open(void)
{
	if (dw.open)
		return;
	rels_ensure();
	dw.rel = table_open(rels.demand, RowExclusiveLock);
	dw.pkey = index_open(rels.demand_pkey, RowExclusiveLock);
	dw.estate = CreateExecutorState();
	dw.rri = makeNode(ResultRelInfo);
	InitResultRelInfo(dw.rri, dw.rel, 1, NULL, 0);
	ExecOpenIndices(dw.rri, false);
	dw.slot = table_slot_create(dw.rel, NULL);
	dw.found = table_slot_create(dw.rel, NULL);
	dw.seq = rels.demand_seq;
	dw.open = true;
}

static void
demand_writer_close(void)
{
	if (!dw.open)
		return;
	ExecDropSingleTupleTableSlot(dw.slot);
	ExecDropSingleTupleTableSlot(dw.found);
	ExecCloseIndices(dw.rri);
	FreeExecutorState(dw.estate);
	index_close(dw.pkey, RowExclusiveLock);
	table_close(dw.rel, RowExclusiveLock);
	dw.open = false;
}

/* an aborted (sub)transaction released what the writer held */
void
sc_demand_writer_forget(void)
{
	memset(&dw, 0, sizeof(dw));
}

static void
demand_to_slot(const ScDemand *d, int64 id, TupleTableSlot *slot)
{
	Datum	   *v;
	bool	   *n;

	ExecClearTuple(slot);
	v = slot->tts_values;
	n = slot->tts_isnull;
	memset(n, 0, sizeof(bool) * D_NATTS);
	v[D_ID - 1] = Int64GetDatum(id);
	v[D_ORDER_KEY - 1] = d->order_key ? CStringGetTextDatum(d->order_key) : (Datum) 0;
	n[D_ORDER_KEY - 1] = d->order_key == NULL;
	v[D_SOURCE - 1] = ObjectIdGetDatum(d->source);
	n[D_SOURCE - 1] = !OidIsValid(d->source);
	v[D_HOLD_UNTIL - 1] = TimestampTzGetDatum(d->hold_until);
	n[D_HOLD_UNTIL - 1] = d->order_key != NULL;
	v[D_PRODUCT - 1] = CStringGetTextDatum(d->product);
	v[D_QTY - 1] = NumericGetDatum(d->qty);
	v[D_PROMISED - 1] = DateADTGetDatum(d->promised);
	v[D_NOT_BEFORE - 1] = DateADTGetDatum(d->not_before);
	n[D_NOT_BEFORE - 1] = d->not_before == SC_NO_DAY;
	v[D_AT_RISK - 1] = BoolGetDatum(d->at_risk);
	v[D_BACKED - 1] = BoolGetDatum(d->backed);
	v[D_PLANNED_FINISH - 1] = DateADTGetDatum(d->planned_finish);
	n[D_PLANNED_FINISH - 1] = d->planned_finish == SC_NO_DAY;
	v[D_STEP - 1] = PointerGetDatum(make_int4_array(d->step_no, d->nsteps, INT4OID));
	v[D_STEP_RESOURCE - 1] = PointerGetDatum(make_text_array((const char *const *) d->step_res,
															  d->nsteps));
	v[D_STEP_WORK - 1] = PointerGetDatum(make_int8_array(d->work, d->nsteps));
	v[D_ALLOC_STEP - 1] = PointerGetDatum(make_int4_array(d->alloc_step, d->nalloc, INT4OID));
	v[D_ALLOC_DAY - 1] = PointerGetDatum(make_int4_array(d->alloc_day, d->nalloc, DATEOID));
	v[D_ALLOC_MINUTES - 1] = PointerGetDatum(make_int4_array(d->alloc_min, d->nalloc, INT4OID));
	ExecStoreVirtualTuple(slot);
}

static void
demand_insert_indexes(void)
{
	List	   *recheck;

	/*
	 * update = false even after an update: it only hints that the key is
	 * unchanged, and working that out needs a range table we do not have.
	 */
	recheck = ExecInsertIndexTuples(dw.rri, dw.slot, dw.estate, false,
#if PG_VERSION_NUM >= 160000
									false,
#endif
									false, NULL, NIL);
	list_free(recheck);
}

/* the current version of demand row 'id', into dw.found; gone is an error */
static void
demand_locate(int64 id, Snapshot *snap)
{
	IndexScanDesc scan;
	ScanKeyData key;
	bool		found;

	CommandCounterIncrement();
	*snap = RegisterSnapshot(GetLatestSnapshot());
	scan = index_beginscan(dw.rel, dw.pkey, *snap, 1, 0);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
	index_rescan(scan, &key, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, dw.found);
	index_endscan(scan);
	if (!found)
	{
		UnregisterSnapshot(*snap);
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update of the schedule"),
				 errdetail("A schedule row changed after this transaction's snapshot was taken."),
				 errhint("Retry the transaction.")));
	}
}

int64
sc_demand_insert(const ScDemand *d)
{
	int64		id;

	demand_writer_open();
	id = nextval_internal(dw.seq, false);
	demand_to_slot(d, id, dw.slot);
	table_tuple_insert(dw.rel, dw.slot, GetCurrentCommandId(true), 0, NULL);
	demand_insert_indexes();
	CommandCounterIncrement();
	return id;
}

void
sc_demand_update(const ScDemand *d)
{
	Snapshot	snap;
#if PG_VERSION_NUM >= 160000
	TU_UpdateIndexes update_indexes;
#else
	bool		update_indexes;
#endif

	demand_writer_open();
	demand_locate(d->id, &snap);
	demand_to_slot(d, d->id, dw.slot);
	simple_table_tuple_update(dw.rel, &dw.found->tts_tid, dw.slot, snap, &update_indexes);
	UnregisterSnapshot(snap);
#if PG_VERSION_NUM >= 160000
	if (update_indexes != TU_None)
#else
	if (update_indexes)
#endif
		demand_insert_indexes();
	CommandCounterIncrement();
}

void
sc_demand_delete(int64 id)
{
	Snapshot	snap;

	demand_writer_open();
	demand_locate(id, &snap);
	simple_table_tuple_delete(dw.rel, &dw.found->tts_tid, snap);
	UnregisterSnapshot(snap);
	CommandCounterIncrement();
}

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

	rels_ensure();
	heap = table_open(rels.load, AccessShareLock);
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
 * Write load rows directly with heapam, as catalog code writes catalogs.
 * Every row of a finite resource is written only under that resource's
 * exclusive lock, so the row found is the latest and nobody else updates
 * it; SPI's upsert cost several times this for the handful of rows an
 * order touches.  Rows not found are inserted; the unique index still
 * checks them.
 */
static void
load_write_rows(const char **res, const int32 *days, const int64 *minutes, int m)
{
	Relation	heap = table_open(rels.load, RowExclusiveLock);
	Relation	idx = index_open(rels.load_pkey, RowExclusiveLock);
	IndexInfo  *ii = BuildIndexInfo(idx);
	TupleDesc	desc = RelationGetDescr(heap);
	TupleTableSlot *slot = table_slot_create(heap, NULL);
	Snapshot	snap;
	IndexScanDesc scan;

	/* our own earlier writes must be found too */
	CommandCounterIncrement();
	snap = RegisterSnapshot(GetLatestSnapshot());
	scan = index_beginscan(heap, idx, snap, 2, 0);

	for (int i = 0; i < m; i++)
	{
		ScanKeyData key[2];
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		HeapTuple	tup;
		bool		isnull;

		values[0] = CStringGetTextDatum(res[i]);
		values[1] = DateADTGetDatum(days[i]);
		ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_TEXTEQ, values[0]);
		key[0].sk_collation = C_COLLATION_OID;
		ScanKeyInit(&key[1], 2, BTEqualStrategyNumber, F_DATE_EQ, values[1]);
		index_rescan(scan, key, 2, NULL, 0);
		if (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			ItemPointerData otid = slot->tts_tid;

			values[2] = Int64GetDatum(DatumGetInt64(slot_getattr(slot, 3, &isnull)) + minutes[i]);
			tup = heap_form_tuple(desc, values, nulls);
#if PG_VERSION_NUM >= 160000
			{
				TU_UpdateIndexes update_indexes;

				simple_heap_update(heap, &otid, tup, &update_indexes);
				if (update_indexes == TU_None)
					continue;
			}
#else
			simple_heap_update(heap, &otid, tup);
			if (HeapTupleIsHeapOnly(tup))
				continue;
#endif
		}
		else
		{
			values[2] = Int64GetDatum(minutes[i]);
			tup = heap_form_tuple(desc, values, nulls);
			simple_heap_insert(heap, tup);
		}
		index_insert(idx, values, nulls, &tup->t_self, heap, UNIQUE_CHECK_YES,
#if PG_VERSION_NUM >= 140000
					 false,
#endif
					 ii);
	}

	index_endscan(scan);
	UnregisterSnapshot(snap);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, RowExclusiveLock);
	table_close(heap, RowExclusiveLock);
	CommandCounterIncrement();
}

void
sc_load_write(ScLoadDelta *dl)
{
	DeltaRow   *rows;
	const char **res;
	int32	   *days;
	int64	   *minutes;
	int			m = 0;

	if (dl->n == 0)
		return;

	/* merge per resource-day, in (resource, day) order: every writer locks rows alike */
	rows = palloc(sizeof(DeltaRow) * dl->n);
	for (int i = 0; i < dl->n; i++)
	{
		rows[i].res = dl->res[i];
		rows[i].day = dl->day[i];
		rows[i].minutes = dl->minutes[i];
	}
	qsort(rows, dl->n, sizeof(DeltaRow), delta_cmp);
	res = palloc(sizeof(char *) * dl->n);
	days = palloc(sizeof(int32) * dl->n);
	minutes = palloc(sizeof(int64) * dl->n);
	for (int i = 0; i < dl->n; i++)
	{
		if (m > 0 && strcmp(res[m - 1], rows[i].res) == 0 && days[m - 1] == rows[i].day)
			minutes[m - 1] += rows[i].minutes;
		else
		{
			res[m] = rows[i].res;
			days[m] = rows[i].day;
			minutes[m] = rows[i].minutes;
			m++;
		}
	}
	{
		int			k = 0;

		for (int i = 0; i < m; i++)
			if (minutes[i] != 0)
			{
				res[k] = res[i];
				days[k] = days[i];
				minutes[k] = minutes[i];
				k++;
			}
		m = k;
	}
	dl->n = 0;
	if (m == 0)
		return;

	/*
	 * A resource that loses minutes gets its release counter bumped (its row
	 * sorts first: day -infinity), telling every backend's lane cache.
	 */
	{
		const char **r2 = palloc(sizeof(char *) * (2 * m));
		int32	   *d2 = palloc(sizeof(int32) * (2 * m));
		int64	   *m2 = palloc(sizeof(int64) * (2 * m));
		int			k = 0;

		for (int i = 0; i < m; i++)
		{
			bool		first = i == 0 || strcmp(res[i - 1], res[i]) != 0;

			if (first)
			{
				bool		loses = false;

				for (int j = i; j < m && strcmp(res[j], res[i]) == 0; j++)
					loses |= minutes[j] < 0;
				if (loses)
				{
					r2[k] = res[i];
					d2[k] = DATEVAL_NOBEGIN;
					m2[k] = 1;
					k++;
				}
			}
			r2[k] = res[i];
			d2[k] = days[i];
			m2[k] = minutes[i];
			k++;
			cache_apply(res[i], days[i], minutes[i]);
		}
		res = r2;
		days = d2;
		minutes = m2;
		m = k;
	}

	load_write_rows(res, days, minutes, m);
}

void
sc_plan_log(const char *what, const char *why, int moved)
{
	static SPIPlanPtr plan = NULL;
	static const Oid types[3] = {TEXTOID, TEXTOID, INT4OID};
	Datum		v[3];
	char		n[4] = "   ";

	SPI_connect();
	saved_plan(&plan,
			   "INSERT INTO sacrosanct.plan_log (what, why, orders_moved) VALUES ($1, $2, $3)",
			   3, types);
	v[0] = CStringGetTextDatum(what);
	v[1] = why ? CStringGetTextDatum(why) : (Datum) 0;
	n[1] = why ? ' ' : 'n';
	v[2] = Int32GetDatum(moved);
	spi_run(plan, v, n, SPI_OK_INSERT, 1);
	SPI_finish();
}
