/*
 * capacity.c
 *		Capacity as schedulers say it: capacity(), add_capacity(),
 *		remove_capacity(..., force).
 *
 * Both changes are rows of sacrosanct.capacity_change, inserted as the
 * caller (who needs INSERT on it: schedulers have it, sales do not), so that
 * a change through these functions and one an MES writes directly are
 * checked alike by the master-data triggers: taken when every promise stays
 * backed (repaired or replanned as needed), else refused with SC003 and
 * nothing written, or, forced, recorded with the orders it breaks put at
 * risk (masterdata.c).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "utils/rangetypes.h"

#include "masterdata.h"
#include "planlog.h"
#include "plant.h"
#include "tables.h"

/* a range of days as text ('[2026-03-09,2026-03-14)') */
static char *
days_text(RangeType *days)
{
	return OidOutputFunctionCall(F_RANGE_OUT, RangeTypePGetDatum(days));
}

static void
refuse_null(const char *arg, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_NOT_NULL_VIOLATION),
			 errmsg("%s must not be NULL", arg),
			 errhint("%s", hint)));
}

/* the arguments both functions take, checked; the resource must exist */
static void
check_change(FunctionCallInfo fcinfo, char **resource, RangeType **days, int *minutes,
			 char **reason)
{
	RangeBound	lower,
				upper;
	bool		empty;
	TypeCacheEntry *typcache;
	ScPlant    *plant;

	if (PG_ARGISNULL(0))
		refuse_null("resource", "Name the resource whose capacity changes.");
	if (PG_ARGISNULL(1))
		refuse_null("days", "Give the days as a daterange, such as '[2026-03-09,2026-03-14)'.");
	if (PG_ARGISNULL(2))
		refuse_null("minutes_per_day", "Give the minutes per day the change adds or removes.");
	if (PG_ARGISNULL(3))
		refuse_null("reason", "Say why: it is kept with the change and in sacrosanct.plan_log.");

	*resource = text_to_cstring(PG_GETARG_TEXT_PP(0));
	*days = PG_GETARG_RANGE_P(1);
	*minutes = PG_GETARG_INT32(2);
	*reason = text_to_cstring(PG_GETARG_TEXT_PP(3));

	typcache = range_get_typcache(fcinfo, RangeTypeGetOid(*days));
	range_deserialize(typcache, *days, &lower, &upper, &empty);
	if (empty || lower.infinite || upper.infinite ||
		DATE_NOT_FINITE(DatumGetDateADT(lower.val)) || DATE_NOT_FINITE(DatumGetDateADT(upper.val)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days must be a bounded, non-empty range of dates"),
				 errdetail("The range given is %s.",
						   days_text(*days)),
				 errhint("Give the days as '[first,after last)', such as '[2026-03-09,2026-03-14)'.")));
	if (*minutes <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("minutes_per_day must be greater than zero"),
				 errdetail("The value given is %d.", *minutes),
				 errhint("add_capacity() adds and remove_capacity() removes: give the minutes as a positive number.")));
	{
		const char *p = *reason;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("reason must not be empty"),
					 errhint("Say why: overtime, a breakdown, an absence, a subcontractor.")));
	}
	plant = sc_plant();
	if (sc_plant_resource(plant, *resource) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_SC_UNKNOWN),
				 errmsg("unknown resource \"%s\"", *resource),
				 errdetail("Resource \"%s\" is not in sacrosanct.resource.", *resource),
				 errhint("Check the resource code.")));
}

/*
 * Insert the capacity_change row as the caller; its triggers check it at
 * the end of the INSERT (or at commit, under SET CONSTRAINTS ALL DEFERRED).
 */
static int64
insert_change(const char *resource, RangeType *days, int minutes, const char *reason)
{
	Oid			types[4] = {TEXTOID, DATERANGEOID, INT4OID, TEXTOID};
	Datum		values[4];
	int64		id;
	bool		isnull;

	values[0] = CStringGetTextDatum(resource);
	values[1] = RangeTypePGetDatum(days);
	values[2] = Int32GetDatum(minutes);
	values[3] = CStringGetTextDatum(reason);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)"
							  " VALUES ($1, $2, $3, $4) RETURNING id",
							  4, types, values, NULL, false, 1) != SPI_OK_INSERT_RETURNING ||
		SPI_processed != 1)
		elog(ERROR, "sacrosanct: could not record the capacity change");
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return id;
}

static void
log_change(const char *what, const char *resource, RangeType *days, int minutes,
		   const char *reason)
{
	sc_write_begin();
	sc_plan_log(what,
				psprintf("%s %s %+d minutes a day: %s", resource,
						 days_text(days),
						 minutes, reason),
				0);
	sc_write_end();
}

PG_FUNCTION_INFO_V1(sacrosanct_add_capacity);
Datum
sacrosanct_add_capacity(PG_FUNCTION_ARGS)
{
	char	   *resource;
	RangeType  *days;
	int			minutes;
	char	   *reason;

	check_change(fcinfo, &resource, &days, &minutes, &reason);
	log_change("capacity added", resource, days, minutes, reason);
	PG_RETURN_INT64(insert_change(resource, days, minutes, reason));
}

PG_FUNCTION_INFO_V1(sacrosanct_remove_capacity);
Datum
sacrosanct_remove_capacity(PG_FUNCTION_ARGS)
{
	char	   *resource;
	RangeType  *days;
	int			minutes;
	char	   *reason;
	bool		force = !PG_ARGISNULL(4) && PG_GETARG_BOOL(4);
	int64		id;

	check_change(fcinfo, &resource, &days, &minutes, &reason);
	log_change(force ? "capacity removed by force" : "capacity removed",
			   resource, days, -minutes, reason);
	if (!force)
		PG_RETURN_INT64(insert_change(resource, days, -minutes, reason));

	sc_masterdata_force_begin(reason);
	id = insert_change(resource, days, -minutes, reason);
	sc_masterdata_force_end();
	PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(sacrosanct_capacity);
Datum
sacrosanct_capacity(PG_FUNCTION_ARGS)
{
	char	   *code = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ScPlant    *plant = sc_plant();
	int			r = sc_plant_resource(plant, code);

	if (r < 0)
		ereport(ERROR,
				(errcode(ERRCODE_SC_UNKNOWN),
				 errmsg("unknown resource \"%s\"", code),
				 errdetail("Resource \"%s\" is not in sacrosanct.resource.", code),
				 errhint("Check the resource code.")));
	PG_RETURN_INT64(sc_capacity(&plant->res[r], PG_GETARG_DATEADT(1)));
}
