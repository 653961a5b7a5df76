/*
 * query.h
 *		Read-only SQL through SPI: as the caller, or as the extension's
 *		owner for the plant's master data.
 */
#ifndef SC_QUERY_H
#define SC_QUERY_H

#include "sacrosanct.h"

#include "utils/snapshot.h"

/* run a read-only query with SPI (connected) against this snapshot, as the caller */
extern void sc_spi_select(const char *sql, Snapshot snapshot);

/*
 * The extension's own statements, as the extension's owner.  Every writer
 * of a guarded table needs the plant, whatever it may read itself, as a
 * foreign key check needs the referenced table: like the foreign-key
 * triggers, the plant is read as the owner of the tables it lives in.  And
 * guard() attaches triggers whose functions only the owner may attach.
 * Unlike the foreign-key triggers, the switch is a security-restricted
 * operation with search_path pinned to pg_catalog, and only statements the
 * extension wrote itself run inside it (SELECTs of master data, CREATE and
 * DROP TRIGGER): no caller's function, operator or trigger can.
 */
typedef struct ScOwner
{
	Oid			save_user;
	int			save_sec;
	int			save_nestlevel;
} ScOwner;

extern void sc_owner_begin(ScOwner *s);
extern void sc_owner_end(const ScOwner *s);

#endif							/* SC_QUERY_H */
