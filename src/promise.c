/*
 * promise.c
 *		Promises on the committed schedule (DESIGN.md §3.1 rules 6, 7 and 9;
 *		§3.2): place, place at the earliest date, release, quote, replan.
 *
 * The fast path of a guarded INSERT locks the resources of the order's
 * routing, loads it greedily on a lazy board that reads only the days it
 * walks, and writes one demand row and a handful of load rows.  Only when
 * that does not back the promise does it lock every resource, read every
 * open order, and run replans in memory: once at the promised date and, if
 * that fails too, as a search for the earliest backed date.  Replans write
 * back only the orders whose plan changed.
 */
#include "postgres.h"

#include "access/xact.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "planlog.h"
#include "promise.h"
#include "renegotiation.h"
#include "tables.h"

/* ------------------------------------------------------------------------
 * The earliest backed date (rule 9)
 * ------------------------------------------------------------------------
 */

typedef struct Earliest
{
	ScDay		date;			/* SC_NO_DAY: none within the horizon */
	ScDay		finish;			/* planned finish backing it */
	int			bottleneck;		/* step position */
	bool		greedy;			/* backed by greedy insertion: the board does not hold it */
} Earliest;

/*
 * On a full session: load 'o' greedily onto the committed schedule (rule 6's
 * first try), then search below the greedy date with replans.  'floor' is a
 * date known not to be accepted (SC_NO_DAY: none).  When greedy insertion
 * cannot finish within the horizon, a later promise may still be backed (it
 * sorts the order after orders it would otherwise break): every date up to
 * max(today + horizon, the latest open promise) + buffer + 1 is searched,
 * exactly.  On return the board holds the plan of the date found unless it
 * is the greedy one.
 */
static Earliest
earliest_backed(ScSession *s, ScOrder *o, ScDay floor)
{
	Earliest	r = {SC_NO_DAY, SC_NO_DAY, -1, false};
	int32		buffer = o->routing->buffer_days;
	ScDay		start = o->not_before != SC_NO_DAY && o->not_before > s->today
		? o->not_before : s->today;
	ScDay		lo = start + buffer;
	ScDay		saved = o->promised;

	(void) sc_session_greedy(s, o);
	r.bottleneck = o->bottleneck;
	if (floor != SC_NO_DAY && floor + 1 > lo)
		lo = floor + 1;

	if (o->finish != SC_NO_DAY)
	{
		ScDay		greedy = o->finish + buffer;

		r.finish = o->finish;
		r.date = sc_search_earliest(&s->board, s->sorted, s->nsorted, o,
									lo > greedy ? greedy : lo, greedy, true);
		r.greedy = r.date == greedy;
	}
	else
	{
		ScDay		last = s->today + sc_horizon_days;
		ScDay		hi;

		if (s->nsorted > 0 && s->sorted[s->nsorted - 1]->promised > last)
			last = s->sorted[s->nsorted - 1]->promised;
		hi = last + buffer + 1;
		r.date = sc_search_earliest_scan(&s->board, s->sorted, s->nsorted, o,
										 lo > hi ? hi : lo, hi);
	}
	if (r.date != SC_NO_DAY && !r.greedy)
	{
		r.finish = o->finish;
		r.bottleneck = o->bottleneck;
	}
	o->promised = saved;
	return r;
}

/* Commit the extra order at the earliest date found: greedily, or with the replan the board holds. */
static void
commit_at_earliest(ScSession *s, const Earliest *er, ScExtra *x, ScOrder *o, const char *why)
{
	int			nmoved;

	o->promised = er->date;
	if (er->greedy)
	{
		/* the search used the board: load o greedily on the committed schedule again */
		x->board = sc_session_greedy(s, o);
		sc_session_commit_single(s, x);
	}
	else
		(void) sc_session_commit(s, x, "replan", why, &nmoved);
}

