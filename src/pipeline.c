/*
 * pipeline.c
 *		The pipeline's rules (DESIGN.md §4), and the C triggers that enforce
 *		them on sacrosanct.work_item and sacrosanct.handoff for every writer:
 *		the SQL functions run their DML through these triggers, and so does a
 *		CRM that writes the tables directly.
 *
 * BEFORE ROW triggers check a row against the rules and fill what
 * sacrosanct maintains (ids, who and when, the sender's stage, due_at);
 * AFTER ROW triggers journal it: the item's current state (open handoff,
 * owning stage, stages visited), its stage visits, an item_event, and the
 * NOTIFY.  Journal writes go to the heap directly (pipeline_io.c): they
 * fire no trigger and need no privilege, so no flag opens any door.
 *
 * Serialization: every operation locks the work item's row (FOR NO KEY
 * UPDATE, pl_lock) before it reads the item's state, and every operation
 * that changes the item's state writes that row.  Two offers of one item,
 * an offer and a close, two accepts: the second waits for the first, then
 * sees what it did (READ COMMITTED: a refusal, SC004) or fails to serialize
 * (REPEATABLE READ, SERIALIZABLE: 40001).  An accept also holds the
 * handoff's row, locked by the UPDATE itself, and takes an advisory lock
 * per stage with a WIP limit before it counts the stage's items.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "pipeline.h"
#include "demand.h"

/* ------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------
 */

static TimestampTz
xact_now(void)
{
	return GetCurrentTransactionStartTimestamp();
}

static char *
json_text(const char *s)
{
	StringInfoData b;

	initStringInfo(&b);
	escape_json(&b, s);
	return b.data;
}

bool
pl_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char) *s))
			return false;
	return true;
}

bool
pl_is_member(Oid role)
{
	return OidIsValid(role) && has_privs_of_role(GetUserId(), role);
}

const char *
pl_role_text(Oid role)
{
	char	   *name = OidIsValid(role) ? GetUserNameFromId(role, true) : NULL;

	return name ? name : psprintf("(role with OID %u)", role);
}

static Oid
stage_role(const PlRow *stage)
{
	return PL_ISNULL(stage, ST_ROLE) ? InvalidOid : DatumGetObjectId(PL_VAL(stage, ST_ROLE));
}

/* "marketing (sacrosanct_marketing), sales (sacrosanct_sales), ..." */
static char *
stages_text(List *stages, bool with_roles)
{
	StringInfoData b;
	ListCell   *lc;

	initStringInfo(&b);
	foreach(lc, stages)
	{
		PlRow	   *s = lfirst(lc);

		if (b.len > 0)
			appendStringInfoString(&b, ", ");
		appendStringInfoString(&b, PL_TEXT(s, ST_CODE));
		if (with_roles)
			appendStringInfo(&b, " (%s)", OidIsValid(stage_role(s)) ? pl_role_text(stage_role(s))
							 : "no role");
	}
	return b.len > 0 ? b.data : "none";
}

void
pl_stage_must(const char *code, PlRow *out)
{
	if (!pl_stage_fetch(code, out))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("stage \"%s\" does not exist", code),
				 errdetail("The stages are: %s.", stages_text(pl_stage_all(), false)),
				 errhint("Name one of them, or add the stage to sacrosanct.stage.")));
}

void
pl_require_member(const PlRow *stage, const char *doing)
{
	const char *code = PL_TEXT(stage, ST_CODE);
	Oid			role = stage_role(stage);

	if (!OidIsValid(role))
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("stage \"%s\" has no role", code),
				 errdetail("Nobody may %s until the stage is owned by a role.", doing),
				 errhint("Run sacrosanct.create_roles(), or set sacrosanct.stage.role of stage \"%s\".",
						 code)));
	if (!pl_is_member(role))
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("only members of %s may %s", pl_role_text(role), doing),
				 errdetail("Role %s is not a member of %s, the role that owns stage \"%s\".",
						   pl_current_user(), pl_role_text(role), code),
				 errhint("Ask a member of %s, or have %s granted to %s.",
						 pl_role_text(role), pl_role_text(role), pl_current_user())));
}

static void
require_role_exists(Oid role)
{
	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role with OID %u does not exist", role),
				 errhint("Name an existing role as accountable, for example 'sacrosanct_operations'.")));
}

void
pl_refuse_unknown(PlRel rel, int64 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("%s %lld does not exist", rel == PL_HANDOFF ? "handoff" : "work item", (long long) id),
			 errhint(rel == PL_HANDOFF
					 ? "Name a handoff of sacrosanct.handoff; hand_off() returns their ids."
					 : "Name a work item of sacrosanct.work_item; open_item() returns their ids.")));
}

/* the item as a row, locked; 23503 when there is none */
static void
lock_item(int64 id, PlRow *item)
{
	if (pl_lock(PL_WORK_ITEM, id, false, item) != PL_LOCKED)
		pl_refuse_unknown(PL_WORK_ITEM, id);
}

static void
refuse_closed(const PlRow *item)
{
	ereport(ERROR,
			(errcode(ERRCODE_SC_HANDOFF),
			 errmsg("work item %lld is closed", (long long) PL_INT8(item, WI_ID)),
			 errdetail("It was closed by %s with outcome \"%s\"; a closed item accepts nothing.",
					   PL_TEXT(item, WI_CLOSED_BY), PL_TEXT(item, WI_OUTCOME)),
			 errhint("Open a new work item for new business.")));
}

static bool
datum_same(const PlRow *a, const PlRow *b, int att, TupleDesc desc)
{
	Form_pg_attribute at = TupleDescAttr(desc, att - 1);

	if (PL_ISNULL(a, att) || PL_ISNULL(b, att))
		return PL_ISNULL(a, att) == PL_ISNULL(b, att);
	return datumIsEqual(PL_VAL(a, att), PL_VAL(b, att), at->attbyval, at->attlen);
}

