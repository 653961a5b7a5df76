/*
 * guard.h
 *		The guard's triggers on a guarded order table, and what they keep
 *		across one statement.
 */
#ifndef SC_GUARD_H
#define SC_GUARD_H

#include "sacrosanct.h"

#include "access/xact.h"

/* transaction end and subtransaction abort: forget the statement's reservations */
extern void sc_guard_xact_end(void);
extern void sc_guard_subxact_abort(SubTransactionId subxid);
/* before commit: a reservation neither taken by its row nor undone is an error */
extern void sc_guard_pre_commit(void);

#endif							/* SC_GUARD_H */
