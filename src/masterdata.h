/*
 * masterdata.h
 *		The master-data triggers' state across a transaction.
 */
#ifndef SC_MASTERDATA_H
#define SC_MASTERDATA_H

/* transaction end: no check is due any more */
extern void sc_masterdata_xact_end(void);

#endif							/* SC_MASTERDATA_H */