static void
refuse_filled(PlRel rel, int att, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_SC_HANDOFF),
			 errmsg("column \"%s\" of sacrosanct.%s is filled by sacrosanct",
					pl_attname(rel, att), pl_relname(rel)),
			 errdetail("%s", detail),
			 errhint("%s", hint)));
}

/* ------------------------------------------------------------------------
 * Context
 * ------------------------------------------------------------------------
 */

/* the context of a row: a JSON object (22023 otherwise), NULL when the column is NULL */
static Jsonb *
context_object(const PlRow *row, int att)
{
	Jsonb	   *ctx;

	if (PL_ISNULL(row, att))
		return NULL;
	ctx = DatumGetJsonbP(PL_VAL(row, att));
	if (!JB_ROOT_IS_OBJECT(ctx))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("context must be a JSON object"),
				 errdetail("The context given is a JSON %s: %s.",
						   JB_ROOT_IS_SCALAR(ctx) ? "scalar" : "array",
						   JsonbToCString(NULL, &ctx->root, VARSIZE(ctx))),
				 errhint("Pass an object of named facts, for example '{\"requirements\": \"2 axes, 400 mm\"}'.")));
	return ctx;
}

static JsonbValue *
context_value(Jsonb *ctx, const char *key)
{
	JsonbValue *v;

	if (ctx == NULL)
		return NULL;
	v = getKeyJsonValueFromContainer(&ctx->root, key, strlen(key), NULL);
	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type == jbvString)
	{
		/* blank is empty */
		for (int i = 0; i < v->val.string.len; i++)
			if (!isspace((unsigned char) v->val.string.val[i]))
				return v;
		return NULL;
	}
	if (v->type == jbvBinary && JsonContainerSize(v->val.binary.data) == 0)
		return NULL;			/* [] and {} */
	return v;
}

char *
pl_context_text(Jsonb *ctx, const char *key)
{
	JsonbValue *v = context_value(ctx, key);

	if (v == NULL)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	if (v->type == jbvBool)
		return pstrdup(v->val.boolean ? "true" : "false");
	return NULL;				/* an array or object names no order */
}

/* ------------------------------------------------------------------------
 * Stages: WIP limits and the backed order
 * ------------------------------------------------------------------------
 */

/*
 * Refuse (SC004) when one more item would put the stage above its WIP
 * limit.  Writers into one limited stage take its lock in turn and count
 * what is committed, so two accepts cannot both take the last place.
 */
static void
check_wip(const PlRow *stage, const char *doing)
{
	const char *code;
	int32		limit;
	int64		count;
	LOCKTAG		tag;

	if (PL_ISNULL(stage, ST_WIP_LIMIT))
		return;
	code = PL_TEXT(stage, ST_CODE);
	limit = DatumGetInt32(PL_VAL(stage, ST_WIP_LIMIT));
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, PL_WIP_LOCK_CLASS,
						 hash_bytes((const unsigned char *) code, strlen(code)), 2);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
	count = pl_count_open_items(code, limit);
	if (count + 1 > limit)
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("stage \"%s\" is at its WIP limit", code),
				 errdetail("Stage \"%s\" holds %lld open work items and its WIP limit is %d; %s would make %lld.",
						   code, (long long) count, limit, doing, (long long) count + 1),
				 errhint("Finish or hand on work in stage \"%s\" first; the offer stays queued until then.",
						 code)));
}

/*
 * The schedule's word on an order: open, backed, not at risk, not late.
 * This is the one place the pipeline reads the schedule (sacrosanct.demand
 * through an index, no SQL privilege needed), so that a change of that API
 * touches only this function.  order_table, when valid, must be the order's
 * guarded table.  Returns NULL when the order is backed, else what is wrong.
 */
static char *
order_not_backed(const char *order_key, Oid order_table)
{
	ScDemand	rec;
	Snapshot	snap;
	bool		found;

	Oid			source = order_table;
	int			ntables;

	memset(&rec, 0, sizeof(rec));
	snap = RegisterSnapshot(GetLatestSnapshot());
	ntables = sc_demand_tables_of(order_key, snap, OidIsValid(order_table) ? &rec.source : &source);
	found = ntables > 0 && sc_demand_by_key(order_key, source, snap, &rec);
	UnregisterSnapshot(snap);

	if (ntables > 1 && !OidIsValid(order_table))
		return psprintf("%d guarded tables have an open order with the key \"%s\"; the item's context must name its order_table.",
						ntables, order_key);
	if (!found && ntables > 0)
		return psprintf("Order \"%s\" is an order of %s, not of %s.", order_key,
						OidIsValid(rec.source) ? get_rel_name(rec.source) : "another guarded table",
						get_rel_name(order_table) ? get_rel_name(order_table) : "a table that exists");
	if (!found || rec.order_key == NULL)
		return psprintf("No open order of a guarded table has the key \"%s\".", order_key);
	if (rec.at_risk)
		return psprintf("Order \"%s\" is at risk: capacity was removed under it, and its promise %s is being renegotiated.",
						order_key, sc_day_text(rec.promised));
	if (!rec.backed || rec.planned_finish == SC_NO_DAY)
		return psprintf("Order \"%s\" promised for %s is not backed by the schedule (planned finish: %s).",
						order_key, sc_day_text(rec.promised), sc_day_text(rec.planned_finish));
	if (rec.promised < sc_today())
		return psprintf("Order \"%s\" is late: it was promised for %s and today is %s.",
						order_key, sc_day_text(rec.promised), sc_day_text(sc_today()));
	return NULL;
}

