/*
 * demand.c
 *		Reading and writing sacrosanct.demand (see demand.h).
 *
 * Reads bypass SPI and the executor: a replan reads every demand row, so
 * rows are read with the table and index access methods, their small
 * arrays in place, their codes interned against the plant.  Writes go
 * through the direct writer of tables.c.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/visibilitymap.h"
#include "access/xlog.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "demand.h"
#include "tables.h"

/* sacrosanct.demand's columns, in table order */
enum
{
	D_ID = 1, D_ORDER_KEY, D_SOURCE, D_HOLD_UNTIL, D_PRODUCT, D_QTY, D_PROMISED,
	D_NOT_BEFORE, D_AT_RISK, D_BACKED, D_PLANNED_FINISH, D_STEP, D_STEP_RESOURCE,
	D_STEP_WORK, D_ALLOC_STEP, D_ALLOC_DAY, D_ALLOC_MINUTES, D_STEPS_DONE, D_DONE_ON,
	D_NATTS = D_DONE_ON
};

/* 0.1.0's demand ends at alloc_minutes, until ALTER EXTENSION UPDATE */
#define D_NATTS_0_1 D_ALLOC_MINUTES

static const char *const demand_columns[D_NATTS] = {
	"id", "order_key", "source", "hold_until", "product", "qty", "promised",
	"not_before", "at_risk", "backed", "planned_finish", "step", "step_resource",
	"step_work", "alloc_step", "alloc_day", "alloc_minutes", "steps_done", "done_on"
};

/* the column numbers above are the table's; an upgrade that moves them must say so here */
static void
check_columns(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (desc->natts != D_NATTS && desc->natts != D_NATTS_0_1)
		elog(ERROR, "sacrosanct.demand has %d columns, expected %d", desc->natts, D_NATTS);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (strcmp(NameStr(att->attname), demand_columns[i]) != 0)
			elog(ERROR, "sacrosanct.demand column %d is \"%s\", expected \"%s\"",
				 i + 1, NameStr(att->attname), demand_columns[i]);
	}
}

/* ------------------------------------------------------------------------
 * Reading
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
	Size		used;			/* bytes handed out, for the cache's accounting */
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
	a->used += size;
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
	/* judged once per version read, not in every session that plans it */
	d->routing_same = 0;
	if (prod)
	{
		d->routing_same = d->nsteps == prod->routing.nsteps ? 1 : -1;
		for (int i = 0; i < d->nsteps && d->routing_same > 0; i++)
			if (d->step_no[i] != prod->routing.steps[i].step_no ||
				d->step_ridx[i] != prod->routing.steps[i].res)
				d->routing_same = -1;
	}
	d->steps_done = 0;
	d->done_on = SC_NO_DAY;
	if (slot->tts_tupleDescriptor->natts >= D_DONE_ON)
	{
		d->steps_done = DatumGetInt32(v[D_STEPS_DONE - 1]);
		d->done_on = nul[D_DONE_ON - 1] ? SC_NO_DAY : DatumGetDateADT(v[D_DONE_ON - 1]);
	}
	d->nalloc = fixed_array(v[D_ALLOC_STEP - 1], sizeof(int32), (void **) &d->alloc_step, arena);
	if (fixed_array(v[D_ALLOC_DAY - 1], sizeof(int32), (void **) &d->alloc_day, arena) != d->nalloc ||
		fixed_array(v[D_ALLOC_MINUTES - 1], sizeof(int32), (void **) &d->alloc_min, arena) != d->nalloc)
		elog(ERROR, "sacrosanct.demand row %lld has allocation arrays of different lengths",
			 (long long) d->id);
	d->first_day = PG_INT32_MAX;
	for (int k = 0; k < d->nalloc; k++)
		if (d->alloc_day[k] < d->first_day)
			d->first_day = d->alloc_day[k];
}

