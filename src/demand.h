/*
 * demand.h
 *		sacrosanct.demand: the extension's record of every open guarded
 *		order and quote hold, and of where its work is loaded.
 */
#ifndef SC_DEMAND_H
#define SC_DEMAND_H

#include "sacrosanct.h"

#include "utils/numeric.h"
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
	int8		routing_same;	/* its steps are prod's routing: 1 yes, -1 no, 0 unknown */
	int64	   *work;
	int			nalloc;
	int32	   *alloc_step;
	ScDay	   *alloc_day;
	int32	   *alloc_min;
	ScDay		first_day;		/* no allocation before it (a lower bound; 0 when not known) */
	int32		steps_done;		/* steps [0, steps_done) complete (complete_step) */
	ScDay		done_on;		/* the day the last of them was completed; SC_NO_DAY: none */
} ScDemand;

/* reads, with a snapshot the caller took (after its locks, when it writes) */
extern bool sc_demand_by_key(const char *order_key, Oid source, Snapshot snapshot, ScDemand *out);
extern bool sc_demand_by_id(int64 id, Snapshot snapshot, ScDemand *out);
/* how many guarded tables hold an open order with this key; *source is one of them */
extern int	sc_demand_tables_of(const char *order_key, Snapshot snapshot, Oid *source);
/* Is any quote hold expired (hold_until < now) but not released yet? */
extern bool sc_expired_holds(Snapshot snapshot, TimestampTz now);
/*
 * Every demand row the snapshot shows, codes resolved against the plant: a
 * palloc'd array of pointers to records the backend keeps (demand.c).  The
 * records are read-only: copy one to change it.
 */
extern ScDemand **sc_demand_all(Snapshot snapshot, const ScPlant *plant, int *n);
/*
 * The number of the last sc_demand_all(); and for each record it returned,
 * the place the same record had in the scan before (*prev_no), -1 when it
 * is new to it (or the cache started afresh).
 */
extern uint64 sc_demand_scan_no(void);
extern const int *sc_demand_previous_places(uint64 *prev_no);

/* the plant's index of allocation k's resource (-1: not in the plant) */
extern int	sc_demand_alloc_ridx(const ScPlant *plant, const ScDemand *d, int k);

/* writes, between sc_write_begin() and sc_write_end() (tables.h) */
extern int64 sc_demand_insert(const ScDemand *d);
extern void sc_demand_update(const ScDemand *d);
extern void sc_demand_delete(int64 id);

#endif							/* SC_DEMAND_H */