/* the context's order_table, resolved as a table name would be in SQL */
static Oid
context_order_table(Jsonb *ctx)
{
	char	   *name = pl_context_text(ctx, "order_table");
	Oid			relid;

	if (name == NULL)
		return InvalidOid;
	relid = RangeVarGetRelid(makeRangeVarFromNameList(textToQualifiedNameList(cstring_to_text(name))),
							 NoLock, true);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("order_table \"%s\" of the handoff's context does not exist", name),
				 errhint("Name the guarded order table, for example \"sacrosanct.orders\", or leave order_table out.")));
	return relid;
}

/*
 * A handoff into a stage that needs a backed order: the context names one
 * (order_key, optionally order_table) that the schedule backs and that no
 * other open work item carries.  Returns the key.
 */
static char *
require_backed_order(const PlRow *to, Jsonb *ctx, int64 item, Oid *order_table)
{
	const char *code = PL_TEXT(to, ST_CODE);
	char	   *key = pl_context_text(ctx, "order_key");
	char	   *why;
	PlRow		other;

	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("a handoff into stage \"%s\" needs a backed order", code),
				 errdetail("The handoff's context names no order_key."),
				 errhint("Promise the order in the schedule first (an INSERT into a guarded order table), then pass its key: context => '{\"order_key\": \"...\"}'.")));
	*order_table = context_order_table(ctx);
	why = order_not_backed(key, *order_table);
	if (why)
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("order \"%s\" is not an open order the schedule backs", key),
				 errdetail("%s", why),
				 errhint("The promise comes from the schedule: quote and promise a date it backs (sacrosanct.quote()), or replan, then hand the item on again.")));
	if (pl_open_item_by_order(key, &other) && PL_INT8(&other, WI_ID) != item)
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("order \"%s\" is already on work item %lld", key,
						(long long) PL_INT8(&other, WI_ID)),
				 errdetail("One open work item carries an order, so that one stage owns it."),
				 errhint("Hand on work item %lld instead, or close it first.",
						 (long long) PL_INT8(&other, WI_ID))));
	return key;
}

/* ------------------------------------------------------------------------
 * Trigger protocol
 * ------------------------------------------------------------------------
 */

static TriggerData *
trigger_data(FunctionCallInfo fcinfo, const char *fn, PlRel rel, bool before)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be called as a trigger", fn)));
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		(before ? !TRIGGER_FIRED_BEFORE(td->tg_event) : !TRIGGER_FIRED_AFTER(td->tg_event)) ||
		TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) ||
		(!before && TRIGGER_FIRED_BY_DELETE(td->tg_event)) ||
		RelationGetRelid(td->tg_relation) != pl_relid(rel))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be fired %s %s FOR EACH ROW on sacrosanct.%s", fn,
						before ? "BEFORE" : "AFTER",
						before ? "INSERT OR UPDATE OR DELETE" : "INSERT OR UPDATE",
						pl_relname(rel))));
	return td;
}

static void
refuse_delete(PlRel rel)
{
	ereport(ERROR,
			(errcode(ERRCODE_SC_HANDOFF),
			 errmsg("rows of sacrosanct.%s are never deleted", pl_relname(rel)),
			 errdetail("Every change of a work item is kept: its history is the customer's journey."),
			 errhint(rel == PL_WORK_ITEM
					 ? "Close the work item with an outcome instead: sacrosanct.close_item()."
					 : "Send the handoff back with a reason instead: sacrosanct.send_back().")));
}

/* ------------------------------------------------------------------------
 * work_item: opening, closing, who is accountable
 * ------------------------------------------------------------------------
 */

/* the one stage whose role the current user has, for an item opened without one */
static char *
callers_stage(void)
{
	List	   *stages = pl_stage_all();
	List	   *mine = NIL;
	ListCell   *lc;

	foreach(lc, stages)
	{
		PlRow	   *s = lfirst(lc);

		if (pl_is_member(stage_role(s)))
			mine = lappend(mine, s);
	}
	if (list_length(mine) == 1)
		return PL_TEXT((PlRow *) linitial(mine), ST_CODE);
	if (mine == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("role %s owns no stage", pl_current_user()),
				 errdetail("A work item opens in the stage of whoever opens it; the stages and their roles are: %s.",
						   stages_text(stages, true)),
				 errhint("Open it as a member of a stage's role.")));
	ereport(ERROR,
			(errcode(ERRCODE_SC_HANDOFF),
			 errmsg("role %s works in several stages: %s", pl_current_user(),
					stages_text(mine, false)),
			 errdetail("A work item opens in the stage of whoever opens it."),
			 errhint("Act as one stage's role (SET ROLE %s), or name the stage in an INSERT into sacrosanct.work_item.",
					 pl_role_text(stage_role((PlRow *) linitial(mine))))));
	return NULL;				/* not reached */
}

