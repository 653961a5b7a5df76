/*
 * pipeline.h
 *		The divided-labor pipeline (DESIGN.md §4): stages owned by roles,
 *		work items that travel between them through handoffs, and their
 *		history.
 *
 *	pipeline_io.c	the pipeline's tables at the heap level: index reads,
 *					row locks, writes (no SQL, no triggers, no user code)
 *	pipeline.c		the rules, and the C triggers that enforce them for
 *					every writer (the functions and a CRM's own DML alike)
 *	pipeline_ops.c	the SQL functions (open_item ... escalate), the
 *					row-level-security predicate, and the schedule's
 *					at-risk callback
 */
#ifndef SC_PIPELINE_H
#define SC_PIPELINE_H

#include "sacrosanct.h"

#include "nodes/pg_list.h"
#include "storage/itemptr.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

/* ------------------------------------------------------------------------
 * For the schedule
 * ------------------------------------------------------------------------
 */

/*
 * A forced capacity removal put this order at risk (renegotiation row
 * renegotiation_id, for this reason).  Call it inside that transaction: if
 * an open work item carries the order, sacrosanct hands its case to
 * customer_service with the renegotiation in the handoff's context, on
 * behalf of the current user, with the NOTIFY.  Does nothing when no open
 * item carries the order.
 */
extern void sc_pipeline_order_at_risk(const char *order_key, int64 renegotiation_id,
									  const char *reason, ScDay old_promise, ScDay new_earliest);

/* the stage that takes over an order put at risk */
#define PL_RENEGOTIATION_STAGE	"customer_service"

/* advisory lock class of a stage's WIP count (the schedule's resources use 23232) */
#define PL_WIP_LOCK_CLASS		23233

/* ------------------------------------------------------------------------
 * The tables: column numbers (checked against the catalog when first used)
 * ------------------------------------------------------------------------
 */

typedef enum PlRel
{
	PL_STAGE, PL_TRANSITION, PL_WORK_ITEM, PL_HANDOFF, PL_STAGE_VISIT, PL_ITEM_EVENT,
	PL_NRELS
} PlRel;

enum
{
	ST_CODE = 1, ST_NAME, ST_ROLE, ST_ACCEPT_WITHIN, ST_COMPLETE_WITHIN, ST_WIP_LIMIT,
	ST_NEEDS_BACKED_ORDER, ST_NATTS = ST_NEEDS_BACKED_ORDER
};
enum
{
	TR_FROM = 1, TR_TO, TR_REQUIRED, TR_NATTS = TR_REQUIRED
};
enum
{
	WI_ID = 1, WI_CUSTOMER, WI_TITLE, WI_STAGE, WI_ACCOUNTABLE, WI_CONTEXT, WI_OPENED_AT,
	WI_OPENED_BY, WI_ENTERED_AT, WI_OPEN_HANDOFF, WI_VISITED, WI_CLOSED_AT, WI_CLOSED_BY,
	WI_OUTCOME, WI_ORDER_KEY, WI_ORDER_TABLE, WI_NATTS = WI_ORDER_TABLE
};
enum
{
	HO_ID = 1, HO_ITEM, HO_FROM, HO_TO, HO_CONTEXT, HO_STATE, HO_OFFERED_BY, HO_OFFERED_AT,
	HO_DUE_AT, HO_ACCEPTED_BY, HO_ACCEPTED_AT, HO_RETURNED_BY, HO_RETURNED_AT,
	HO_RETURNED_REASON, HO_ESCALATED_AT, HO_BY_SACROSANCT, HO_NATTS = HO_BY_SACROSANCT
};
enum
{
	SV_ID = 1, SV_ITEM, SV_STAGE, SV_VIA, SV_ENTERED_AT, SV_ENTERED_BY, SV_LEFT_AT,
	SV_ESCALATED_AT, SV_NATTS = SV_ESCALATED_AT
};
enum
{
	EV_ID = 1, EV_ITEM, EV_HANDOFF, EV_EVENT, EV_STAGE, EV_AT, EV_SESSION_USER,
	EV_CURRENT_USER, EV_BY_SACROSANCT, EV_DETAIL, EV_NATTS = EV_DETAIL
};

#define PL_MAX_NATTS 16

/* One row of a pipeline table, deformed: values by column number. */
typedef struct PlRow
{
	PlRel		rel;
	ItemPointerData tid;		/* where it was read (or written) */
	Datum		v[PL_MAX_NATTS];
	bool		n[PL_MAX_NATTS];
} PlRow;

#define PL_VAL(row, att)		((row)->v[(att) - 1])
#define PL_ISNULL(row, att)		((row)->n[(att) - 1])
#define PL_SET(row, att, d)		((row)->v[(att) - 1] = (d), (row)->n[(att) - 1] = false)
#define PL_SETNULL(row, att)	((row)->v[(att) - 1] = (Datum) 0, (row)->n[(att) - 1] = true)
#define PL_TEXT(row, att)		pl_text(row, att)
#define PL_INT8(row, att)		(PL_ISNULL(row, att) ? 0 : DatumGetInt64(PL_VAL(row, att)))