static void
refuse_not_backed(const char *key, ScDay promised, const Earliest *er,
				  const char *bottleneck, int32 buffer)
{
	if (er->date == SC_NO_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_SC_NOT_BACKED),
				 promised == SC_NO_DAY
				 ? errmsg("no date within the horizon backs order \"%s\"", key)
				 : errmsg("promised date %s of order \"%s\" is not backed by the schedule",
						  sc_day_text(promised), key),
				 errdetail("earliest backed date: none within %d days\n"
						   "bottleneck: %s cannot finish the order by %s.",
						   sc_horizon_days, bottleneck,
						   sc_day_text(sc_today() + sc_horizon_days)),
				 errhint("Add capacity on %s (overtime: a capacity_change with positive minutes), or have a superuser raise sacrosanct.horizon_days if the order belongs that far out.",
						 bottleneck)));
	ereport(ERROR,
			(errcode(ERRCODE_SC_NOT_BACKED),
			 errmsg("promised date %s of order \"%s\" is not backed by the schedule",
					sc_day_text(promised), key),
			 errdetail("earliest backed date: %s (bottleneck: %s)\n"
					   "%s, it would finish on %s; the product's buffer is %d day%s.",
					   sc_day_text(er->date), bottleneck,
					   er->greedy ? "Loaded after the orders already planned"
					   : "Loaded before later-promised orders by a replan",
					   sc_day_text(er->finish), buffer, buffer == 1 ? "" : "s"),
			 errhint("Promise %s or later, or add capacity on %s (overtime: a capacity_change with positive minutes) and try again.",
					 sc_day_text(er->date), bottleneck)));
}

static const char *
bottleneck_code(const ScSession *s, const ScProduct *prod, const Earliest *er)
{
	return sc_session_res_code(s, prod, er->bottleneck >= 0 ? er->bottleneck : 0);
}

/* ------------------------------------------------------------------------
 * Quote holds
 * ------------------------------------------------------------------------
 */

static void
hold_refuse(int64 id, const char *what, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_SC_QUOTE),
			 errmsg("quote %lld %s", (long long) id, what),
			 errdetail("%s", detail),
			 errhint("Ask sacrosanct.quote() again with a hold, or insert the order without quote_id.")));
}

/* the hold record of a quote, checked against the order (SC005 otherwise) */
static void
hold_check(const ScOrderIn *in, Snapshot snapshot, ScDemand *hold)
{
	if (!sc_demand_by_id(in->quote_id, snapshot, hold) || hold->order_key != NULL)
		hold_refuse(in->quote_id, "is not a quote hold",
					psprintf("No live hold has quote_id %lld; it was never made, is consumed, or expired and was released.",
							 (long long) in->quote_id));
	if (hold->hold_until < GetCurrentTransactionStartTimestamp())
		hold_refuse(in->quote_id, "has expired",
					psprintf("The hold ran until %s.", timestamptz_to_str(hold->hold_until)));
	if (strcmp(hold->product, in->product) != 0 ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(hold->qty),
										  NumericGetDatum(in->qty))) != 0)
		hold_refuse(in->quote_id, "does not match the order",
					psprintf("The hold is for %s of product \"%s\"; the order is for %s of \"%s\".",
							 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(hold->qty))),
							 hold->product,
							 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(in->qty))),
							 in->product));
	if (in->promised != SC_NO_DAY && in->promised < hold->promised)
		hold_refuse(in->quote_id, "does not back the promised date",
					psprintf("The hold backs %s; the order promises %s.",
							 sc_day_text(hold->promised), sc_day_text(in->promised)));
	/* the held plan must not start before the order may */
	for (int k = 0; in->not_before != SC_NO_DAY && k < hold->nalloc; k++)
		if (hold->alloc_day[k] < in->not_before)
			hold_refuse(in->quote_id, "does not match the order",
						psprintf("The hold's plan works on %s, before the order's not_before date %s.",
								 sc_day_text(hold->alloc_day[k]), sc_day_text(in->not_before)));
}

