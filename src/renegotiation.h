/*
 * renegotiation.h
 *		Broken promises: an order put at risk by a forced change gets one
 *		open renegotiation, closed when the customer agrees a new promise
 *		the schedule backs (agreed) or the order is cancelled or deleted.
 */
#ifndef SC_RENEGOTIATION_H
#define SC_RENEGOTIATION_H

#include "sacrosanct.h"

/*
 * Open the order's renegotiation (or, when one is open already, give it the
 * new earliest date and reason), and mark the guarded row at risk where the
 * table has the column (sacrosanct.orders).  Returns the renegotiation's id.
 * Between sc_write_begin() and sc_write_end().
 */
extern int64 sc_renegotiation_open(const char *key, Oid source, ScDay old_promise,
								   ScDay new_earliest, const char *reason);

/* Close the order's open renegotiation, if any, as 'agreed' or 'cancelled'. */
extern void sc_renegotiation_close(const char *key, Oid source, const char *status);

/* An order at risk got a new key: its open renegotiation, if any, follows it. */
extern void sc_renegotiation_rename(const char *key, const char *new_key, Oid source);

/*
 * A forced change that holds every resource lock must not wait for the row
 * of an order another transaction holds (that one may wait for the locks):
 * with sc_orders_row_nowait set, putting such an order at risk notes its key
 * in sc_orders_row_busy and raises ERRCODE_LOCK_NOT_AVAILABLE; the caller
 * rolls back, sc_wait_for_orders_row(key), and tries again.
 */
extern bool sc_orders_row_nowait;
extern char sc_orders_row_busy[];
extern void sc_wait_for_orders_row(const char *key);

#endif							/* SC_RENEGOTIATION_H */
