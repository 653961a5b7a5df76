/*
 * pipeline_ops.c
 *		The pipeline's SQL functions: open_item(), hand_off(), accept(),
 *		send_back(), close_item() and escalate(); the row-level-security
 *		predicate pipeline_sees(); and sc_pipeline_order_at_risk(), the
 *		schedule's way to hand an order put at risk to customer service.
 *
 * The five operations are SECURITY INVOKER thin wrappers: each checks its
 * arguments (bad input gets the standard SQLSTATE) and runs one INSERT or
 * UPDATE as the caller, so that the rules are the triggers' (pipeline.c),
 * whoever writes, and row-level security applies as to any DML.
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "pipeline.h"

/* ------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------
 */

static void
require_arg(FunctionCallInfo fcinfo, int arg, const char *name, const char *hint)
{
	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name),
				 errhint("%s", hint)));
}

/* a text argument that must be neither NULL nor blank */
static text *
text_arg(FunctionCallInfo fcinfo, int arg, const char *name, const char *hint)
{
	text	   *t;

	require_arg(fcinfo, arg, name, hint);
	t = PG_GETARG_TEXT_PP(arg);
	if (pl_blank(text_to_cstring(t)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", name),
				 errhint("%s", hint)));
	return t;
}

/* ------------------------------------------------------------------------
 * One statement as the caller
 * ------------------------------------------------------------------------
 */

enum
{
	Q_OPEN, Q_OFFER, Q_ACCEPT, Q_RETURN, Q_CLOSE, Q_N
};

/*
 * Schema-qualified, and no operator a caller's search_path could shadow:
 * the WHERE clauses use OPERATOR(pg_catalog.=).
 */
static const char *const query_text[Q_N] = {
	"INSERT INTO sacrosanct.work_item (customer, title, context, accountable, stage)"
	" VALUES ($1, $2, $3, $4, $5) RETURNING id",
	"INSERT INTO sacrosanct.handoff (item, to_stage, context) VALUES ($1, $2, $3) RETURNING id",
	"UPDATE sacrosanct.handoff SET state = 'accepted' WHERE id OPERATOR(pg_catalog.=) $1",
	"UPDATE sacrosanct.handoff SET state = 'returned', returned_reason = $2"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	"UPDATE sacrosanct.work_item SET outcome = $2 WHERE id OPERATOR(pg_catalog.=) $1",
};
static const int query_nargs[Q_N] = {5, 3, 1, 2, 2};
static const Oid query_types[Q_N][5] = {
	{TEXTOID, TEXTOID, JSONBOID, REGROLEOID, TEXTOID},
	{INT8OID, TEXTOID, JSONBOID},
	{INT8OID},
	{INT8OID, TEXTOID},
	{INT8OID, TEXTOID},
};

/* plans kept for the backend's life; the plan cache replans them when the tables change */
static SPIPlanPtr plans[Q_N];

/*
 * Run query q as the caller with these arguments ('n' in nulls: NULL);
 * returns the rows it processed, and the bigint it returned in *id.
 */
