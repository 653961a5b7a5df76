/*
 * masterdata.c
 *		Triggers on the master-data tables: a change drops every backend's
 *		cached plant, and the committed plan is re-checked against it.
 *
 * sacrosanct_md_touch (BEFORE, each row) refuses renames of codes the
 * schedule refers to, invalidates the plant, and notes that a check is due.
 * sacrosanct_md_check (a deferrable constraint trigger, each row, and AFTER
 * TRUNCATE) runs that check once: at the end of the statement, or at commit
 * under SET CONSTRAINTS ALL DEFERRED, so a scheduler can swap windows or
 * rewrite a routing in several statements and be judged on the result.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/inval.h"
#include "utils/rel.h"

#include "plant.h"
#include "promise.h"

static bool check_due = false;
static bool routing_changed = false;

void		sc_masterdata_xact_end(void);

void
sc_masterdata_xact_end(void)
{
	check_due = false;
	routing_changed = false;
}

static bool
is_table(Relation rel, const char *name)
{
	return strcmp(RelationGetRelationName(rel), name) == 0;
}

/* the master data changed: no backend may plan with the old plant */
static void
touched(Relation rel)
{
	sc_plant_invalidate();
	CacheInvalidateRelcache(rel);
	check_due = true;
	if (is_table(rel, "routing") || is_table(rel, "product"))
		routing_changed = true;
}

PG_FUNCTION_INFO_V1(sacrosanct_md_touch);
Datum
sacrosanct_md_touch(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.md_touch() must be fired BEFORE each row")));
	rel = td->tg_relation;

	/* the schedule stores resource and product codes: they do not change */
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
		(is_table(rel, "resource") || is_table(rel, "product") || is_table(rel, "calendar")))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		int			att = SPI_fnumber(desc, "code");
		bool		n1,
					n2;
		Datum		a = heap_getattr(td->tg_trigtuple, att, desc, &n1);
		Datum		b = heap_getattr(td->tg_newtuple, att, desc, &n2);

		if (strcmp(TextDatumGetCString(a), TextDatumGetCString(b)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot rename %s \"%s\"", RelationGetRelationName(rel),
							TextDatumGetCString(a)),
					 errdetail("Plans, routings and orders refer to the code."),
					 errhint("Insert a new %s and move its references to it instead.",
							 RelationGetRelationName(rel))));
	}

	/* who recorded a capacity change, and when, is not the writer's to say */
	if (is_table(rel, "capacity_change") && !TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		int			cols[2] = {SPI_fnumber(desc, "created_by"), SPI_fnumber(desc, "created_at")};
		Datum		vals[2];
		bool		nulls[2] = {false, false};
		HeapTuple	row;

		if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		{
			vals[0] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
			vals[1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		}
		else
		{
			vals[0] = heap_getattr(td->tg_trigtuple, cols[0], desc, &nulls[0]);
			vals[1] = heap_getattr(td->tg_trigtuple, cols[1], desc, &nulls[1]);
		}
		row = heap_modify_tuple_by_cols(TRIGGER_FIRED_BY_INSERT(td->tg_event)
										? td->tg_trigtuple : td->tg_newtuple,
										desc, 2, cols, vals, nulls);
		touched(rel);
		return PointerGetDatum(row);
	}

	touched(rel);
	return PointerGetDatum(TRIGGER_FIRED_BY_DELETE(td->tg_event)
						   ? td->tg_trigtuple
						   : TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple
						   : td->tg_trigtuple);
}

PG_FUNCTION_INFO_V1(sacrosanct_md_check);
Datum
sacrosanct_md_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.md_check() must be fired AFTER a change")));

	/* TRUNCATE fires no row trigger: this is its touch */
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		touched(td->tg_relation);

	if (check_due)
	{
		bool		routing = routing_changed;

		/* judge the rows this statement wrote, not the versions before it */
		CommandCounterIncrement();

		check_due = false;
		routing_changed = false;
		sc_plant_check_windows();
		sc_check_plan_fits(routing);
	}
	return PointerGetDatum(NULL);
}
