/*
 * today.c
 *		The planning day: sacrosanct.today() and the setting that pins it,
 *		sacrosanct.horizon() (the last day anything is planned), and days
 *		written the one way error texts use.
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/datetime.h"

#include "sacrosanct.h"

/* the parsed sacrosanct.today, SC_NO_DAY when unset */
static ScDay today_pinned = SC_NO_DAY;

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

bool
sc_today_check(char **newval, void **extra, GucSource source)
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

void
sc_today_assign(const char *newval, void *extra)
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

PG_FUNCTION_INFO_V1(sacrosanct_horizon);
Datum
sacrosanct_horizon(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(sc_today() + sc_horizon_days);
}