static uint64
run(int q, Datum *args, const char *nulls, int64 *id)
{
	int			rc;
	uint64		processed;

	SPI_connect();
	if (plans[q] == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(query_text[q], query_nargs[q], (Oid *) query_types[q]);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", query_text[q],
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		plans[q] = plan;
	}
	rc = SPI_execute_plan(plans[q], args, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s", query_text[q],
			 SPI_result_code_string(rc));
	processed = SPI_processed;
	if (id && processed == 1)
	{
		bool		isnull;

		*id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	return processed;
}

/*
 * Answer a handoff or close a work item as the caller: the row must exist
 * (23503); when the UPDATE finds none, row-level security hid it from the
 * caller, who then has no part in it: say which rule that is.  doing is a
 * format for the stage's code ("accept handoffs to stage \"%s\"").
 */
static void
update_as_caller(int q, PlRel rel, int64 id, Datum *args, const char *nulls, const char *doing)
{
	PlRow		row,
				stage;
	char	   *code;

	if (!pl_fetch(rel, id, &row))
		pl_refuse_unknown(rel, id);
	args[0] = Int64GetDatum(id);
	if (run(q, args, nulls, NULL) > 0)
		return;
	code = PL_TEXT(&row, rel == PL_HANDOFF ? HO_TO : WI_STAGE);
	pl_stage_must(code, &stage);
	pl_require_member(&stage, psprintf(doing, code));
	ereport(ERROR,
			(errcode(ERRCODE_SC_HANDOFF),
			 errmsg("%s %lld is not visible to role %s", rel == PL_HANDOFF ? "handoff" : "work item",
					(long long) id, pl_current_user()),
			 errdetail("Row-level security shows a role the work items that are or were in its stages."),
			 errhint("Act on it as a member of the role that owns its stage.")));
}

/* ------------------------------------------------------------------------
 * The operations
 * ------------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(sacrosanct_open_item);
Datum
sacrosanct_open_item(PG_FUNCTION_ARGS)
{
	Datum		args[5];
	char		nulls[6] = "     ";
	int64		id = 0;

	args[0] = PointerGetDatum(text_arg(fcinfo, 0, "customer", "Name the customer of the case."));
	args[1] = PointerGetDatum(text_arg(fcinfo, 1, "title", "Say in a few words what the case is about."));
	require_arg(fcinfo, 2, "context", "Pass '{}' for a case without context.");
	args[2] = PG_GETARG_DATUM(2);
	args[3] = PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3);
	nulls[3] = PG_ARGISNULL(3) ? 'n' : ' ';
	/* the stage: the caller's own (the trigger finds it) */
	args[4] = (Datum) 0;
	nulls[4] = 'n';
	run(Q_OPEN, args, nulls, &id);
	PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(sacrosanct_hand_off);
Datum
sacrosanct_hand_off(PG_FUNCTION_ARGS)
{
	Datum		args[3];
	int64		id = 0;

	require_arg(fcinfo, 0, "item", "Name the work item to hand off.");
	require_arg(fcinfo, 1, "to_stage", "Name the stage to hand the work item to.");
	require_arg(fcinfo, 2, "context", "Pass '{}' for a handoff without context.");
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = PG_GETARG_DATUM(2);
	run(Q_OFFER, args, "   ", &id);
	PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(sacrosanct_accept);
Datum
sacrosanct_accept(PG_FUNCTION_ARGS)
{
	Datum		args[1];

	require_arg(fcinfo, 0, "handoff", "Name the handoff to accept.");
	update_as_caller(Q_ACCEPT, PL_HANDOFF, PG_GETARG_INT64(0), args, " ",
					 "accept handoffs to stage \"%s\"");
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(sacrosanct_send_back);
Datum
sacrosanct_send_back(PG_FUNCTION_ARGS)
{
	Datum		args[2];

	require_arg(fcinfo, 0, "handoff", "Name the handoff to send back.");
	args[1] = PointerGetDatum(text_arg(fcinfo, 1, "reason",
									   "Say why the work item goes back: nothing is dropped silently."));
	update_as_caller(Q_RETURN, PL_HANDOFF, PG_GETARG_INT64(0), args, "  ",
					 "send back handoffs to stage \"%s\"");
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(sacrosanct_close_item);
Datum
sacrosanct_close_item(PG_FUNCTION_ARGS)
{
	Datum		args[2];

	require_arg(fcinfo, 0, "item", "Name the work item to close.");
	args[1] = PointerGetDatum(text_arg(fcinfo, 1, "outcome",
									   "Say how the case ended, for example 'won', 'lost' or 'delivered'."));
	update_as_caller(Q_CLOSE, PL_WORK_ITEM, PG_GETARG_INT64(0), args, "  ",
					 "close work items in stage \"%s\"");
	PG_RETURN_VOID();
}

/* ------------------------------------------------------------------------
 * escalate()
 * ------------------------------------------------------------------------
 */

/*
 * Marks, once each, offered handoffs past due_at and stays in a stage
 * longer than its complete_within; each gets an item_event and a NOTIFY.
 * A row another transaction holds (being accepted right now) is skipped:
 * the next run sees whether it is still late.  Returns the handoff ids,
 * then the work item ids (ids are unique across both).
 */
PG_FUNCTION_INFO_V1(sacrosanct_escalate);
Datum
sacrosanct_escalate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	/* late as of now, not as of the start of a long transaction */
	TimestampTz now = GetCurrentStatementStartTimestamp();
	ListCell   *lc;
	List	   *stages;
	bool		isnull = false;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	foreach(lc, pl_late_handoffs(now))
	{
		int64		hid = *(int64 *) lfirst(lc);
		PlRow		h;
		char	   *from,
				   *to;

		if (pl_lock(PL_HANDOFF, hid, true, &h) != PL_LOCKED ||
			strcmp(PL_TEXT(&h, HO_STATE), "offered") != 0 || !PL_ISNULL(&h, HO_ESCALATED_AT) ||
			PL_ISNULL(&h, HO_DUE_AT) || DatumGetTimestampTz(PL_VAL(&h, HO_DUE_AT)) >= now)
			continue;
		PL_SET(&h, HO_ESCALATED_AT, TimestampTzGetDatum(now));
		pl_update(&h);
		from = PL_TEXT(&h, HO_FROM);
		to = PL_TEXT(&h, HO_TO);
		pl_event(PL_INT8(&h, HO_ITEM), hid, "escalated", to, false,
				 psprintf("{\"due_at\": \"%s\"}",
						  JsonEncodeDateTime(NULL, PL_VAL(&h, HO_DUE_AT), TIMESTAMPTZOID, NULL)));
		pl_notify(to, "escalated", hid, PL_INT8(&h, HO_ITEM), from, to, &PL_VAL(&h, HO_DUE_AT), 0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, (Datum *) &PL_VAL(&h, HO_ID), &isnull);
	}

	stages = pl_stage_all();
	foreach(lc, stages)
	{
		PlRow	   *st = lfirst(lc);
		char	   *code = PL_TEXT(st, ST_CODE);
		TimestampTz cutoff;
		ListCell   *vc;

		if (PL_ISNULL(st, ST_COMPLETE_WITHIN))
			continue;
		cutoff = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
														 TimestampTzGetDatum(now),
														 PL_VAL(st, ST_COMPLETE_WITHIN)));
		foreach(vc, pl_overdue_visits(code, cutoff))
		{
			PlRow		v;
			Datum		due;
			int64		item;

			if (pl_lock(PL_STAGE_VISIT, *(int64 *) lfirst(vc), true, &v) != PL_LOCKED ||
				!PL_ISNULL(&v, SV_LEFT_AT) || !PL_ISNULL(&v, SV_ESCALATED_AT) ||
				DatumGetTimestampTz(PL_VAL(&v, SV_ENTERED_AT)) >= cutoff)
				continue;
			PL_SET(&v, SV_ESCALATED_AT, TimestampTzGetDatum(now));
			pl_update(&v);
			item = PL_INT8(&v, SV_ITEM);
			due = DirectFunctionCall2(timestamptz_pl_interval, PL_VAL(&v, SV_ENTERED_AT),
									  PL_VAL(st, ST_COMPLETE_WITHIN));
			pl_event(item, 0, "overdue", code, false,
					 psprintf("{\"due_at\": \"%s\"}",
							  JsonEncodeDateTime(NULL, due, TIMESTAMPTZOID, NULL)));
			pl_notify(code, "overdue", 0, item, code, code, &due, 0);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, (Datum *) &PL_VAL(&v, SV_ITEM),
								 &isnull);
		}
	}
	return (Datum) 0;
}

