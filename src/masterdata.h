/*
 * masterdata.h
 *		The master-data triggers' state across a transaction.
 */
#ifndef SC_MASTERDATA_H
#define SC_MASTERDATA_H

/* transaction end: no check is due any more; subtransaction abort: no force either */
extern void sc_masterdata_xact_end(void);
extern void sc_masterdata_subxact_abort(void);

/*
 * remove_capacity(..., force => true): the master-data changes made between
 * begin and end are forced with 'reason' (checked, and what cannot be kept
 * put at risk, never refused); end runs a check deferred to commit now.
 */
extern void sc_masterdata_force_begin(const char *reason);
extern void sc_masterdata_force_end(void);

/*
 * complete_step() reported a step late: the order's next step is planned
 * before the completion day plus its lag.  The order is repaired around
 * the rest, else the plant replanned, else the order put at risk with a
 * renegotiation for 'reason' (reality is recorded, never refused).
 */
extern void sc_masterdata_progress_check(const char *reason);

#endif							/* SC_MASTERDATA_H */
