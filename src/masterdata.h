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

#endif							/* SC_MASTERDATA_H */