/* ------------------------------------------------------------------------
 * Row-level security
 * ------------------------------------------------------------------------
 */

/* what the current user may see, worked out once per query (fn_extra) */
typedef struct SeesCache
{
	Oid			user;
	bool		all;			/* a scheduler, a reader (views) or a superuser */
	int			nstages;
	char	  **code;
	bool	   *member;			/* of the stage's role */
	int			nroles;			/* accountable roles checked so far */
	Oid			role[16];
	bool		role_member[16];
} SeesCache;

static bool
member_of_named(const char *name)
{
	Oid			role = get_role_oid(name, true);

	return OidIsValid(role) && pl_is_member(role);
}

static SeesCache *
sees_cache(FunctionCallInfo fcinfo)
{
	SeesCache  *c = fcinfo->flinfo->fn_extra;
	MemoryContext old;
	List	   *stages;
	ListCell   *lc;
	int			i = 0;

	if (c && c->user == GetUserId())
		return c;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	c = palloc0(sizeof(SeesCache));
	c->user = GetUserId();
	c->all = member_of_named("sacrosanct_scheduler") || member_of_named("sacrosanct_reader");
	stages = pl_stage_all();
	c->nstages = list_length(stages);
	c->code = palloc(sizeof(char *) * (c->nstages + 1));
	c->member = palloc(sizeof(bool) * (c->nstages + 1));
	foreach(lc, stages)
	{
		PlRow	   *s = lfirst(lc);

		c->code[i] = PL_TEXT(s, ST_CODE);
		c->member[i] = !PL_ISNULL(s, ST_ROLE) && pl_is_member(DatumGetObjectId(PL_VAL(s, ST_ROLE)));
		i++;
	}
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = c;
	return c;
}

