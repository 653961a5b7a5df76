/*
 * tables.h
 *		The extension's own tables (demand, load, plan_log, renegotiation):
 *		where they are, and a writer that changes them directly.
 *
 * The schedule tables are written only by the extension's C code and never
 * through SQL: a row is stored with the executor's simple-relation routines
 * (as logical replication applies rows), which check the table's
 * constraints and maintain every one of its indexes but fire no trigger and
 * check no privilege.  So no identity switch is needed to write them, and no
 * user code can run while they are written; the statement trigger
 * sacrosanct_schedule_write refuses every SQL write.
 */
#ifndef SC_TABLES_H
#define SC_TABLES_H

#include "sacrosanct.h"

#include "access/genam.h"
#include "executor/tuptable.h"
#include "nodes/execnodes.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

/* the tables a writer can open */
typedef enum ScTable
{
	SC_DEMAND,
	SC_LOAD,
	SC_PLAN_LOG,
	SC_RENEGOTIATION,
	SC_ORDERS,					/* sacrosanct.orders: only its at_risk column, see renegotiation.c */
	SC_DELIVERY,				/* 0.1.0: none (InvalidOid) */
	SC_NTABLES
} ScTable;

/* relation ids, resolved once per backend (and again after DDL on them) */
typedef struct ScRels
{
	Oid			table[SC_NTABLES];
	Oid			pkey[SC_NTABLES];	/* each table's primary key index */
	Oid			seq[SC_NTABLES];	/* its identity sequence, InvalidOid for none */
	Oid			demand_key;			/* demand (order_key, source) */
	int			demand_key_cols;	/* 1: 0.1.0's demand (order_key), until ALTER EXTENSION UPDATE */
	Oid			demand_hold;		/* demand (hold_until) */
	Oid			renegotiation_open; /* renegotiation (order_key, source) WHERE open; 0.1.0: none */
} ScRels;

extern const ScRels *sc_rels(void);

/*
 * A table open for writing, between sc_write_begin() and sc_write_end().
 * Fill 'slot' (values and nulls of every column) before an insert or an
 * update; sc_writer_find() puts the row to update or delete into 'found'.
 */
typedef struct ScWriter
{
	bool		open;
	ScTable		which;
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	TupleTableSlot *found;
	Relation	index;
	IndexScanDesc scan;			/* on that index, begun by sc_writer_seek() */
	Snapshot	snapshot;
} ScWriter;

/* Writes nest; the outermost end closes every writer opened inside. */
extern void sc_write_begin(void);
extern void sc_write_end(void);
/* an aborted (sub)transaction released what the writers held: forget them */
extern void sc_writers_forget(void);

extern ScWriter *sc_writer(ScTable t);
/* the next value of the table's identity column */
extern int64 sc_writer_next_id(ScTable t);
/* clear the slot for a new row: every column NULL */
extern void sc_writer_clear(ScWriter *w);
extern void sc_writer_insert(ScWriter *w);
/*
 * Look rows up through an index (the primary key when 'index' is
 * InvalidOid) with a snapshot that sees everything committed and this
 * transaction's own earlier writes: sc_writer_seek() takes that snapshot
 * (call it before a batch), sc_writer_find() finds one row into w->found.
 */
extern void sc_writer_seek(ScWriter *w, Oid index);
extern bool sc_writer_find(ScWriter *w, ScanKey keys, int nkeys);
extern void sc_writer_update(ScWriter *w);
extern void sc_writer_delete(ScWriter *w);

/*
 * A row we must change is gone: under REPEATABLE READ or SERIALIZABLE a
 * writer committed after our snapshot.  The resource locks exclude this
 * under READ COMMITTED.
 */
extern void sc_schedule_serialization_failure(void) pg_attribute_noreturn();

#endif							/* SC_TABLES_H */
