/*
 * schedule.c
 *		SQL functions on the schedule: quote(), lead_times(), replan().
 *		Thin wrappers: the work is in promise.c and plant.c.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "plant.h"
#include "promise.h"

static void
check_qty(Numeric qty)
{
	if (numeric_is_nan(qty) ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(qty),
										  DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("quantity must be greater than zero"),
				 errdetail("The quantity given is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(qty)))),
				 errhint("Quote a positive quantity.")));
}

/* minutes as words, whatever IntervalStyle says: "7 days", "36 hours", "90 minutes" */
static char *
minutes_text(int minutes)
{
	if (minutes % (24 * 60) == 0)
		return psprintf("%d day%s", minutes / (24 * 60), minutes == 24 * 60 ? "" : "s");
	if (minutes % 60 == 0)
		return psprintf("%d hour%s", minutes / 60, minutes == 60 ? "" : "s");
	return psprintf("%d minute%s", minutes, minutes == 1 ? "" : "s");
}

/* a hold is positive and no longer than sacrosanct.max_hold */
static void
check_hold(const Interval *hold)
{
	Interval	zero = {0};
	Interval	max = {0};
	Datum		h = IntervalPGetDatum(hold);

	max.time = (int64) sc_max_hold_minutes * USECS_PER_MINUTE;
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, h, IntervalPGetDatum(&zero))) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hold must be a positive interval"),
				 errhint("Pass hold => '2 hours', for example, or leave it NULL for no hold.")));
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, h, IntervalPGetDatum(&max))) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hold of %s is longer than sacrosanct.max_hold",
						DatumGetCString(DirectFunctionCall1(interval_out, h))),
				 errdetail("A quote may hold capacity for at most %s; held longer, it would keep that capacity from every other order.",
						   minutes_text(sc_max_hold_minutes)),
				 errhint("Hold for %s or less, or ask a superuser to raise sacrosanct.max_hold.",
						 minutes_text(sc_max_hold_minutes))));
}

PG_FUNCTION_INFO_V1(sacrosanct_quote);
Datum
sacrosanct_quote(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *product;
	Numeric		qty;
	ScDay		not_before = PG_ARGISNULL(2) ? SC_NO_DAY : PG_GETARG_DATEADT(2);
	Interval   *hold = PG_ARGISNULL(3) ? NULL : PG_GETARG_INTERVAL_P(3);
	ScQuote		q;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("product must not be NULL"),
				 errhint("Name the product to quote.")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("quantity must not be NULL"),
				 errhint("Give the quantity to quote.")));
	product = text_to_cstring(PG_GETARG_TEXT_PP(0));
	qty = PG_GETARG_NUMERIC(1);
	check_qty(qty);
	if (hold != NULL)
		check_hold(hold);

	InitMaterializedSRF(fcinfo, 0);
	q = sc_quote(product, qty, not_before, hold);

	values[0] = DateADTGetDatum(q.earliest);
	nulls[0] = q.earliest == SC_NO_DAY;
	values[1] = DateADTGetDatum(q.planned_finish);
	nulls[1] = q.planned_finish == SC_NO_DAY || q.earliest == SC_NO_DAY;
	values[2] = CStringGetTextDatum(q.bottleneck);
	values[3] = Int64GetDatum(q.quote_id);
	nulls[3] = q.quote_id == 0;
	values[4] = TimestampTzGetDatum(q.hold_until);
	nulls[4] = q.quote_id == 0;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sacrosanct_replan);
Datum
sacrosanct_replan(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *reason;
	ScMoved    *moved;
	int			n;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a replan needs a reason"),
				 errdetail("The reason is kept in sacrosanct.plan_log with who replanned and when."),
				 errhint("Call sacrosanct.replan('why the schedule is replanned').")));
	reason = text_to_cstring(PG_GETARG_TEXT_PP(0));

	InitMaterializedSRF(fcinfo, 0);
	moved = sc_replan_all("replan", reason, &n);
	for (int i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = moved[i].order_key ? CStringGetTextDatum(moved[i].order_key) : (Datum) 0;
		nulls[0] = moved[i].order_key == NULL;
		values[1] = DateADTGetDatum(moved[i].promised);
		values[2] = DateADTGetDatum(moved[i].planned_finish);
		nulls[2] = moved[i].planned_finish == SC_NO_DAY;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sacrosanct_lead_times);
Datum
sacrosanct_lead_times(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Numeric		qty;
	ScLeadTime *lt;
	int			n;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("quantity must not be NULL"),
				 errhint("Give the quantity to quote every product for.")));
	qty = PG_GETARG_NUMERIC(0);
	check_qty(qty);
	InitMaterializedSRF(fcinfo, 0);
	lt = sc_lead_times(qty, &n);
	for (int i = 0; i < n; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = CStringGetTextDatum(lt[i].product);
		values[1] = NumericGetDatum(qty);
		values[2] = DateADTGetDatum(lt[i].q.earliest);
		nulls[2] = lt[i].q.earliest == SC_NO_DAY;
		values[3] = DateADTGetDatum(lt[i].q.planned_finish);
		nulls[3] = lt[i].q.planned_finish == SC_NO_DAY;
		values[4] = CStringGetTextDatum(lt[i].q.bottleneck);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