static bool
sees_role(SeesCache *c, Oid role)
{
	for (int i = 0; i < c->nroles; i++)
		if (c->role[i] == role)
			return c->role_member[i];
	if (c->nroles < lengthof(c->role))
	{
		c->role[c->nroles] = role;
		c->role_member[c->nroles] = pl_is_member(role);
		return c->role_member[c->nroles++];
	}
	return pl_is_member(role);
}

/*
 * May the current user see a work item that visited these stages (it was
 * in them or offered to them) and names this accountable role?  Members of
 * sacrosanct_scheduler see everything, and so does sacrosanct_reader (it
 * reads only the views, and a BI tool sees the whole pipeline).
 */
PG_FUNCTION_INFO_V1(sacrosanct_pipeline_sees);
Datum
sacrosanct_pipeline_sees(PG_FUNCTION_ARGS)
{
	SeesCache  *c = sees_cache(fcinfo);
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (c->all)
		PG_RETURN_BOOL(true);
	if (!PG_ARGISNULL(1) && sees_role(c, PG_GETARG_OID(1)))
		PG_RETURN_BOOL(true);
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			continue;
		t = DatumGetTextPP(elems[i]);
		for (int s = 0; s < c->nstages; s++)
			if (c->member[s] && strlen(c->code[s]) == VARSIZE_ANY_EXHDR(t) &&
				memcmp(c->code[s], VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)) == 0)
				PG_RETURN_BOOL(true);
	}
	PG_RETURN_BOOL(false);
}

/* ------------------------------------------------------------------------
 * An order put at risk
 * ------------------------------------------------------------------------
 */

/*
 * Called by the schedule inside the transaction where a forced capacity
 * removal put the order at risk; the caller is a scheduler, usually no
 * member of the item's stage.  So sacrosanct itself makes this one handoff
 * (by_sacrosanct, on behalf of the current user): the stage-role and
 * transition checks are skipped for exactly these heap-level writes, which
 * fire no trigger and run no user code; nothing is left set for anything
 * that runs later.  Every other rule holds: the item is locked, ownership
 * stays with its stage until customer service accepts, an item has one
 * open handoff (an open one elsewhere is returned by sacrosanct, with the
 * reason), and the journal and NOTIFY are the usual ones.
 */
