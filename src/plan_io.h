/*
 * plan_io.h
 *		Reading and writing the schedule tables (demand, load, plan_log),
 *		and the per-resource locks that serialize writers.
 */
#ifndef SC_PLAN_IO_H
#define SC_PLAN_IO_H

#include "sacrosanct.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "executor/tuptable.h"
#include "utils/numeric.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"
#include "utils/timestamp.h"

#include "plant.h"

/* The extension's record of one open order or quote hold (a demand row). */
typedef struct ScDemand
{
	int64		id;				/* 0: not written yet */
	char	   *order_key;		/* NULL: a quote hold */
	Oid			source;			/* guarded table, InvalidOid for a hold */
	TimestampTz hold_until;		/* holds only */
	char	   *product;
	Numeric		qty;
	ScDay		promised;
	ScDay		not_before;		/* SC_NO_DAY: none */
	bool		at_risk;
	bool		backed;
	ScDay		planned_finish; /* SC_NO_DAY: not planned within the horizon */
	int			nsteps;
	int32	   *step_no;
	char	  **step_res;
	int32	   *step_ridx;		/* each step's resource in the plant read with, -1 unknown; may be NULL */
	const ScProduct *prod;		/* its product in the plant read with; NULL unknown */
	int64	   *work;
	int			nalloc;
	int32	   *alloc_step;
	ScDay	   *alloc_day;
	int32	   *alloc_min;
} ScDemand;

/* ---- running as the extension's owner ---- */

/*
 * The guard writes the schedule on behalf of whoever inserted the order,
 * who may hold no privilege on the schedule tables: like the foreign-key
 * triggers, it switches to the owner of those tables for its own queries.
 */
typedef struct ScAsOwner
{
	Oid			save_user;
	int			save_sec;
	bool		save_writing;
} ScAsOwner;

extern void sc_owner_begin(ScAsOwner *s);
extern void sc_owner_end(const ScAsOwner *s);

/* ---- locks ---- */

typedef struct ScLocks
{
	int			n;
	uint32	   *keys;			/* acquired by this operation, ascending */
	int		   *modes;
} ScLocks;

/*
 * Lock the resources res[0..n) in a fixed order (adds to held): finite ones
 * exclusively, the others shared.
 */
extern void sc_lock_resources(const ScPlant *plant, const int *res, int n, ScLocks *held);
/* Lock every resource of the plant exclusively (replans). */
extern void sc_lock_all(const ScPlant *plant, ScLocks *held);
/* Release what this operation acquired (locks taken earlier in the transaction stay). */
extern void sc_unlock(ScLocks *held);

/* ---- reads, with a snapshot taken after the locks ---- */

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

extern bool sc_demand_by_key(const char *order_key, Snapshot snapshot, ScDemand *out);
extern bool sc_demand_by_id(int64 id, Snapshot snapshot, ScDemand *out);
/* Is any quote hold expired (hold_until < now) but not released yet? */
extern bool sc_expired_holds(Snapshot snapshot, TimestampTz now);
/* every demand row, palloc'd array */
extern ScDemand *sc_demand_all(Snapshot snapshot, const ScPlant *plant, int *n);

/* ---- writes, as the owner: heap and indexes directly, the plan log through SPI ---- */

extern int64 sc_demand_insert(const ScDemand *d);
/* an aborted (sub)transaction closed the demand writer's relations */
extern void sc_demand_writer_forget(void);
extern void sc_demand_update(const ScDemand *d);
extern void sc_demand_delete(int64 id);

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
extern void sc_load_write(ScLoadDelta *dl);

extern void sc_plan_log(const char *what, const char *why, int moved);

/* the plant's index of allocation k's resource (-1: not in the plant) */
extern int	sc_demand_alloc_ridx(const ScPlant *plant, const ScDemand *d, int k);

/* resource code of allocation k of a demand record */
extern const char *sc_demand_alloc_res(const ScDemand *d, int k);

#endif							/* SC_PLAN_IO_H */