bool
sc_order_planned(const char *key, Oid source)
{
	ScDemand	rec;
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	bool		found = sc_demand_by_key(key, source, snap, &rec);

	UnregisterSnapshot(snap);
	return found;
}

ScDay
sc_hold_promise(const ScOrderIn *in)
{
	ScDemand	hold;
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	ScDay		promised;

	hold_check(in, snap, &hold);
	promised = hold.promised;
	UnregisterSnapshot(snap);
	return promised;
}

/* An order consumes its quote hold: the hold's record becomes the order's. */
static void
consume_hold(ScSession *s, const ScOrderIn *in, const ScProduct *prod)
{
	ScDemand	hold;
	ScDemand   *rec;

	hold_check(in, s->snapshot, &hold);
	rec = sc_record_for_order(in, &hold, in->promised);
	rec->backed = hold.planned_finish != SC_NO_DAY &&
		hold.planned_finish + prod->routing.buffer_days <= in->promised;
	sc_write_begin();
	sc_demand_update(rec);
	sc_write_end();
}

/* ------------------------------------------------------------------------
 * Placing an order
 * ------------------------------------------------------------------------
 */

/* the order to place, as the engine sees it, with its record to write */
typedef struct Placing
{
	const ScOrderIn *in;
	const ScDemand *old;		/* its record before a re-plan; NULL for a new order */
	const ScProduct *prod;
	int64	   *work;
	bool	   *keep;
	ScOrder		o;
	ScExtra		x;
} Placing;

static void
placing_init(ScSession *s, Placing *p, const ScOrderIn *in, const ScProduct *prod,
			 const ScDemand *old, ScDay promised)
{
	p->in = in;
	p->old = old;
	p->prod = prod;
	p->work = palloc(sizeof(int64) * prod->routing.nsteps);
	sc_product_work(prod, in->qty, p->work);
	sc_order_init(&p->o, prod, p->work, in->key, (int64) in->source, promised, in->not_before);
	p->keep = sc_session_history(s, old, prod, &p->o);
	p->x.rec = NULL;
	p->x.prod = prod;
	p->x.work = p->work;
	p->x.ord = &p->o;
	p->x.old = old;
	p->x.keep = p->keep;
	p->x.board = NULL;
}

static ScExtra *
placing_record(Placing *p, ScDay promised)
{
	p->x.rec = sc_record_for_order(p->in, p->old, promised);
	return &p->x;
}

/*
 * Rule 6, first try: greedy insertion on the committed schedule, reading
 * only the days it walks.  The load still counts an expired hold until a
 * replan releases it, so when one exists this leaves it to the full path,
 * which does.  Returns true when the order is placed.
 */
static bool
place_greedy(ScSession *s, const ScOrderIn *in, const ScProduct *prod, const ScDemand *old)
{
	Placing		p;

	if (sc_expired_holds(s->snapshot, GetCurrentTransactionStartTimestamp()))
		return false;
	placing_init(s, &p, in, prod, old, in->promised);
	/* under the locks of its resources: a walk past the promise stops */
	if (sc_load_order_for_promise(sc_session_committed_board(s, &s->board, old), &p.o))
	{
		sc_session_commit_single(s, placing_record(&p, in->promised));
		return true;
	}
	return false;				/* the next snapshot closes the reader */
}

/*
 * Rule 6, second try, on every open order in memory: greedy once more on
 * the committed schedule (things may have changed since the first try), then a
 * replan with the order included, else SC001 with the earliest backed date.
 *
 * Without locks (locked false) this only decides: a refusal is raised as
 * it is, on the committed state the snapshot shows (the locked path would
 * decide the same on that state), so a refusal, the everyday event, holds
 * no lock while it searches for the date to offer; an acceptance returns
 * false, for the caller to take every lock and decide again on what is
 * committed then.  With every lock held, an acceptance is committed.
 */