void
sc_pipeline_order_at_risk(const char *order_key, int64 renegotiation_id, const char *reason,
						  ScDay old_promise, ScDay new_earliest)
{
	PlRow		item,
				cs,
				h;
	int64		id,
				hid,
				open_id;
	bool		has_cs;
	char	   *stage;
	char	   *context;
	StringInfoData b;

	if (order_key == NULL || !pl_open_item_by_order(order_key, &item))
		return;
	id = PL_INT8(&item, WI_ID);
	pl_row_init(PL_HANDOFF, &h);

	/* accept() locks the handoff, then the item: take them in that order too */
	for (;;)
	{
		int64		open = PL_INT8(&item, WI_OPEN_HANDOFF);

		if (open != 0 && pl_lock(PL_HANDOFF, open, false, &h) != PL_LOCKED)
			elog(ERROR, "the open handoff %lld of work item %lld is gone", (long long) open, (long long) id);
		if (pl_lock(PL_WORK_ITEM, id, false, &item) != PL_LOCKED)
		{
			/* committed after this transaction's snapshot (items are never deleted) */
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update of sacrosanct.work_item"),
						 errdetail("Work item %lld carrying order \"%s\" changed after this transaction's snapshot was taken.",
								   (long long) id, order_key),
						 errhint("Retry the transaction.")));
			return;
		}
		if (!PL_ISNULL(&item, WI_CLOSED_AT))
			return;				/* closed meanwhile: nobody's case any more */
		if (PL_INT8(&item, WI_OPEN_HANDOFF) == open)
			break;
	}
	stage = PL_TEXT(&item, WI_STAGE);
	open_id = PL_INT8(&item, WI_OPEN_HANDOFF);

	initStringInfo(&b);
	appendStringInfo(&b, "{\"renegotiation\": " INT64_FORMAT ", \"order_key\": ", renegotiation_id);
	escape_json(&b, order_key);
	appendStringInfoString(&b, ", \"reason\": ");
	escape_json(&b, reason ? reason : "");
	/* what customer service renegotiates: the promise broken, the date the schedule backs */
	appendStringInfo(&b, ", \"old_promise\": \"%s\", \"new_earliest\": ", sc_day_text(old_promise));
	if (new_earliest == SC_NO_DAY)
		appendStringInfoString(&b, "null");
	else
		appendStringInfo(&b, "\"%s\"", sc_day_text(new_earliest));
	appendStringInfoChar(&b, '}');
	context = b.data;

	/* already with customer service, or on its way there: tell them */
	has_cs = pl_stage_key_share(PL_RENEGOTIATION_STAGE, &cs);
	if (!has_cs || strcmp(stage, PL_RENEGOTIATION_STAGE) == 0 ||
		(open_id != 0 && strcmp(PL_TEXT(&h, HO_TO), PL_RENEGOTIATION_STAGE) == 0))
	{
		pl_event(id, open_id, "order_at_risk", stage, true, context);
		if (has_cs)
			pl_notify(PL_RENEGOTIATION_STAGE, "order_at_risk", open_id, id, stage,
					  PL_RENEGOTIATION_STAGE, NULL, renegotiation_id);
		else
			ereport(WARNING,
					(errmsg("order \"%s\" of work item %lld is at risk, and there is no stage \"%s\" to hand it to",
							order_key, (long long) id, PL_RENEGOTIATION_STAGE),
					 errhint("Add the stage to sacrosanct.stage (sacrosanct.default_pipeline() does).")));
		return;
	}

	/* an offer elsewhere gives way: sacrosanct returns it, with the reason */
	if (open_id != 0)
	{
		char	   *why = psprintf("order %s is at risk (renegotiation " INT64_FORMAT "): %s",
								   order_key, renegotiation_id, reason ? reason : "");

		PL_SET(&h, HO_STATE, CStringGetTextDatum("returned"));
		PL_SET(&h, HO_RETURNED_BY, pl_name_datum(pl_actor(true)));
		PL_SET(&h, HO_RETURNED_AT, TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));
		PL_SET(&h, HO_RETURNED_REASON, CStringGetTextDatum(why));
		pl_update(&h);
		pl_event(id, PL_INT8(&h, HO_ID), "returned", stage, true,
				 psprintf("{\"to\": \"%s\", \"reason\": %s}", PL_TEXT(&h, HO_TO),
						  context));
		pl_notify(stage, "returned", PL_INT8(&h, HO_ID), id, stage, PL_TEXT(&h, HO_TO),
				  PL_ISNULL(&h, HO_DUE_AT) ? NULL : &PL_VAL(&h, HO_DUE_AT), renegotiation_id);
		PL_SETNULL(&item, WI_OPEN_HANDOFF);
		pl_update(&item);
	}

	/* the system handoff: the stage stays owner until customer service accepts */
	hid = pl_nextval(PL_HANDOFF);
	pl_row_init(PL_HANDOFF, &h);
	PL_SET(&h, HO_ID, Int64GetDatum(hid));
	PL_SET(&h, HO_ITEM, Int64GetDatum(id));
	PL_SET(&h, HO_FROM, CStringGetTextDatum(stage));
	PL_SET(&h, HO_TO, CStringGetTextDatum(PL_RENEGOTIATION_STAGE));
	PL_SET(&h, HO_CONTEXT, DirectFunctionCall1(jsonb_in, CStringGetDatum(context)));
	PL_SET(&h, HO_STATE, CStringGetTextDatum("offered"));
	PL_SET(&h, HO_OFFERED_BY, pl_name_datum(pl_actor(true)));
	PL_SET(&h, HO_OFFERED_AT, TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));
	if (!PL_ISNULL(&cs, ST_ACCEPT_WITHIN))
		PL_SET(&h, HO_DUE_AT, DirectFunctionCall2(timestamptz_pl_interval,
												  TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
												  PL_VAL(&cs, ST_ACCEPT_WITHIN)));
	PL_SET(&h, HO_BY_SACROSANCT, BoolGetDatum(true));
	pl_insert(&h);
	pl_offer_journal(&h, NULL, InvalidOid, renegotiation_id);
}
