/*
 * sacrosanct.c
 *		Module entry: the settings, and the transaction callbacks that tell
 *		each part when a transaction or subtransaction ends.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/guc.h"

#include "guard.h"
#include "load.h"
#include "masterdata.h"
#include "plant.h"
#include "sacrosanct.h"
#include "tables.h"

PG_MODULE_MAGIC;

int			sc_horizon_days = 730;
char	   *sc_timezone = NULL;
int			sc_max_hold_minutes = 7 * 24 * 60;
char	   *sc_force_reason = NULL;
bool		sc_restoring = false;
static char *sc_today_setting = NULL;

void		_PG_init(void);

static bool
check_timezone(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || pg_tzset(*newval) == NULL)
	{
		GUC_check_errdetail("sacrosanct.timezone must be a time zone name PostgreSQL knows, such as 'Europe/Berlin' or 'UTC'.");
		return false;
	}
	return true;
}

/* the engine's long loops stop at a statement timeout or a cancel */
static void
check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			sc_guard_pre_commit();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			/* the cached lanes may hold minutes that were never committed */
			sc_lane_cache_reset();
			sc_writers_forget();
			/* FALLTHROUGH */
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
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
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		sc_lane_cache_reset();
		sc_writers_forget();
		sc_guard_subxact_abort(mySubid);
		sc_masterdata_subxact_abort();
	}
}

void
_PG_init(void)
{
	/*
	 * The plant-wide settings are PGC_SUSET: a superuser sets them, for the
	 * plant, in postgresql.conf or with ALTER DATABASE ... SET.  A session
	 * with a horizon of its own could promise what every other session's
	 * replans would have to break.
	 */
	DefineCustomIntVariable("sacrosanct.horizon_days",
							"Days from today within which orders are planned.",
							"No minutes are placed after today + horizon_days; an order that cannot "
							"finish by then cannot be backed. Plant-wide: only superusers set it.",
							&sc_horizon_days,
							730, 1, 3660,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("sacrosanct.timezone",
							   "Time zone of the plant, for guarded promise columns of type timestamptz.",
							   "A timestamptz promise is read as a date in this zone, never in the session's. "
							   "Plant-wide: only superusers set it.",
							   &sc_timezone,
							   "UTC",
							   PGC_SUSET, 0,
							   check_timezone, NULL, NULL);

	DefineCustomIntVariable("sacrosanct.max_hold",
							"The longest a quote may hold capacity.",
							"sacrosanct.quote(..., hold => ...) refuses a longer hold. "
							"Plant-wide: only superusers set it.",
							&sc_max_hold_minutes,
							7 * 24 * 60, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_MIN,
							NULL, NULL, NULL);

	DefineCustomStringVariable("sacrosanct.force_reason",
							   "Records this transaction's master-data changes as reality, with this reason.",
							   "Set it with SET LOCAL: a change that would break promises is then taken "
							   "anyway, and the orders it breaks are put at risk with a renegotiation each.",
							   &sc_force_reason,
							   "",
							   PGC_USERSET, 0,
							   NULL, NULL, NULL);

	/*
	 * Superuser-only, like disabling the triggers it stands for: a restore
	 * of sacrosanct's data turns it on by itself (restore.c).
	 */
	DefineCustomBoolVariable("sacrosanct.restoring",
							 "This session restores a dump: the extension's tables take inserted rows as dumped.",
							 "While on, for a superuser, an INSERT or COPY into the extension's tables and "
							 "guarded tables plans, checks and journals nothing: the dump's schedule is the "
							 "schedule. Restoring sacrosanct.begin_restore's dumped row turns it on.",
							 &sc_restoring,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("sacrosanct.today",
							   "Pins the planning day (YYYY-MM-DD); empty means current_date.",
							   "For tests and what-if sessions. Only superusers may set it.",
							   &sc_today_setting,
							   "",
							   PGC_SUSET, 0,
							   sc_today_check, sc_today_assign, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("sacrosanct");
#else
	EmitWarningsOnPlaceholders("sacrosanct");
#endif

	sc_plant_init();
	sc_interrupt_hook = check_interrupts;
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}