static bool
place_full(ScSession *s, const ScOrderIn *in, const char *old_key, bool locked)
{
	const ScProduct *prod;
	Placing		p;
	Earliest	er;
	int			nmoved;
	const ScBoard *greedy;

	if (!locked)
		s->plant = sc_plant();
	prod = sc_plant_product_for_order(s->plant, in->product);
	sc_session_snapshot(s);
	sc_session_full(s, old_key, in->source, false);
	placing_init(s, &p, in, prod, s->excluded ? s->excluded->rec : NULL, in->promised);

	greedy = sc_session_greedy(s, &p.o);
	if (p.o.backed)
	{
		if (!locked)
			return false;
		p.x.board = greedy;
		sc_session_commit_single(s, placing_record(&p, in->promised));
		return true;
	}
	if (sc_replan(&s->board, s->sorted, s->nsorted, &p.o, true, NULL))
	{
		if (!locked)
			return false;
		(void) sc_session_commit(s, placing_record(&p, in->promised), "replan",
								 psprintf("order %s promised %s", in->key, sc_day_text(in->promised)),
								 &nmoved);
		return true;
	}
	/* refused: the earliest date it could have (rule 9), searched above its promise */
	er = earliest_backed(s, &p.o, in->promised);
	refuse_not_backed(in->key, in->promised, &er, bottleneck_code(s, prod, &er),
					  prod->routing.buffer_days);
	return true;				/* not reached */
}

void
sc_place_order(const ScOrderIn *in, const char *old_key)
{
	ScSession	s;
	ScDemand	oldrec;
	ScDemand   *old = NULL;
	const ScProduct *prod;

	sc_session_begin(&s);

	/* which resources the old plan holds, to lock them too */
	if (old_key)
	{
		Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());

		if (sc_demand_by_key(old_key, in->source, snap, &oldrec))
			old = &oldrec;
		UnregisterSnapshot(snap);
	}
	prod = sc_session_lock_order(&s, in->product, old);
	sc_session_snapshot(&s);
	if (old_key)
		old = sc_demand_by_key(old_key, in->source, s.snapshot, &oldrec) ? &oldrec : NULL;

	if (in->has_quote && old == NULL)
		consume_hold(&s, in, prod);
	else if (!place_greedy(&s, in, prod, old))
	{
		/*
		 * Give back the locks of the first try (they were taken in this
		 * statement, nothing was written under them) and decide without
		 * any; only an acceptance takes every resource, in the fixed order,
		 * and decides again.
		 */
		sc_unlock(&s.locks);
		if (!place_full(&s, in, old_key, false))
		{
			sc_session_lock_all(&s);
			(void) place_full(&s, in, old_key, true);
		}
	}
	/* an order at risk with a new promise the schedule backs: the customer agreed */
	if (old && old->at_risk && old->promised != in->promised)
	{
		sc_write_begin();
		sc_renegotiation_close(old->order_key, old->source, "agreed");
		sc_write_end();
	}
	/* still at risk under a new key: its renegotiation follows it */
	else if (old && old->at_risk && strcmp(old->order_key, in->key) != 0)
	{
		sc_write_begin();
		sc_renegotiation_rename(old->order_key, in->key, old->source);
		sc_write_end();
	}
	sc_session_end(&s);
}

