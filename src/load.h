/*
 * load.h
 *		sacrosanct.load: planned minutes per finite resource and day, the sum
 *		of the allocations, read through a per-backend lane cache and written
 *		as merged deltas.
 */
#ifndef SC_LOAD_H
#define SC_LOAD_H

#include "sacrosanct.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "executor/tuptable.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

#include "demand.h"
#include "plant.h"

/* A fill callback for lazy boards: sacrosanct.load through its index and the lane cache. */
typedef struct ScLoadReader
{
	const ScPlant *plant;
	Snapshot	snapshot;
	Relation	heap;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	bool	   *checked;		/* per resource: release counter read */
	uint8	   *reads;			/* per resource: day ranges read so far */
	Datum	   *code;			/* per resource: its code as text, once built */
} ScLoadReader;

extern void sc_load_reader_open(ScLoadReader *rd, const ScPlant *plant, Snapshot snapshot,
								ScDay today, int32 ndays);
extern int32 sc_load_reader_fill(void *arg, int res, ScDay from, ScDay upto,
								 const int64 *cap, int64 *planned);
extern void sc_load_reader_close(ScLoadReader *rd);
/* forget every cached lane (transaction abort) */
extern void sc_lane_cache_reset(void);

/* Accumulates load deltas; sc_load_write() applies them sorted (no deadlocks). */
typedef struct ScLoadDelta
{
	int			n;
	int			max;
	const char **res;
	ScDay	   *day;
	int64	   *minutes;
} ScLoadDelta;

extern void sc_delta_add(ScLoadDelta *dl, const char *res, ScDay day, int64 minutes);
/* add (sign +1) or take away (-1) every allocation of a record on a finite resource */
extern void sc_delta_demand(ScLoadDelta *dl, const ScPlant *plant, const ScDemand *d, int sign);
/* every non-zero load row, as deltas */
extern void sc_load_all(Snapshot snapshot, ScLoadDelta *out);
/* apply the deltas (between sc_write_begin() and sc_write_end()) */
extern void sc_load_write(ScLoadDelta *dl);

#endif							/* SC_LOAD_H */