static HeapTuple
item_opening(TriggerData *td)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	static const int filled[] = {WI_ID, WI_OPENED_AT, WI_OPENED_BY, WI_ENTERED_AT, WI_OPEN_HANDOFF,
	WI_VISITED, WI_ORDER_KEY, WI_ORDER_TABLE};
	PlRow		r,
				stage;
	char	   *code;
	Datum		visited;

	pl_row_from_tuple(PL_WORK_ITEM, td->tg_trigtuple, desc, &r);
	for (int i = 0; i < lengthof(filled); i++)
		if (!PL_ISNULL(&r, filled[i]))
			refuse_filled(PL_WORK_ITEM, filled[i],
						  "An INSERT opens a work item: customer, title, context, accountable and stage are yours; sacrosanct fills the rest.",
						  psprintf("Leave %s out of the INSERT.", pl_attname(PL_WORK_ITEM, filled[i])));
	if (!PL_ISNULL(&r, WI_OUTCOME) || !PL_ISNULL(&r, WI_CLOSED_AT) || !PL_ISNULL(&r, WI_CLOSED_BY))
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("a work item is opened before it is closed"),
				 errdetail("The INSERT gives outcome, closed_at or closed_by."),
				 errhint("Open the item, then close it with sacrosanct.close_item() or an UPDATE of its outcome.")));

	code = PL_ISNULL(&r, WI_STAGE) ? callers_stage() : PL_TEXT(&r, WI_STAGE);
	pl_stage_must(code, &stage);
	pl_require_member(&stage, psprintf("open work items in stage \"%s\"", code));
	if (!PL_ISNULL(&r, WI_ACCOUNTABLE))
		require_role_exists(DatumGetObjectId(PL_VAL(&r, WI_ACCOUNTABLE)));
	(void) context_object(&r, WI_CONTEXT);
	check_wip(&stage, "opening one more");

	visited = CStringGetTextDatum(code);
	PL_SET(&r, WI_ID, Int64GetDatum(pl_nextval(PL_WORK_ITEM)));
	PL_SET(&r, WI_STAGE, CStringGetTextDatum(code));
	PL_SET(&r, WI_OPENED_AT, TimestampTzGetDatum(xact_now()));
	PL_SET(&r, WI_OPENED_BY, pl_name_datum(pl_current_user()));
	PL_SET(&r, WI_ENTERED_AT, TimestampTzGetDatum(xact_now()));
	PL_SET(&r, WI_VISITED, PointerGetDatum(construct_array(&visited, 1, TEXTOID, -1, false,
														   TYPALIGN_INT)));
	return pl_row_to_tuple(&r, desc);
}

/*
 * A stage of the open handoff a work item names, for a refusal's message.
 * The item was read locked, in its latest version: under READ COMMITTED
 * the handoff may have been offered by a transaction that committed after
 * this statement's snapshot, so it is read as committed now (reading it
 * with the statement's snapshot found nothing, and the message then read
 * an uninitialized row).
 */
static const char *
open_handoff_stage(int64 hid, int att)
{
	PlRow		h;

	if (!pl_fetch_latest(PL_HANDOFF, hid, &h) || PL_ISNULL(&h, att))
		return "?";
	return PL_TEXT(&h, att);
}

static HeapTuple
item_changing(TriggerData *td)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	PlRow		o,
				n,
				stage;
	bool		closing,
				accountable_changed;
	int64		id;

	pl_row_from_tuple(PL_WORK_ITEM, td->tg_trigtuple, desc, &o);
	pl_row_from_tuple(PL_WORK_ITEM, td->tg_newtuple, desc, &n);
	id = PL_INT8(&o, WI_ID);
	if (!PL_ISNULL(&o, WI_CLOSED_AT))
		refuse_closed(&o);

	for (int att = 1; att <= WI_NATTS; att++)
	{
		if (att == WI_OUTCOME || att == WI_ACCOUNTABLE || datum_same(&o, &n, att, desc))
			continue;
		if (att == WI_STAGE)
			ereport(ERROR,
					(errcode(ERRCODE_SC_HANDOFF),
					 errmsg("the stage of work item %lld changes only when a handoff is accepted",
							(long long) id),
					 errdetail("Stage \"%s\" owns it until a handoff it offers is accepted: ownership is never empty.",
							   PL_TEXT(&o, WI_STAGE)),
					 errhint("Offer it with sacrosanct.hand_off() or an INSERT into sacrosanct.handoff; the receiving stage accepts it.")));
		if (att == WI_CUSTOMER || att == WI_TITLE || att == WI_CONTEXT)
			ereport(ERROR,
					(errcode(ERRCODE_SC_HANDOFF),
					 errmsg("column \"%s\" of a work item cannot be changed", pl_attname(PL_WORK_ITEM, att)),
					 errdetail("A work item's history is never overwritten."),
					 errhint("Carry new facts in the context of the next handoff.")));
		refuse_filled(PL_WORK_ITEM, att,
					  "sacrosanct keeps it as the item's history says.",
					  "Change only outcome (to close the item) or accountable.");
	}

	closing = !PL_ISNULL(&n, WI_OUTCOME);
	if (closing && pl_blank(PL_TEXT(&n, WI_OUTCOME)))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("outcome must not be empty"),
				 errdetail("Closing work item %lld needs an outcome.", (long long) id),
				 errhint("Say how the case ended, for example 'won', 'lost' or 'delivered'.")));
	accountable_changed = !datum_same(&o, &n, WI_ACCOUNTABLE, desc);
	pl_stage_must(PL_TEXT(&o, WI_STAGE), &stage);
	if (closing)
	{
		pl_require_member(&stage, psprintf("close work items in stage \"%s\"", PL_TEXT(&o, WI_STAGE)));
		if (!PL_ISNULL(&o, WI_OPEN_HANDOFF))
		{
			int64		hid = PL_INT8(&o, WI_OPEN_HANDOFF);

			ereport(ERROR,
					(errcode(ERRCODE_SC_HANDOFF),
					 errmsg("work item %lld has an open handoff", (long long) id),
					 errdetail("Handoff %lld to stage \"%s\" is neither accepted nor sent back.",
							   (long long) hid, open_handoff_stage(hid, HO_TO)),
					 errhint("Close the item once the handoff is answered; nothing is dropped silently.")));
		}
		PL_SET(&n, WI_CLOSED_AT, TimestampTzGetDatum(xact_now()));
		PL_SET(&n, WI_CLOSED_BY, pl_name_datum(pl_current_user()));
	}
	if (accountable_changed)
	{
		Oid			was = PL_ISNULL(&o, WI_ACCOUNTABLE) ? InvalidOid
			: DatumGetObjectId(PL_VAL(&o, WI_ACCOUNTABLE));

		if (!pl_is_member(stage_role(&stage)) && !pl_is_member(was))
			ereport(ERROR,
					(errcode(ERRCODE_SC_HANDOFF),
					 errmsg("only members of the owning stage's role or of the accountable role may change who is accountable"),
					 errdetail("Work item %lld is owned by stage \"%s\" (%s) and accountable is %s; role %s is a member of neither.",
							   (long long) id, PL_TEXT(&o, WI_STAGE),
							   pl_role_text(stage_role(&stage)),
							   OidIsValid(was) ? pl_role_text(was) : "none", pl_current_user()),
					 errhint("Ask the owning stage or the accountable role.")));
		if (!PL_ISNULL(&n, WI_ACCOUNTABLE))
			require_role_exists(DatumGetObjectId(PL_VAL(&n, WI_ACCOUNTABLE)));
	}
	return pl_row_to_tuple(&n, desc);
}