ScDay
sc_place_earliest(const ScOrderIn *in, const char *old_key)
{
	ScSession	s;
	const ScProduct *prod;
	Placing		p;
	Earliest	er;
	ScExtra    *x;

	sc_session_begin(&s);
	sc_session_lock_all(&s);
	prod = sc_plant_product_for_order(s.plant, in->product);
	sc_session_snapshot(&s);
	sc_session_full(&s, old_key, in->source, false);
	placing_init(&s, &p, in, prod, s.excluded ? s.excluded->rec : NULL, SC_NO_DAY);
	er = earliest_backed(&s, &p.o, SC_NO_DAY);
	if (er.date == SC_NO_DAY)
		refuse_not_backed(in->key, SC_NO_DAY, &er, bottleneck_code(&s, prod, &er),
						  prod->routing.buffer_days);
	x = placing_record(&p, er.date);
	/* the date the guard chose is a new promise, backed: an order at risk is not any more */
	x->rec->at_risk = false;
	commit_at_earliest(&s, &er, x, &p.o,
					   psprintf("order %s promised %s", in->key, sc_day_text(er.date)));
	if (p.old && p.old->at_risk)
	{
		sc_write_begin();
		sc_renegotiation_close(p.old->order_key, p.old->source, "agreed");
		sc_write_end();
	}
	sc_session_end(&s);
	return er.date;
}

void
sc_release_order(const char *key, Oid source, ScDay delivered)
{
	ScSession	s;
	ScDemand	rec;

	sc_session_begin(&s);
	if (sc_session_lock_record(&s, key, source, &rec))
	{
		ScLoadDelta dl = {0};

		sc_delta_demand(&dl, s.plant, &rec, -1);
		sc_write_begin();
		sc_demand_delete(rec.id);
		sc_load_write(&dl);
		if (rec.at_risk)
			sc_renegotiation_close(key, source, "cancelled");
		if (delivered != SC_NO_DAY)
			sc_delivery_record(key, source, rec.promised, delivered);
		sc_write_end();
	}
	sc_session_end(&s);
}

int
sc_release_table(Oid source)
{
	ScSession	s;
	ScDemand  **all;
	int			n;
	int			released = 0;
	ScLoadDelta dl = {0};

	sc_session_begin(&s);
	sc_session_lock_all(&s);
	sc_session_snapshot(&s);
	all = sc_demand_all(s.snapshot, s.plant, &n);
	sc_write_begin();
	for (int i = 0; i < n; i++)
	{
		if (all[i]->order_key == NULL || all[i]->source != source)
			continue;
		sc_delta_demand(&dl, s.plant, all[i], -1);
		sc_demand_delete(all[i]->id);
		if (all[i]->at_risk)
			sc_renegotiation_close(all[i]->order_key, source, "cancelled");
		released++;
	}
	sc_load_write(&dl);
	sc_write_end();
	sc_session_end(&s);
	return released;
}

void
sc_rename_order(const char *old_key, const char *new_key, Oid source)
{
	ScSession	s;
	ScDemand	rec;

	sc_session_begin(&s);
	if (sc_session_lock_record(&s, old_key, source, &rec))
	{
		rec.order_key = pstrdup(new_key);
		sc_write_begin();
		sc_demand_update(&rec);
		if (rec.at_risk)
			sc_renegotiation_rename(old_key, new_key, source);
		sc_write_end();
	}
	sc_session_end(&s);
}

/* ------------------------------------------------------------------------
 * Quotes and replans
 * ------------------------------------------------------------------------
 */

