/*
 * sacrosanct.c
 *		Module entry: settings, today(), the schedule tables' write guard,
 *		and transaction-end cleanup.
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/rel.h"

#include "sacrosanct.h"
#include "plan_io.h"
#include "plant.h"

PG_MODULE_MAGIC;

int			sc_horizon_days = 730;
static char *sc_today_setting = NULL;
char	   *sc_timezone = NULL;

/* the parsed sacrosanct.today, SC_NO_DAY when unset */
static ScDay today_pinned = SC_NO_DAY;

/* set while the extension itself writes demand, load and plan_log */
static bool schedule_writing = false;

extern void sc_guard_xact_end(void);
extern void sc_guard_subxact_abort(SubTransactionId subxid);
extern void sc_masterdata_xact_end(void);

void		_PG_init(void);

/* ------------------------------------------------------------------------
 * sacrosanct.today
 * ------------------------------------------------------------------------
 */

/* strict YYYY-MM-DD, so that a pinned day means the same under any DateStyle */
static bool
parse_iso_day(const char *s, ScDay *out)
{
	int			y,
				m,
				d;
	char		tail;

	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(s) != 10)
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > day_tab[isleap(y)][m - 1])
		return false;
	*out = date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
	return true;
}

static bool
check_today(char **newval, void **extra, GucSource source)
{
	ScDay		day = SC_NO_DAY;

	if (*newval != NULL && (*newval)[0] != '\0' && !parse_iso_day(*newval, &day))
	{
		GUC_check_errdetail("sacrosanct.today must be a date written YYYY-MM-DD, or empty.");
		return false;
	}
	*extra = malloc(sizeof(ScDay));
	if (*extra == NULL)
		return false;
	*(ScDay *) *extra = day;
	return true;
}

static void
assign_today(const char *newval, void *extra)
{
	today_pinned = extra ? *(ScDay *) extra : SC_NO_DAY;
}

ScDay
sc_today(void)
{
	if (today_pinned != SC_NO_DAY)
		return today_pinned;
	return GetSQLCurrentDate();
}

const char *
sc_day_text(ScDay day)
{
	int			y,
				m,
				d;

	if (day == SC_NO_DAY)
		return "none";
	j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	return psprintf("%04d-%02d-%02d", y, m, d);
}

PG_FUNCTION_INFO_V1(sacrosanct_today);
Datum
sacrosanct_today(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(sc_today());
}

/* Run a read-only query against a given snapshot (SPI connected). */
void
sc_spi_select(const char *sql, Snapshot snapshot)
{
	SPIPlanPtr	plan = SPI_prepare(sql, 0, NULL);
	int			rc;

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	rc = SPI_execute_snapshot(plan, NULL, NULL, snapshot, InvalidSnapshot, true, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed for \"%s\": %s", sql, SPI_result_code_string(rc));
	SPI_freeplan(plan);
}

/* ------------------------------------------------------------------------
 * Writes to the schedule tables
 * ------------------------------------------------------------------------
 */

bool
sc_schedule_write_begin(void)
{
	bool		previous = schedule_writing;

	schedule_writing = true;
	return previous;
}

void
sc_schedule_write_end(bool previous)
{
	schedule_writing = previous;
}

/*
 * BEFORE statement trigger on demand, load and plan_log: the schedule is
 * what the extension computed, so nobody else writes it, superusers
 * included.
 */
PG_FUNCTION_INFO_V1(sacrosanct_schedule_write);
Datum
sacrosanct_schedule_write(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.schedule_write() must be called as a trigger")));
	if (!schedule_writing)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("table sacrosanct.%s is written only by sacrosanct",
						RelationGetRelationName(td->tg_relation)),
				 errdetail("The schedule is what the planning engine computed; a direct change would make it lie."),
				 errhint("Change orders, capacity or routings instead, or call sacrosanct.replan().")));
	return PointerGetDatum(NULL);
}

/* ------------------------------------------------------------------------
 * Init
 * ------------------------------------------------------------------------
 */

static void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			/* the cached lanes may hold minutes that were never committed */
			sc_lane_cache_reset();
			sc_demand_writer_forget();
			/* FALLTHROUGH */
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			schedule_writing = false;
			sc_guard_xact_end();
			sc_masterdata_xact_end();
			break;
		default:
			break;
	}
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	/* an error inside our write window leaves it through the abort */
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		schedule_writing = false;
		sc_lane_cache_reset();
		sc_demand_writer_forget();
		sc_guard_subxact_abort(mySubid);
	}
}

void
_PG_init(void)
{
	DefineCustomIntVariable("sacrosanct.horizon_days",
							"Days from today within which orders are planned.",
							"No minutes are placed after today + horizon_days; an order that cannot "
							"finish by then cannot be backed.",
							&sc_horizon_days,
							730, 1, 3660,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("sacrosanct.today",
							   "Pins the planning day (YYYY-MM-DD); empty means current_date.",
							   "For tests and what-if sessions. Only superusers may set it.",
							   &sc_today_setting,
							   "",
							   PGC_SUSET, 0,
							   check_today, assign_today, NULL);

	DefineCustomStringVariable("sacrosanct.timezone",
							   "Time zone of the plant, for guarded promise columns of type timestamptz.",
							   "A timestamptz promise is read as a date in this zone, never in the session's.",
							   &sc_timezone,
							   "UTC",
							   PGC_USERSET, 0,
							   NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("sacrosanct");
#else
	EmitWarningsOnPlaceholders("sacrosanct");
#endif

	sc_plant_init();
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}
