/*
 * guardmap.h
 *		The guard's column map: the argument list of its triggers, which
 *		names the guarded table's columns and its status values.
 *
 * Arguments, in order: key, product, qty, promised, status, not_before,
 * quote_id, at_risk, delivered (column names; '' when the table has no
 * such column), then the status values meaning done and those meaning
 * cancelled, each a text array literal ('{done}', '{shipped,"void"}').
 * guard() writes them; the triggers and verify() read them here, and only
 * here.
 */
#ifndef SC_GUARDMAP_H
#define SC_GUARDMAP_H

#include "sacrosanct.h"

#include "access/htup.h"
#include "utils/relcache.h"

#include "session.h"

enum
{
	G_KEY, G_PRODUCT, G_QTY, G_PROMISED, G_STATUS, G_NOT_BEFORE, G_QUOTE,
	G_AT_RISK, G_DELIVERED, G_NCOLS
};
#define G_NARGS		(G_NCOLS + 2)

extern const char *const sc_guard_arg_names[G_NCOLS];

typedef struct ScGuardArgs
{
	const char *col[G_NCOLS];	/* column names, "" for none */
	int			ndone;
	char	  **done;			/* status values meaning done, compared exactly */
	int			ncancelled;
	char	  **cancelled;		/* status values meaning cancelled */
} ScGuardArgs;

/*
 * Parse and check a guard trigger's arguments (the count, the required
 * columns, the status lists); 'trigger' names it in errors.
 */
extern void sc_guard_args_parse(int nargs, char **args, const char *trigger, ScGuardArgs *out);
/* the same from pg_trigger's tgnargs and tgargs (NUL-separated bytes) */
extern void sc_guard_args_parse_bytes(int nargs, const char *bytes, int len,
									  const char *trigger, ScGuardArgs *out);
/* is a status value in a list? (exact comparison) */
extern bool sc_guard_value_in(const char *value, char **values, int n);
/* a status list as the array literal the trigger takes */
extern char *sc_guard_values_literal(char **values, int n);

/* A guarded table's columns, resolved: fill args, then sc_guard_map_init(). */
typedef struct ScGuardMap
{
	Relation	rel;
	TupleDesc	desc;
	ScGuardArgs args;
	int			att[G_NCOLS];	/* attribute numbers, 0 when not mapped */
} ScGuardMap;

extern void sc_guard_map_init(ScGuardMap *m, Relation rel);

/* reading a row of the table through the map */
extern Datum sc_guard_get(const ScGuardMap *m, HeapTuple t, int col, bool *isnull);
extern Oid	sc_guard_coltype(const ScGuardMap *m, int col);
extern const char *sc_guard_colname(const ScGuardMap *m, int col);
/* a column as text (its type's output); NULL when NULL */
extern char *sc_guard_get_text(const ScGuardMap *m, HeapTuple t, int col);
/* a date column, or a timestamptz one read in the plant's time zone; SC_NO_DAY when NULL */
extern ScDay sc_guard_get_day(const ScGuardMap *m, HeapTuple t, int col);
/* a day as the column's type holds it (midnight in the plant's zone for timestamptz) */
extern Datum sc_guard_day_datum(const ScGuardMap *m, int col, ScDay day);
/* open unless the status says done or cancelled; a NULL status is open */
extern bool sc_guard_row_open(const ScGuardMap *m, HeapTuple t);
extern bool sc_guard_row_done(const ScGuardMap *m, HeapTuple t);
/*
 * The order a row describes.  With 'lenient', returns false when the row
 * lacks what the table's own constraints will refuse (a NULL or
 * non-positive quantity); otherwise the guard refuses it.
 */
extern bool sc_guard_row_order(const ScGuardMap *m, HeapTuple t, ScOrderIn *in, bool lenient);

#endif							/* SC_GUARDMAP_H */
