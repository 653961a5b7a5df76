/*
 * guardmap.c
 *		The guard's column map: its argument list, and reading a guarded
 *		row through it (see guardmap.h).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "guardmap.h"

const char *const sc_guard_arg_names[G_NCOLS] = {
	"key", "product", "qty", "promised", "status", "not_before", "quote_id",
	"at_risk", "delivered"
};

static void
malformed(const char *trigger, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("sacrosanct guard trigger \"%s\" has %s", trigger, what),
			 errdetail("A guard trigger takes the guarded table's column names for key, product, qty, promised, status, not_before, quote_id, at_risk and delivered, then its done and cancelled status values as text arrays."),
			 errhint("Attach the guard with sacrosanct.guard(), not by hand.")));
}

/* a text array literal, without NULLs, into C strings */
static int
parse_values(const char *literal, const char *trigger, char ***out)
{
	ArrayType  *a;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (literal[0] != '{')
	{
		/* 0.1.0 wrote one plain value ('done'): read it as a list of one */
		*out = palloc(sizeof(char *));
		(*out)[0] = pstrdup(literal);
		return 1;
	}
	a = DatumGetArrayTypeP(OidInputFunctionCall(F_ARRAY_IN, (char *) literal, TEXTOID, -1));
	if (ARR_NDIM(a) > 1)
		malformed(trigger, "status values that are not a one-dimensional text array");
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	*out = palloc(sizeof(char *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			malformed(trigger, "a NULL status value");
		(*out)[i] = TextDatumGetCString(elems[i]);
	}
	return n;
}

void
sc_guard_args_parse(int nargs, char **args, const char *trigger, ScGuardArgs *out)
{
	if (nargs != G_NARGS)
		malformed(trigger, psprintf("%d arguments, expected %d", nargs, G_NARGS));
	for (int i = 0; i < G_NCOLS; i++)
		out->col[i] = args[i];
	for (int i = G_KEY; i <= G_PROMISED; i++)
		if (out->col[i][0] == '\0')
			malformed(trigger, psprintf("no %s column", sc_guard_arg_names[i]));
	out->ndone = parse_values(args[G_NCOLS], trigger, &out->done);
	out->ncancelled = parse_values(args[G_NCOLS + 1], trigger, &out->cancelled);
}

void
sc_guard_args_parse_bytes(int nargs, const char *bytes, int len, const char *trigger,
						  ScGuardArgs *out)
{
	char	  **args = palloc(sizeof(char *) * (nargs + 1));
	const char *p = bytes;
	const char *end = bytes + len;

	/* each argument is NUL-terminated, one after the other */
	for (int i = 0; i < nargs; i++)
	{
		const char *nul = memchr(p, '\0', end - p);

		if (p >= end || nul == NULL)
			malformed(trigger, psprintf("%d arguments, expected %d", i, G_NARGS));
		args[i] = pstrdup(p);
		p = nul + 1;
	}
	sc_guard_args_parse(nargs, args, trigger, out);
}

bool
sc_guard_value_in(const char *value, char **values, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(value, values[i]) == 0)
			return true;
	return false;
}

char *
sc_guard_values_literal(char **values, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));
	ArrayType  *a;

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(values[i]);
	a = construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT);
	return OidOutputFunctionCall(F_ARRAY_OUT, PointerGetDatum(a));
}

/* ------------------------------------------------------------------------
 * Reading a row through the map
 * ------------------------------------------------------------------------
 */


void
sc_guard_map_init(ScGuardMap *m, Relation rel)
{
	m->rel = rel;
	m->desc = RelationGetDescr(rel);
	for (int i = 0; i < G_NCOLS; i++)
	{
		const char *col = m->args.col[i];

		m->att[i] = 0;
		if (col[0] == '\0')
			continue;
		m->att[i] = SPI_fnumber(m->desc, col);
		if (m->att[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("guarded table %s has no column \"%s\"",
							RelationGetRelationName(m->rel), col),
					 errdetail("The guard maps the order's %s to column \"%s\".",
							   sc_guard_arg_names[i], col),
					 errhint("Guard the table again with sacrosanct.guard() naming its columns.")));
	}
}

Datum
sc_guard_get(const ScGuardMap *m, HeapTuple t, int col, bool *isnull)
{
	if (m->att[col] == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return heap_getattr(t, m->att[col], m->desc, isnull);
}

Oid
sc_guard_coltype(const ScGuardMap *m, int col)
{
	return TupleDescAttr(m->desc, m->att[col] - 1)->atttypid;
}

const char *
sc_guard_colname(const ScGuardMap *m, int col)
{
	return m->args.col[col];
}

/* a column as text, through the type's output function; NULL when NULL */
char *
sc_guard_get_text(const ScGuardMap *m, HeapTuple t, int col)
{
	bool		isnull;
	Datum		d = sc_guard_get(m, t, col, &isnull);
	Oid			type = isnull ? InvalidOid : sc_guard_coltype(m, col);
	Oid			out;
	bool		varlena;

	if (isnull)
		return NULL;
	if (type == TEXTOID || type == VARCHAROID)
		return TextDatumGetCString(d);
	getTypeOutputInfo(type, &out, &varlena);
	return OidOutputFunctionCall(out, d);
}

static void
refuse_infinite(const ScGuardMap *m, int col)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("column \"%s\" of %s must be a finite date",
					sc_guard_colname(m, col), RelationGetRelationName(m->rel)),
			 errdetail("An order is planned in days; infinity is not a day."),
			 errhint("Give a date, or NULL for none.")));
}