/* ------------------------------------------------------------------------
 * pipeline_io.c
 * ------------------------------------------------------------------------
 */

extern Oid	pl_relid(PlRel rel);
extern const char *pl_relname(PlRel rel);
extern const char *pl_attname(PlRel rel, int att);
/* a text column as a C string, NULL when NULL */
extern char *pl_text(const PlRow *row, int att);
/* an empty row of a table, every column NULL */
extern void pl_row_init(PlRel rel, PlRow *row);
/* a trigger's tuple as a row, and back */
extern void pl_row_from_tuple(PlRel rel, HeapTuple tuple, TupleDesc desc, PlRow *row);
extern HeapTuple pl_row_to_tuple(const PlRow *row, TupleDesc desc);

/* index reads with the active snapshot (what the statement sees) */
extern bool pl_fetch(PlRel rel, int64 id, PlRow *out);
/* the same as committed now, and as this transaction wrote it so far */
extern bool pl_fetch_latest(PlRel rel, int64 id, PlRow *out);
extern bool pl_stage_fetch(const char *code, PlRow *out);
extern bool pl_transition_fetch(const char *from, const char *to, PlRow *out);
/* every stage, every stage reachable from one: Lists of palloc'd PlRows */
extern List *pl_stage_all(void);
extern List *pl_transitions_from(const char *from);

/* reads of what is committed now plus this transaction's own writes */
extern bool pl_current_visit(int64 item, PlRow *out);
extern bool pl_open_item_by_order(const char *order_key, PlRow *out);
/* open work items in a stage, counted up to stop_after + 1 */
extern int64 pl_count_open_items(const char *stage, int64 stop_after);
/* ids of offered, unescalated handoffs due before now; of unescalated stays begun before cutoff */
extern List *pl_late_handoffs(TimestampTz now);
extern List *pl_overdue_visits(const char *stage, TimestampTz cutoff);

/*
 * Lock a row FOR NO KEY UPDATE and read its latest version, as SELECT ...
 * FOR NO KEY UPDATE would: under READ COMMITTED the latest committed
 * version; under REPEATABLE READ and SERIALIZABLE a row changed since the
 * transaction's snapshot is a serialization failure.  skip_locked: a row
 * another transaction holds is skipped (PL_SKIPPED), as is one changed
 * since the snapshot, instead of waiting or failing.
 */
typedef enum PlLock
{
	PL_LOCKED, PL_MISSING, PL_SKIPPED
} PlLock;

extern PlLock pl_lock(PlRel rel, int64 id, bool skip_locked, PlRow *out);
/* the same for sacrosanct's own bookkeeping: the last version, at any isolation level */
extern PlLock pl_lock_latest(PlRel rel, int64 id, PlRow *out);
/* a stage's row FOR KEY SHARE (it stays while a row written at the heap level names it) */
extern bool pl_stage_key_share(const char *code, PlRow *out);
/* the latest version of a row this transaction holds locked */
extern void pl_relocate(PlRel rel, int64 id, PlRow *out);

/* heap-level writes: no triggers, no rules, no user code (the caller checked) */
extern void pl_update(PlRow *row);
extern void pl_insert(PlRow *row);
extern int64 pl_nextval(PlRel rel);

/* a C string as a name Datum (the who-columns are names, as session_user is) */
extern Datum pl_name_datum(const char *s);
/* the acting role's name: current_user, or the outer user for what sacrosanct does on its behalf */
extern const char *pl_actor(bool by_sacrosanct);
/* append to item_event with session_user and the acting role */
extern void pl_event(int64 item, int64 handoff, const char *event, const char *stage,
					 bool by_sacrosanct, const char *detail_json);

/* NOTIFY sacrosanct_<stage> with the handoff's facts, delivered at commit */
extern void pl_notify(const char *stage, const char *event, int64 handoff, int64 item,
					  const char *from, const char *to, const Datum *due_at,
					  int64 renegotiation);

/* ------------------------------------------------------------------------
 * pipeline.c: the rules
 * ------------------------------------------------------------------------
 */

/* 23503: no work item (PL_WORK_ITEM) or handoff (PL_HANDOFF) has this id */
extern void pl_refuse_unknown(PlRel rel, int64 id) pg_attribute_noreturn();
/* the stage row, or 23503 naming the stages there are */
extern void pl_stage_must(const char *code, PlRow *out);
/* SC004 unless the current user has the privileges of the stage's role */
extern void pl_require_member(const PlRow *stage, const char *doing);
/* does the current user have the privileges of this role? */
extern bool pl_is_member(Oid role);
/* only white space? */
extern bool pl_blank(const char *s);
/* a role's name for a message (its OID when it no longer exists) */
extern const char *pl_role_text(Oid role);

/* the journal of an offer already checked and written (the item is locked) */
extern void pl_offer_journal(const PlRow *handoff, const char *order_key, Oid order_table,
							 int64 renegotiation);

/* a jsonb object's key as text, NULL when absent, null or empty */
extern char *pl_context_text(Jsonb *context, const char *key);
/* the current user's and session user's names */
extern const char *pl_current_user(void);
extern const char *pl_session_user(void);

#endif							/* SC_PIPELINE_H */