PG_FUNCTION_INFO_V1(sacrosanct_work_item_rules);
Datum
sacrosanct_work_item_rules(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "sacrosanct.work_item_rules()", PL_WORK_ITEM, true);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return PointerGetDatum(item_opening(td));
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		return PointerGetDatum(item_changing(td));
	refuse_delete(PL_WORK_ITEM);
	return PointerGetDatum(NULL);
}

/* close the item's current stay (its row is locked by the statement or by us) */
static void
leave_stage(int64 item, TimestampTz at)
{
	PlRow		visit;

	if (!pl_current_visit(item, &visit))
		elog(ERROR, "work item %lld has no current stage visit", (long long) item);
	/* escalate() may be marking it: wait for it, then write the latest version */
	if (pl_lock_latest(PL_STAGE_VISIT, PL_INT8(&visit, SV_ID), &visit) != PL_LOCKED)
		elog(ERROR, "the current stage visit of work item %lld is gone", (long long) item);
	PL_SET(&visit, SV_LEFT_AT, TimestampTzGetDatum(at));
	pl_update(&visit);
}

static void
enter_stage(int64 item, const char *stage, int64 via, TimestampTz at)
{
	PlRow		visit;

	pl_row_init(PL_STAGE_VISIT, &visit);
	PL_SET(&visit, SV_ID, Int64GetDatum(pl_nextval(PL_STAGE_VISIT)));
	PL_SET(&visit, SV_ITEM, Int64GetDatum(item));
	PL_SET(&visit, SV_STAGE, CStringGetTextDatum(stage));
	if (via != 0)
		PL_SET(&visit, SV_VIA, Int64GetDatum(via));
	PL_SET(&visit, SV_ENTERED_AT, TimestampTzGetDatum(at));
	PL_SET(&visit, SV_ENTERED_BY, pl_name_datum(pl_current_user()));
	pl_insert(&visit);
}

PG_FUNCTION_INFO_V1(sacrosanct_work_item_journal);
Datum
sacrosanct_work_item_journal(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "sacrosanct.work_item_journal()", PL_WORK_ITEM, false);
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	PlRow		o,
				n;
	int64		id;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		pl_row_from_tuple(PL_WORK_ITEM, td->tg_trigtuple, desc, &n);
		id = PL_INT8(&n, WI_ID);
		enter_stage(id, PL_TEXT(&n, WI_STAGE), 0, xact_now());
		pl_event(id, 0, "opened", PL_TEXT(&n, WI_STAGE), false, NULL);
		return PointerGetDatum(NULL);
	}

	pl_row_from_tuple(PL_WORK_ITEM, td->tg_trigtuple, desc, &o);
	pl_row_from_tuple(PL_WORK_ITEM, td->tg_newtuple, desc, &n);
	id = PL_INT8(&n, WI_ID);
	if (!datum_same(&o, &n, WI_ACCOUNTABLE, desc))
	{
		char	   *was = PL_ISNULL(&o, WI_ACCOUNTABLE) ? "null"
			: json_text(pl_role_text(DatumGetObjectId(PL_VAL(&o, WI_ACCOUNTABLE))));
		char	   *is = PL_ISNULL(&n, WI_ACCOUNTABLE) ? "null"
			: json_text(pl_role_text(DatumGetObjectId(PL_VAL(&n, WI_ACCOUNTABLE))));

		pl_event(id, 0, "accountable", PL_TEXT(&n, WI_STAGE), false,
				 psprintf("{\"from\": %s, \"to\": %s}", was, is));
	}
	if (PL_ISNULL(&o, WI_CLOSED_AT) && !PL_ISNULL(&n, WI_CLOSED_AT))
	{
		leave_stage(id, DatumGetTimestampTz(PL_VAL(&n, WI_CLOSED_AT)));
		pl_event(id, 0, "closed", PL_TEXT(&n, WI_STAGE), false,
				 psprintf("{\"outcome\": %s}", json_text(PL_TEXT(&n, WI_OUTCOME))));
	}
	return PointerGetDatum(NULL);
}

/* ------------------------------------------------------------------------
 * handoff: offering, accepting, returning
 * ------------------------------------------------------------------------
 */

static const char *
required_missing(const PlRow *tr, Jsonb *ctx)
{
	StringInfoData b;
	ArrayType  *req;
	Datum	   *keys;
	bool	   *nulls;
	int			nkeys;

	if (PL_ISNULL(tr, TR_REQUIRED))
		return NULL;
	req = DatumGetArrayTypeP(PL_VAL(tr, TR_REQUIRED));
	deconstruct_array(req, TEXTOID, -1, false, TYPALIGN_INT, &keys, &nulls, &nkeys);
	initStringInfo(&b);
	for (int i = 0; i < nkeys; i++)
	{
		char	   *key;

		if (nulls[i])
			continue;
		key = TextDatumGetCString(keys[i]);
		if (context_value(ctx, key) == NULL)
		{
			if (b.len > 0)
				appendStringInfoString(&b, ", ");
			appendStringInfoString(&b, key);
		}
	}
	return b.len > 0 ? b.data : NULL;
}

