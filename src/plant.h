/*
 * plant.h
 *		The plant: calendars, resources, products and routings, read from
 *		the master-data tables into the engine's structures and cached per
 *		backend until a master-data change invalidates them.
 */
#ifndef SC_PLANT_H
#define SC_PLANT_H

#include "sacrosanct.h"

#include "utils/numeric.h"

typedef struct ScProduct
{
	const char *code;
	ScRouting	routing;		/* steps resolved to resource indexes */
	Numeric    *setup;			/* per step: setup_minutes */
	Numeric    *run;			/* per step: run_minutes */
} ScProduct;

typedef struct ScPlant
{
	int			nres;
	ScResource *res;			/* sorted by code (byte order) */
	uint32	   *lockkey;		/* per resource: its advisory lock key */
	int			nprod;
	ScProduct  *prod;			/* sorted by code */
	int			ncal;
	const char **cal_code;		/* sorted */
	ScCalendar *cal;
} ScPlant;

extern void sc_plant_init(void);

/*
 * The current plant, rebuilt from the latest committed master data (plus
 * this transaction's own changes) when a change has invalidated it.
 */
extern ScPlant *sc_plant(void);

/*
 * Which plant is current, without building one: 0 when none is, else a
 * number that changes with every rebuild (pointers may be reused).
 */
extern uint64 sc_plant_generation(void);

/* forget the cached plant (this backend), e.g. after this backend changed master data */
extern void sc_plant_invalidate(void);

/* -1 / NULL when unknown */
extern int	sc_plant_resource(const ScPlant *plant, const char *code);
extern const ScProduct *sc_plant_product(const ScPlant *plant, const char *code);

/*
 * The product of an order, or SC002 when it is unknown or has no routing.
 */
extern const ScProduct *sc_plant_product_for_order(const ScPlant *plant, const char *code);

/* Rule 2: work of every step of a product for quantity qty, into work[nsteps]. */
extern void sc_product_work(const ScProduct *p, Numeric qty, int64 *work);

/* Refuse overlapping windows in any calendar (23P01). */
extern void sc_plant_check_windows(void);

#endif							/* SC_PLANT_H */