/* a date column, or a timestamptz one read in the plant's time zone */
ScDay
sc_guard_get_day(const ScGuardMap *m, HeapTuple t, int col)
{
	bool		isnull;
	Datum		d = sc_guard_get(m, t, col, &isnull);

	if (isnull)
		return SC_NO_DAY;
	switch (sc_guard_coltype(m, col))
	{
		case DATEOID:
			if (DATE_NOT_FINITE(DatumGetDateADT(d)))
				refuse_infinite(m, col);
			return DatumGetDateADT(d);
		case TIMESTAMPTZOID:
			{
				Datum		local;

				if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(d)))
					refuse_infinite(m, col);
				local = DirectFunctionCall2(timestamptz_zone, CStringGetTextDatum(sc_timezone), d);
				return DatumGetDateADT(DirectFunctionCall1(timestamp_date, local));
			}
		case TIMESTAMPOID:
			if (TIMESTAMP_NOT_FINITE(DatumGetTimestamp(d)))
				refuse_infinite(m, col);
			return DatumGetDateADT(DirectFunctionCall1(timestamp_date, d));
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of %s must be a date or timestamptz",
							sc_guard_colname(m, col), RelationGetRelationName(m->rel)),
					 errhint("Guard the table again with sacrosanct.guard().")));
	}
	return SC_NO_DAY;			/* keep compiler quiet */
}

Datum
sc_guard_day_datum(const ScGuardMap *m, int col, ScDay day)
{
	switch (sc_guard_coltype(m, col))
	{
		case DATEOID:
			return DateADTGetDatum(day);
		case TIMESTAMPOID:
			return DirectFunctionCall1(date_timestamp, DateADTGetDatum(day));
		default:
			/* midnight of that day in the plant's zone */
			return DirectFunctionCall2(timestamp_zone, CStringGetTextDatum(sc_timezone),
									   DirectFunctionCall1(date_timestamp, DateADTGetDatum(day)));
	}
}

/* open unless the status says done or cancelled; a NULL status is open */
bool
sc_guard_row_open(const ScGuardMap *m, HeapTuple t)
{
	char	   *status;

	if (m->att[G_STATUS] == 0)
		return true;
	status = sc_guard_get_text(m, t, G_STATUS);
	if (status == NULL)
		return true;
	return !sc_guard_value_in(status, m->args.done, m->args.ndone) &&
		!sc_guard_value_in(status, m->args.cancelled, m->args.ncancelled);
}

bool
sc_guard_row_done(const ScGuardMap *m, HeapTuple t)
{
	char	   *status = m->att[G_STATUS] ? sc_guard_get_text(m, t, G_STATUS) : NULL;

	return status != NULL && sc_guard_value_in(status, m->args.done, m->args.ndone);
}

static bool
qty_positive(Numeric qty)
{
	return !numeric_is_nan(qty) &&
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(qty),
										  DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))) > 0;
}

/*
 * The order a row describes.  Returns false when the row lacks what the
 * table's own constraints will refuse (a NULL or non-positive quantity on
 * sacrosanct.orders): those errors are theirs to raise.  On a guarded ERP
 * table without such constraints the guard raises them.
 */
bool
sc_guard_row_order(const ScGuardMap *m, HeapTuple t, ScOrderIn *in, bool before)
{
	bool		isnull;
	Datum		q;

	memset(in, 0, sizeof(*in));
	in->source = RelationGetRelid(m->rel);
	in->key = sc_guard_get_text(m, t, G_KEY);
	in->product = sc_guard_get_text(m, t, G_PRODUCT);
	q = sc_guard_get(m, t, G_QTY, &isnull);
	if (in->key == NULL || in->product == NULL || isnull)
	{
		if (before)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("an open order needs a key, a product and a quantity"),
				 errdetail("Column \"%s\" is NULL.",
						   sc_guard_colname(m, in->key == NULL ? G_KEY : in->product == NULL ? G_PRODUCT : G_QTY)),
				 errhint("Give the order its key, product and quantity.")));
	}
	in->qty = sc_guard_coltype(m, G_QTY) == NUMERICOID ? DatumGetNumeric(q)
		: DatumGetNumeric(DirectFunctionCall3(numeric_in,
											  CStringGetDatum(sc_guard_get_text(m, t, G_QTY)),
											  ObjectIdGetDatum(InvalidOid),
											  Int32GetDatum(-1)));
	if (!qty_positive(in->qty))
	{
		if (before)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("quantity of order \"%s\" must be greater than zero", in->key),
				 errdetail("The quantity given is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(in->qty)))),
				 errhint("Order a positive quantity.")));
	}
	in->promised = sc_guard_get_day(m, t, G_PROMISED);
	in->not_before = m->att[G_NOT_BEFORE] ? sc_guard_get_day(m, t, G_NOT_BEFORE) : SC_NO_DAY;
	if (m->att[G_QUOTE])
	{
		Datum		v = sc_guard_get(m, t, G_QUOTE, &isnull);

		if (!isnull)
		{
			Oid			type = sc_guard_coltype(m, G_QUOTE);

			in->has_quote = true;
			in->quote_id = type == INT8OID ? DatumGetInt64(v)
				: type == INT4OID ? DatumGetInt32(v)
				: DatumGetInt64(DirectFunctionCall1(int8in, CStringGetDatum(sc_guard_get_text(m, t, G_QUOTE))));
		}
	}
	return true;
}

