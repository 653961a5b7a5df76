/*
 * locks.h
 *		The per-resource locks that serialize writers of the schedule.
 *
 * A finite resource's capacity is taken by one writer at a time: its lock
 * is exclusive, held to the end of the transaction, and every writer takes
 * the locks it needs at once, in one fixed order.  A single statement that
 * places one order therefore never deadlocks with another.  A transaction
 * that places orders in several statements takes more locks as it goes and
 * can deadlock with another doing the same in the opposite order;
 * PostgreSQL then cancels one of them (SQLSTATE 40P01) and it may retry.
 */
#ifndef SC_LOCKS_H
#define SC_LOCKS_H

#include "plant.h"

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

#endif							/* SC_LOCKS_H */
