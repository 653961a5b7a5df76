/*
 * guardmap.c
 *		The guard's argument list (see guardmap.h).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"

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