static void
refuse_open_handoff(const PlRow *item)
{
	int64		hid = PL_INT8(item, WI_OPEN_HANDOFF);
	const char *from = open_handoff_stage(hid, HO_FROM);
	const char *to = open_handoff_stage(hid, HO_TO);

	ereport(ERROR,
			(errcode(ERRCODE_SC_HANDOFF),
			 errmsg("work item %lld already has an open handoff", (long long) PL_INT8(item, WI_ID)),
			 errdetail("Handoff %lld from \"%s\" to \"%s\" is neither accepted nor sent back; an item has at most one open handoff.",
					   (long long) hid, from, to),
			 errhint("Wait until stage \"%s\" accepts it or sends it back.", to)));
}

static HeapTuple
handoff_offering(TriggerData *td)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	static const int filled[] = {HO_ID, HO_OFFERED_BY, HO_OFFERED_AT, HO_DUE_AT, HO_ACCEPTED_BY,
		HO_ACCEPTED_AT, HO_RETURNED_BY, HO_RETURNED_AT, HO_RETURNED_REASON, HO_ESCALATED_AT};
	PlRow		h,
				item,
				from,
				to,
				tr;
	int64		id;
	char	   *from_code,
			   *to_code;
	const char *missing;
	Jsonb	   *ctx;

	pl_row_from_tuple(PL_HANDOFF, td->tg_trigtuple, desc, &h);
	for (int i = 0; i < lengthof(filled); i++)
		if (!PL_ISNULL(&h, filled[i]))
			refuse_filled(PL_HANDOFF, filled[i],
						  "An INSERT offers a handoff: item, to_stage and context are yours; sacrosanct fills who, when and the deadline.",
						  psprintf("Leave %s out of the INSERT.", pl_attname(PL_HANDOFF, filled[i])));
	if (PL_ISNULL(&h, HO_STATE) || strcmp(PL_TEXT(&h, HO_STATE), "offered") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("a handoff is offered before it is answered"),
				 errdetail("The INSERT gives state \"%s\".",
						   PL_ISNULL(&h, HO_STATE) ? "null" : PL_TEXT(&h, HO_STATE)),
				 errhint("INSERT it as offered; the receiving stage accepts or returns it with an UPDATE.")));
	if (PL_ISNULL(&h, HO_BY_SACROSANCT) || DatumGetBool(PL_VAL(&h, HO_BY_SACROSANCT)))
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("only sacrosanct makes handoffs on someone's behalf"),
				 errdetail("The INSERT sets by_sacrosanct."),
				 errhint("Leave by_sacrosanct out of the INSERT.")));
	if (PL_ISNULL(&h, HO_ITEM) || PL_ISNULL(&h, HO_TO))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("a handoff needs a work item and a target stage"),
				 errdetail("The %s is NULL.", PL_ISNULL(&h, HO_ITEM) ? "item" : "to_stage"),
				 errhint("Give item and to_stage.")));
	ctx = context_object(&h, HO_CONTEXT);
	id = PL_INT8(&h, HO_ITEM);
	to_code = PL_TEXT(&h, HO_TO);

	lock_item(id, &item);
	if (!PL_ISNULL(&item, WI_CLOSED_AT))
		refuse_closed(&item);
	from_code = PL_TEXT(&item, WI_STAGE);
	if (!PL_ISNULL(&h, HO_FROM) && strcmp(PL_TEXT(&h, HO_FROM), from_code) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("work item %lld is in stage \"%s\", not \"%s\"", (long long) id, from_code,
						PL_TEXT(&h, HO_FROM)),
				 errdetail("A handoff leaves from the stage that owns the item."),
				 errhint("Leave from_stage out of the INSERT: sacrosanct fills it.")));
	pl_stage_must(from_code, &from);
	pl_require_member(&from, psprintf("hand off work items in stage \"%s\"", from_code));
	pl_stage_must(to_code, &to);
	if (strcmp(from_code, to_code) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("work item %lld is in stage \"%s\" already", (long long) id, to_code),
				 errdetail("A handoff moves a work item from the stage that owns it to another."),
				 errhint("Hand it to another stage.")));
	if (!pl_transition_fetch(from_code, to_code, &tr))
	{
		List	   *next = pl_transitions_from(from_code);
		StringInfoData b;
		ListCell   *lc;

		initStringInfo(&b);
		foreach(lc, next)
			appendStringInfo(&b, "%s%s", b.len > 0 ? ", " : "", PL_TEXT((PlRow *) lfirst(lc), TR_TO));
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("no handoff from stage \"%s\" to stage \"%s\"", from_code, to_code),
				 errdetail("From \"%s\", work items go to: %s.", from_code, b.len > 0 ? b.data : "nowhere"),
				 errhint("Hand it to one of those, or add the transition to sacrosanct.transition.")));
	}
	missing = required_missing(&tr, ctx);
	if (missing)
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("a handoff from \"%s\" to \"%s\" needs context %s", from_code, to_code, missing),
				 errdetail("Missing or empty in the context: %s.", missing),
				 errhint("Pass them with non-empty values, for example context => '{\"%s\": \"...\"}'.",
						 missing)));
	if (!PL_ISNULL(&item, WI_OPEN_HANDOFF))
		refuse_open_handoff(&item);
	if (DatumGetBool(PL_VAL(&to, ST_NEEDS_BACKED_ORDER)))
	{
		Oid			table;

		(void) require_backed_order(&to, ctx, id, &table);
	}

	PL_SET(&h, HO_ID, Int64GetDatum(pl_nextval(PL_HANDOFF)));
	PL_SET(&h, HO_FROM, CStringGetTextDatum(from_code));
	PL_SET(&h, HO_OFFERED_BY, pl_name_datum(pl_current_user()));
	PL_SET(&h, HO_OFFERED_AT, TimestampTzGetDatum(xact_now()));
	if (!PL_ISNULL(&to, ST_ACCEPT_WITHIN))
		PL_SET(&h, HO_DUE_AT, DirectFunctionCall2(timestamptz_pl_interval,
												  TimestampTzGetDatum(xact_now()),
												  PL_VAL(&to, ST_ACCEPT_WITHIN)));
	return pl_row_to_tuple(&h, desc);
}