static bool
demand_fetch(Oid index, ScanKey keys, int nkeys, Snapshot snapshot, ScDemand *out)
{
	const ScRels *rels = sc_rels();
	Relation	heap = table_open(rels->table[SC_DEMAND], AccessShareLock);
	Relation	idx = index_open(index, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(heap, NULL);
	IndexScanDesc scan = index_beginscan(heap, idx, snapshot, nkeys, 0);
	bool		found;

	index_rescan(scan, keys, nkeys, NULL, 0);
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
sc_demand_by_key(const char *order_key, Oid source, Snapshot snapshot, ScDemand *out)
{
	ScanKeyData key[2];

	ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(order_key));
	key[0].sk_collation = C_COLLATION_OID;
	ScanKeyInit(&key[1], 2, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(source));
	return demand_fetch(sc_rels()->demand_key, key, sc_rels()->demand_key_cols, snapshot, out);
}

int
sc_demand_tables_of(const char *order_key, Snapshot snapshot, Oid *source)
{
	const ScRels *rels = sc_rels();
	Relation	heap = table_open(rels->table[SC_DEMAND], AccessShareLock);
	Relation	idx = index_open(rels->demand_key, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(heap, NULL);
	IndexScanDesc scan = index_beginscan(heap, idx, snapshot, 1, 0);
	ScanKeyData key;
	int			n = 0;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(order_key));
	key.sk_collation = C_COLLATION_OID;
	index_rescan(scan, &key, 1, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;

		*source = DatumGetObjectId(slot_getattr(slot, D_SOURCE, &isnull));
		n++;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, AccessShareLock);
	table_close(heap, AccessShareLock);
	return n;
}

bool
sc_demand_by_id(int64 id, Snapshot snapshot, ScDemand *out)
{
	ScanKeyData key;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
	return demand_fetch(sc_rels()->pkey[SC_DEMAND], &key, 1, snapshot, out);
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

	heap = table_open(sc_rels()->table[SC_DEMAND], AccessShareLock);
	idx = index_open(sc_rels()->demand_hold, AccessShareLock);
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

/*
 * Every open order and hold, parsed, kept by each backend across
 * statements.  A quote, a refusal and a replan read every open order; most
 * of them have not changed since the backend last read them.  The scan
 * still visits every row version the snapshot shows (that is what keeps
 * the answer exact), but a version the backend has parsed before, the same
 * TID with the same xmin (a version never changes, and its TID is not
 * reused while it can still be seen), is neither deformed nor parsed again.
 * The scan runs in TID order (no synchronized start), so the last scan's
 * rows, kept in that order, are matched by walking along them.  The rows
 * are resolved against the plant they were read with: a new plant starts
 * the cache afresh.
 */
typedef struct CachedRow
{
	ItemPointerData tid;
	TransactionId xmin;
	ScDemand   *rec;
	Size		bytes;
} CachedRow;

/*
 * A page whose rows need not be visited again.  When the last scan read it,
 * it was all-visible (every row on it visible to every snapshot, so the
 * scan took them all); if it is all-visible now with the same LSN, nothing
 * on it changed since (any change of a row is WAL-logged, so moves the LSN,
 * and clears the all-visible bit until a VACUUM sets it again, which leaves
 * the LSN the change gave it), and its rows are the same ones.  Most of a
 * large demand table is such pages: a scan then reads their LSN and copies
 * their rows from the last scan, and visits only the pages that changed.
 */
typedef struct CachedPage
{
	XLogRecPtr	lsn;			/* InvalidXLogRecPtr: visit it */
	int			first;			/* its rows in the last scan's rows */
	int			count;
	Buffer		buf;			/* the shared buffer it was in, to find it again cheaply */
} CachedPage;

static struct
{
	MemoryContext cxt;
	uint64		plant_generation;
	RelFileNode node;
	Arena		arena;
	CachedRow  *rows;			/* the last scan's rows, in TID order */
	int			n;
	int			rows_cap;
	CachedRow  *spare;			/* the array the next scan fills */
	int			spare_cap;
	Size		live;			/* bytes of the rows the last scan saw */
	CachedPage *pages;			/* per block of the last scan */
	BlockNumber npages;			/* blocks the last scan had */
	BlockNumber pages_cap;
	CachedPage *spare_pages;	/* the array the next scan fills */
	BlockNumber spare_npages;	/* its capacity */
	int		   *prev;			/* per row of the last scan: its place in the one before */
	int		   *spare_prev;
	uint64		scan_no;		/* scans so far */
} cache;

/*
 * Start afresh.  The rows handed out before stay valid to the end of the
 * transaction (a caller up the stack may still hold them), as the plant does.
 */
static void
cache_reset(Relation heap)
{
	uint64		scan_no = cache.scan_no;

	if (cache.cxt)
		MemoryContextSetParent(cache.cxt, TopTransactionContext);
	memset(&cache, 0, sizeof(cache));
	cache.scan_no = scan_no;
	cache.cxt = AllocSetContextCreate(CacheMemoryContext, "sacrosanct demand cache",
									  ALLOCSET_DEFAULT_SIZES);
	cache.plant_generation = sc_plant_generation();
	cache.node = heap->rd_node;
}

/* the version of the row in the slot: its xmin */
static TransactionId
slot_xmin(TupleTableSlot *slot)
{
	bool		should_free;
	HeapTuple	tup = ExecFetchSlotHeapTuple(slot, false, &should_free);

	Assert(!should_free);
	return HeapTupleHeaderGetRawXmin(tup->t_data);
}

/*
 * The LSN of a page that is all-visible now, else InvalidXLogRecPtr.
 * *recent is the buffer the page was in last time (InvalidBuffer: none),
 * tried before the buffer mapping; on return, the one it is in.
 */
static XLogRecPtr
settled_lsn(Relation heap, BlockNumber blk, Buffer *vmbuf, Buffer *recent)
{
	Buffer		buf = InvalidBuffer;
	XLogRecPtr	lsn;

	if (!VM_ALL_VISIBLE(heap, blk, vmbuf))
		return InvalidXLogRecPtr;
#if PG_VERSION_NUM >= 140000
	if (BufferIsValid(*recent) &&
		ReadRecentBuffer(heap->rd_node, MAIN_FORKNUM, blk, *recent))
		buf = *recent;
#endif
	if (!BufferIsValid(buf))
		buf = ReadBufferExtended(heap, MAIN_FORKNUM, blk, RBM_NORMAL, NULL);
	lsn = BufferGetLSNAtomic(buf);
	ReleaseBuffer(buf);
	*recent = buf;
	return lsn;
}

/* room for m + more rows in the array the scan fills */
static void
spare_room(int m, int more, ScDemand ***all)
{
	if (m + more <= cache.spare_cap)
		return;
	cache.spare_cap = Max(2 * cache.spare_cap, m + more + 1024);
	cache.spare = repalloc_huge(cache.spare, sizeof(CachedRow) * cache.spare_cap);
	cache.spare_prev = repalloc_huge(cache.spare_prev, sizeof(int) * cache.spare_cap);
	*all = repalloc_huge(*all, sizeof(ScDemand *) * (cache.spare_cap + 1));
}

ScDemand **
sc_demand_all(Snapshot snapshot, const ScPlant *plant, int *n)
{
	Relation	heap;
	TableScanDesc scan;
	TupleTableSlot *slot;
	ScDemand  **all;
	BlockNumber nblocks;
	XLogRecPtr *now_lsn;
	Buffer	   *now_buf;
	Buffer		vmbuf = InvalidBuffer;
	bool		by_page;
	int			j = 0;
	int			m = 0;
	Size		live = 0;

	heap = table_open(sc_rels()->table[SC_DEMAND], AccessShareLock);
	check_columns(heap);
	/* a new plant, a rewritten table, or more garbage than rows: afresh */
	if (cache.cxt == NULL || cache.plant_generation != sc_plant_generation() ||
		!RelFileNodeEquals(cache.node, heap->rd_node) ||
		cache.arena.used > 2 * cache.live + 4 * 1024 * 1024)
		cache_reset(heap);
	if (cache.spare_cap < cache.n + 1024)
	{
		/* room for what the last scan found, and more */
		if (cache.spare)
			pfree(cache.spare);
		if (cache.spare_prev)
			pfree(cache.spare_prev);
		cache.spare_cap = Max(1024, 2 * cache.n);
		cache.spare = MemoryContextAllocHuge(cache.cxt, sizeof(CachedRow) * cache.spare_cap);
		cache.spare_prev = MemoryContextAllocHuge(cache.cxt, sizeof(int) * cache.spare_cap);
	}
	all = palloc_extended(sizeof(ScDemand *) * (cache.spare_cap + 1), MCXT_ALLOC_HUGE);
	cache.scan_no++;

	/*
	 * Pages are skipped only where the LSN tells every change: a logged
	 * table, not during recovery (a standby's visibility map may run ahead
	 * of what its snapshots see), a heap.
	 */
	nblocks = RelationGetNumberOfBlocks(heap);
	by_page = RelationNeedsWAL(heap) && !RecoveryInProgress() &&
		heap->rd_tableam == GetHeapamTableAmRoutine();
	if (cache.spare_npages < nblocks || cache.spare_pages == NULL)
	{
		if (cache.spare_pages)
			pfree(cache.spare_pages);
		cache.spare_npages = Max(nblocks + 64, 2 * nblocks);
		cache.spare_pages = MemoryContextAllocHuge(cache.cxt, sizeof(CachedPage) * cache.spare_npages);
	}
	now_lsn = palloc_extended(sizeof(XLogRecPtr) * (nblocks + 1), MCXT_ALLOC_HUGE);
	now_buf = palloc_extended(sizeof(Buffer) * (nblocks + 1), MCXT_ALLOC_HUGE);
	for (BlockNumber b = 0; b < nblocks; b++)
	{
		now_buf[b] = b < cache.npages ? cache.pages[b].buf : InvalidBuffer;
		now_lsn[b] = by_page ? settled_lsn(heap, b, &vmbuf, &now_buf[b]) : InvalidXLogRecPtr;
	}

	slot = table_slot_create(heap, NULL);
	scan = table_beginscan_strat(heap, snapshot, 0, NULL, true, false);
	for (BlockNumber blk = 0; blk < nblocks;)
	{
		BlockNumber end;

		/* an unchanged all-visible page: its rows, as the last scan read them */
		if (now_lsn[blk] != InvalidXLogRecPtr && blk < cache.npages &&
			cache.pages[blk].lsn == now_lsn[blk])
		{
			const CachedPage *p = &cache.pages[blk];

			spare_room(m, p->count, &all);
			memcpy(&cache.spare[m], &cache.rows[p->first], sizeof(CachedRow) * p->count);
			for (int i = 0; i < p->count; i++)
			{
				live += cache.spare[m + i].bytes;
				all[m + i] = cache.spare[m + i].rec;
				cache.spare_prev[m + i] = p->first + i;
			}
			cache.spare_pages[blk] = (CachedPage) {p->lsn, m, p->count, now_buf[blk]};
			m += p->count;
			j = Max(j, p->first + p->count);
			blk++;
			continue;
		}

		/* a run of pages to visit */
		for (end = blk + 1; end < nblocks; end++)
			if (now_lsn[end] != InvalidXLogRecPtr && end < cache.npages &&
				cache.pages[end].lsn == now_lsn[end])
				break;
		for (BlockNumber b = blk; b < end; b++)
			cache.spare_pages[b] = (CachedPage) {InvalidXLogRecPtr, m, 0, now_buf[b]};
		table_rescan(scan, NULL);
		heap_setscanlimits(scan, blk, end - blk);
		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			TransactionId xmin = slot_xmin(slot);
			CachedRow  *row;
			CachedPage *page = &cache.spare_pages[ItemPointerGetBlockNumber(&slot->tts_tid)];

			while (j < cache.n && ItemPointerCompare(&cache.rows[j].tid, &slot->tts_tid) < 0)
				j++;
			spare_room(m, 1, &all);
			row = &cache.spare[m];
			cache.spare_prev[m] = -1;
			if (j < cache.n && ItemPointerEquals(&cache.rows[j].tid, &slot->tts_tid) &&
				cache.rows[j].xmin == xmin)
			{
				*row = cache.rows[j];
				cache.spare_prev[m] = j;
			}
			else
			{
				Size		before = cache.arena.used;
				MemoryContext old = MemoryContextSwitchTo(cache.cxt);

				row->rec = arena_alloc(&cache.arena, sizeof(ScDemand));
				demand_from_slot(slot, row->rec, plant, &cache.arena);
				MemoryContextSwitchTo(old);
				row->tid = slot->tts_tid;
				row->xmin = xmin;
				row->bytes = cache.arena.used - before;
			}
			if (page->count++ == 0)
				page->first = m;
			live += row->bytes;
			all[m++] = row->rec;
		}
		/* remember a page as settled only if nothing changed while it was read */
		for (BlockNumber b = blk; b < end; b++)
			if (now_lsn[b] != InvalidXLogRecPtr &&
				settled_lsn(heap, b, &vmbuf, &cache.spare_pages[b].buf) == now_lsn[b])
				cache.spare_pages[b].lsn = now_lsn[b];
		blk = end;
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	if (BufferIsValid(vmbuf))
		ReleaseBuffer(vmbuf);
	table_close(heap, AccessShareLock);
	pfree(now_lsn);
	pfree(now_buf);

	/* this scan's rows and pages are what the next one walks along */
	{
		CachedRow  *t = cache.rows;
		int			tcap = cache.rows_cap;
		CachedPage *tp = cache.pages;
		BlockNumber tnp = cache.pages_cap;

		int		   *tprev = cache.prev;

		cache.rows = cache.spare;
		cache.rows_cap = cache.spare_cap;
		cache.prev = cache.spare_prev;
		cache.n = m;
		cache.spare = t;
		cache.spare_cap = tcap;
		cache.spare_prev = tprev;
		cache.pages = cache.spare_pages;
		cache.pages_cap = cache.spare_npages;
		cache.npages = nblocks;
		cache.spare_pages = tp;
		cache.spare_npages = tnp;
	}
	cache.live = live;
	*n = m;
	return all;
}

uint64
sc_demand_scan_no(void)
{
	return cache.scan_no;
}

const int *
sc_demand_previous_places(uint64 *prev_no)
{
	*prev_no = cache.scan_no - 1;
	return cache.prev;
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

/* a record's columns into the writer's slot */
static void
demand_to_slot(const ScDemand *d, int64 id, TupleTableSlot *slot)
{
	Datum	   *v = slot->tts_values;
	bool	   *n = slot->tts_isnull;

	ExecClearTuple(slot);
	memset(n, 0, sizeof(bool) * slot->tts_tupleDescriptor->natts);
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
	if (slot->tts_tupleDescriptor->natts >= D_DONE_ON)
	{
		v[D_STEPS_DONE - 1] = Int32GetDatum(d->steps_done);
		v[D_DONE_ON - 1] = DateADTGetDatum(d->done_on);
		n[D_DONE_ON - 1] = d->done_on == SC_NO_DAY;
	}
}

static ScWriter *
demand_writer(void)
{
	ScWriter   *w = sc_writer(SC_DEMAND);

	check_columns(w->rel);
	return w;
}

/* the current version of demand row 'id', into w->found; gone is a serialization failure */
static ScWriter *
demand_locate(int64 id)
{
	ScWriter   *w = demand_writer();
	ScanKeyData key;

	/* every row is written under the locks of its resources: what we find is the latest */
	sc_writer_seek(w, InvalidOid);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
	if (!sc_writer_find(w, &key, 1))
		sc_schedule_serialization_failure();
	return w;
}

int64
sc_demand_insert(const ScDemand *d)
{
	ScWriter   *w = demand_writer();
	int64		id = sc_writer_next_id(SC_DEMAND);

	demand_to_slot(d, id, w->slot);
	sc_writer_insert(w);
	return id;
}

void
sc_demand_update(const ScDemand *d)
{
	ScWriter   *w = demand_locate(d->id);

	demand_to_slot(d, d->id, w->slot);
	sc_writer_update(w);
}

void
sc_demand_delete(int64 id)
{
	sc_writer_delete(demand_locate(id));
}
