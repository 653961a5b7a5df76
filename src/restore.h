/*
 * restore.h
 *		Restoring a dump: the rows of the extension's tables are taken as
 *		they were dumped (doc/restore.md).
 */
#ifndef SC_RESTORE_H
#define SC_RESTORE_H

#include "sacrosanct.h"

#include "commands/trigger.h"

/*
 * Is this row or statement an INSERT of a restore?  True for an INSERT (or
 * COPY) while sacrosanct.restoring is on and the current user is a
 * superuser: the extension's triggers then take the row as it was dumped,
 * planning, checking and journaling nothing.  UPDATE, DELETE and TRUNCATE
 * are never a restore's.
 */
extern bool sc_restoring_insert(const TriggerData *td);

#endif							/* SC_RESTORE_H */