static HeapTuple
handoff_answering(TriggerData *td)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	PlRow		o,
				n,
				item,
				to;
	int64		hid;
	char	   *state,
			   *to_code;
	bool		accepting;

	pl_row_from_tuple(PL_HANDOFF, td->tg_trigtuple, desc, &o);
	pl_row_from_tuple(PL_HANDOFF, td->tg_newtuple, desc, &n);
	hid = PL_INT8(&o, HO_ID);
	if (strcmp(PL_TEXT(&o, HO_STATE), "offered") != 0)
	{
		bool		was_accepted = strcmp(PL_TEXT(&o, HO_STATE), "accepted") == 0;

		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("handoff %lld was %s already", (long long) hid, PL_TEXT(&o, HO_STATE)),
				 errdetail("It was %s by %s; a handoff is answered once, and its row is history.",
						   PL_TEXT(&o, HO_STATE),
						   PL_TEXT(&o, was_accepted ? HO_ACCEPTED_BY : HO_RETURNED_BY)),
				 errhint("To move the work item again, offer a new handoff.")));
	}
	for (int att = 1; att <= HO_NATTS; att++)
		if (att != HO_STATE && att != HO_RETURNED_REASON && !datum_same(&o, &n, att, desc))
			ereport(ERROR,
					(errcode(ERRCODE_SC_HANDOFF),
					 errmsg("column \"%s\" of a handoff cannot be changed", pl_attname(PL_HANDOFF, att)),
					 errdetail("A handoff is offered once and answered once; sacrosanct fills who and when."),
					 errhint("Accept it (state = 'accepted') or return it with a reason (state = 'returned', returned_reason = '...').")));
	state = PL_TEXT(&n, HO_STATE);
	if (strcmp(state, "offered") == 0 || strcmp(state, "accepted") == 0)
	{
		if (!PL_ISNULL(&n, HO_RETURNED_REASON))
			ereport(ERROR,
					(errcode(ERRCODE_SC_HANDOFF),
					 errmsg("a reason goes with a return"),
					 errdetail("Handoff %lld gets returned_reason but its state is \"%s\".",
							   (long long) hid, state),
					 errhint("Set state = 'returned' with the reason, or leave returned_reason out.")));
		if (strcmp(state, "offered") == 0)
			return pl_row_to_tuple(&n, desc);
	}
	accepting = strcmp(state, "accepted") == 0;

	lock_item(PL_INT8(&o, HO_ITEM), &item);
	if (!PL_ISNULL(&item, WI_CLOSED_AT))
		refuse_closed(&item);
	to_code = PL_TEXT(&o, HO_TO);
	pl_stage_must(to_code, &to);
	if (PL_INT8(&item, WI_OPEN_HANDOFF) != hid)
		elog(ERROR, "work item %lld does not record its open handoff %lld",
			 (long long) PL_INT8(&item, WI_ID), (long long) hid);
	if (accepting)
	{
		pl_require_member(&to, psprintf("accept handoffs to stage \"%s\"", to_code));
		check_wip(&to, "accepting one more");
		if (DatumGetBool(PL_VAL(&to, ST_NEEDS_BACKED_ORDER)))
		{
			Oid			table;

			(void) require_backed_order(&to, context_object(&o, HO_CONTEXT),
										PL_INT8(&item, WI_ID), &table);
		}
		PL_SET(&n, HO_ACCEPTED_BY, pl_name_datum(pl_current_user()));
		PL_SET(&n, HO_ACCEPTED_AT, TimestampTzGetDatum(xact_now()));
	}
	else if (strcmp(state, "returned") == 0)
	{
		pl_require_member(&to, psprintf("send back handoffs to stage \"%s\"", to_code));
		if (PL_ISNULL(&n, HO_RETURNED_REASON) || pl_blank(PL_TEXT(&n, HO_RETURNED_REASON)))
			ereport(ERROR,
					(errcode(ERRCODE_SC_HANDOFF),
					 errmsg("a returned handoff needs a reason"),
					 errdetail("Handoff %lld is returned with %s reason; nothing is dropped silently.",
							   (long long) hid, PL_ISNULL(&n, HO_RETURNED_REASON) ? "no" : "an empty"),
					 errhint("Set returned_reason, or call sacrosanct.send_back(handoff, reason).")));
		PL_SET(&n, HO_RETURNED_BY, pl_name_datum(pl_current_user()));
		PL_SET(&n, HO_RETURNED_AT, TimestampTzGetDatum(xact_now()));
	}
	/* any other state is refused by the table's CHECK constraint */
	return pl_row_to_tuple(&n, desc);
}

PG_FUNCTION_INFO_V1(sacrosanct_handoff_rules);
Datum
sacrosanct_handoff_rules(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "sacrosanct.handoff_rules()", PL_HANDOFF, true);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return PointerGetDatum(handoff_offering(td));
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		return PointerGetDatum(handoff_answering(td));
	refuse_delete(PL_HANDOFF);
	return PointerGetDatum(NULL);
}

/* add a stage to an item's visited stages (row-level security reads them) */
static void
visit_add(PlRow *item, const char *stage)
{
	ArrayType  *arr = DatumGetArrayTypeP(PL_VAL(item, WI_VISITED));
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	Datum	   *grown;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i] && strcmp(TextDatumGetCString(elems[i]), stage) == 0)
			return;
	grown = palloc(sizeof(Datum) * (n + 1));
	memcpy(grown, elems, sizeof(Datum) * n);
	grown[n] = CStringGetTextDatum(stage);
	PL_SET(item, WI_VISITED, PointerGetDatum(construct_array(grown, n + 1, TEXTOID, -1, false,
															 TYPALIGN_INT)));
}