ScQuote
sc_quote(const char *product, Numeric qty, ScDay not_before, const Interval *hold)
{
	ScSession	s;
	const ScProduct *prod;
	int64	   *work;
	ScOrder		o;
	Earliest	er;
	ScQuote		q = {SC_NO_DAY, SC_NO_DAY, NULL, 0, 0};
	MemoryContext caller = CurrentMemoryContext;

	sc_session_begin(&s);
	if (hold)
		sc_session_lock_all(&s);
	else
		s.plant = sc_plant();
	prod = sc_plant_product_for_order(s.plant, product);
	work = palloc(sizeof(int64) * prod->routing.nsteps);
	sc_product_work(prod, qty, work);
	sc_session_snapshot(&s);
	sc_session_full(&s, NULL, InvalidOid, false);

	/* a would-be order has no key: it sorts after every order of its date */
	sc_order_init(&o, prod, work, NULL, INT64_MAX, SC_NO_DAY, not_before);
	er = earliest_backed(&s, &o, SC_NO_DAY);
	q.earliest = er.date;
	q.planned_finish = er.finish;
	q.bottleneck = MemoryContextStrdup(caller, bottleneck_code(&s, prod, &er));

	if (hold && er.date != SC_NO_DAY)
	{
		ScExtra		x = {0};

		x.rec = palloc0(sizeof(ScDemand));
		x.rec->hold_until = DatumGetTimestampTz(
			DirectFunctionCall2(timestamptz_pl_interval,
								TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
								PointerGetDatum(hold)));
		x.rec->product = pstrdup(product);
		x.rec->qty = qty;
		x.rec->promised = er.date;
		x.rec->not_before = not_before;
		x.rec->done_on = SC_NO_DAY;
		x.prod = prod;
		x.work = work;
		x.ord = &o;
		commit_at_earliest(&s, &er, &x, &o,
						   psprintf("quote hold for %s of %s promised %s",
									DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(qty))),
									product, sc_day_text(er.date)));
		q.quote_id = x.rec->id;
		q.hold_until = x.rec->hold_until;
	}
	sc_session_end(&s);
	return q;
}

ScLeadTime *
sc_lead_times(Numeric qty, int *n)
{
	ScSession	s;
	MemoryContext caller = CurrentMemoryContext;
	ScLeadTime *out;

	sc_session_begin(&s);
	s.plant = sc_plant();
	sc_session_snapshot(&s);
	sc_session_full(&s, NULL, InvalidOid, false);
	out = MemoryContextAllocZero(caller, sizeof(ScLeadTime) * (s.plant->nprod + 1));
	*n = 0;
	for (int p = 0; p < s.plant->nprod; p++)
	{
		const ScProduct *prod = &s.plant->prod[p];
		int64	   *work;
		ScOrder		o;
		Earliest	er;
		ScLeadTime *lt;

		if (prod->routing.nsteps == 0)
			continue;
		CHECK_FOR_INTERRUPTS();
		work = palloc(sizeof(int64) * prod->routing.nsteps);
		sc_product_work(prod, qty, work);
		/* as quote(): a would-be order without a key, after every order of its date */
		sc_order_init(&o, prod, work, NULL, INT64_MAX, SC_NO_DAY, SC_NO_DAY);
		er = earliest_backed(&s, &o, SC_NO_DAY);
		lt = &out[(*n)++];
		lt->product = MemoryContextStrdup(caller, prod->code);
		lt->q.earliest = er.date;
		lt->q.planned_finish = er.date == SC_NO_DAY ? SC_NO_DAY : er.finish;
		lt->q.bottleneck = MemoryContextStrdup(caller, bottleneck_code(&s, prod, &er));
	}
	sc_session_end(&s);
	return out;
}

ScMoved *
sc_replan_all(const char *what, const char *why, int *nmoved)
{
	ScSession	s;
	ScMoved    *moved;
	MemoryContext caller = CurrentMemoryContext;
	ScMoved    *out;

	sc_session_begin(&s);
	sc_session_lock_all(&s);
	sc_session_snapshot(&s);
	sc_session_full(&s, NULL, InvalidOid, false);
	if (!sc_replan(&s.board, s.sorted, s.nsorted, NULL, false, NULL))
	{
		StringInfoData d;
		int			n;

		initStringInfo(&d);
		n = sc_session_broken(&s, &d);
		sc_refuse_breaking("replan", n, d.data);
	}
	moved = sc_session_commit(&s, NULL, what, why, nmoved);

	out = MemoryContextAlloc(caller, sizeof(ScMoved) * (*nmoved + 1));
	for (int i = 0; i < *nmoved; i++)
	{
		out[i] = moved[i];
		out[i].order_key = moved[i].order_key
			? MemoryContextStrdup(caller, moved[i].order_key) : NULL;
	}
	sc_session_end(&s);
	return out;
}