void
pl_offer_journal(const PlRow *h, const char *order_key, Oid order_table, int64 renegotiation)
{
	PlRow		item;
	int64		hid = PL_INT8(h, HO_ID);
	int64		id = PL_INT8(h, HO_ITEM);
	char	   *from = PL_TEXT(h, HO_FROM);
	char	   *to = PL_TEXT(h, HO_TO);
	bool		by_sacrosanct = DatumGetBool(PL_VAL(h, HO_BY_SACROSANCT));

	pl_relocate(PL_WORK_ITEM, id, &item);
	PL_SET(&item, WI_OPEN_HANDOFF, Int64GetDatum(hid));
	visit_add(&item, to);
	if (order_key)
	{
		PL_SET(&item, WI_ORDER_KEY, CStringGetTextDatum(order_key));
		if (OidIsValid(order_table))
			PL_SET(&item, WI_ORDER_TABLE, ObjectIdGetDatum(order_table));
		else
			PL_SETNULL(&item, WI_ORDER_TABLE);
	}
	pl_update(&item);
	pl_event(id, hid, "offered", to, by_sacrosanct,
			 renegotiation ? psprintf("{\"from\": %s, \"renegotiation\": " INT64_FORMAT ", \"on_behalf_of\": %s}",
									  json_text(from), renegotiation, json_text(pl_actor(by_sacrosanct)))
			 : psprintf("{\"from\": %s}", json_text(from)));
	pl_notify(to, "offered", hid, id, from, to,
			  PL_ISNULL(h, HO_DUE_AT) ? NULL : &PL_VAL(h, HO_DUE_AT), renegotiation);
}

PG_FUNCTION_INFO_V1(sacrosanct_handoff_journal);
Datum
sacrosanct_handoff_journal(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "sacrosanct.handoff_journal()", PL_HANDOFF, false);
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	PlRow		o,
				n,
				item;
	int64		hid,
				id;
	char	   *from,
			   *to;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		PlRow		stage;
		char	   *order_key = NULL;
		Oid			order_table = InvalidOid;

		pl_row_from_tuple(PL_HANDOFF, td->tg_trigtuple, desc, &n);
		pl_stage_must(PL_TEXT(&n, HO_TO), &stage);
		if (DatumGetBool(PL_VAL(&stage, ST_NEEDS_BACKED_ORDER)))
		{
			Jsonb	   *ctx = context_object(&n, HO_CONTEXT);

			order_key = pl_context_text(ctx, "order_key");
			order_table = context_order_table(ctx);
		}
		pl_offer_journal(&n, order_key, order_table, 0);
		return PointerGetDatum(NULL);
	}

	pl_row_from_tuple(PL_HANDOFF, td->tg_trigtuple, desc, &o);
	pl_row_from_tuple(PL_HANDOFF, td->tg_newtuple, desc, &n);
	if (datum_same(&o, &n, HO_STATE, desc))
		return PointerGetDatum(NULL);
	hid = PL_INT8(&n, HO_ID);
	id = PL_INT8(&n, HO_ITEM);
	from = PL_TEXT(&n, HO_FROM);
	to = PL_TEXT(&n, HO_TO);
	pl_relocate(PL_WORK_ITEM, id, &item);
	PL_SETNULL(&item, WI_OPEN_HANDOFF);
	if (strcmp(PL_TEXT(&n, HO_STATE), "accepted") == 0)
	{
		leave_stage(id, xact_now());
		enter_stage(id, to, hid, xact_now());
		PL_SET(&item, WI_STAGE, CStringGetTextDatum(to));
		PL_SET(&item, WI_ENTERED_AT, TimestampTzGetDatum(xact_now()));
		pl_update(&item);
		pl_event(id, hid, "accepted", to, false, psprintf("{\"from\": %s}", json_text(from)));
	}
	else
	{
		pl_update(&item);
		pl_event(id, hid, "returned", from, false,
				 psprintf("{\"to\": %s, \"reason\": %s}", json_text(to),
						  json_text(PL_TEXT(&n, HO_RETURNED_REASON))));
		pl_notify(from, "returned", hid, id, from, to,
				  PL_ISNULL(&n, HO_DUE_AT) ? NULL : &PL_VAL(&n, HO_DUE_AT), 0);
	}
	return PointerGetDatum(NULL);
}

/* ------------------------------------------------------------------------
 * History tables
 * ------------------------------------------------------------------------
 */

/*
 * BEFORE statement trigger: stage_visit and item_event are written only by
 * sacrosanct (at the heap level, where no trigger fires), and no pipeline
 * table is truncated: the history is the journey.
 */
PG_FUNCTION_INFO_V1(sacrosanct_pipeline_history);
Datum
sacrosanct_pipeline_history(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	const char *name;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sacrosanct.pipeline_history() must be fired BEFORE ... FOR EACH STATEMENT")));
	name = RelationGetRelationName(td->tg_relation);
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_SC_HANDOFF),
				 errmsg("cannot truncate sacrosanct.%s", name),
				 errdetail("The pipeline's tables are its history: every change of a work item is kept."),
				 errhint("Close work items with an outcome instead.")));
	ereport(ERROR,
			(errcode(ERRCODE_SC_HANDOFF),
			 errmsg("table sacrosanct.%s is written only by sacrosanct", name),
			 errdetail("It is the history of the work items, kept as their handoffs happened."),
			 errhint("Read it, or the views sacrosanct.item_journey and sacrosanct.sla_breach.")));
	return PointerGetDatum(NULL);
}
