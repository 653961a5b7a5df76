-- test/stress/harness.sql: the stress run's operations (test harness code,
-- not product code).  Read after bench/gen.sql has made the plant and
-- loaded its orders (test/stress/run).
--
-- pgbench aborts a client on any error that is not a serialization failure
-- or a deadlock, so every operation runs its statement in a subtransaction
-- (a PL/pgSQL block with an EXCEPTION clause), catches whatever it raises,
-- and appends (op, sqlstate) to stress.outcome in the same transaction: an
-- outcome row exists exactly when its operation's transaction committed.
-- sqlstate '00000' means the operation did what it was asked, 'noop' that
-- there was nothing to do (the order it picked was gone: another client got
-- there first), anything else is the SQLSTATE it was refused with.
--
--   SELECT stress.step();        one operation, drawn by stress.weight
--   SELECT stress.op('cancel');  one operation of a given kind
--
-- Refusals are expected (SC001, SC003, SC004, SC005 ...); which SQLSTATEs
-- each kind may be refused with is stress.expected, and anything else
-- fails the run (test/stress/run).

SET client_min_messages = warning;
DROP SCHEMA IF EXISTS stress CASCADE;
CREATE SCHEMA stress;
RESET client_min_messages;

CREATE TABLE stress.param (
    name  text PRIMARY KEY,
    value numeric NOT NULL
);

-- one row per operation whose transaction committed
CREATE TABLE stress.outcome (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    op        text NOT NULL,
    sqlstate  text NOT NULL,
    ms        numeric NOT NULL,
    iso       text NOT NULL DEFAULT current_setting('transaction_isolation'),
    message   text,             -- of a refusal
    detail    text
);

-- how often each kind runs (relative weights)
CREATE TABLE stress.weight (
    op     text PRIMARY KEY,
    weight int NOT NULL CHECK (weight >= 0)
);

-- the SQLSTATEs a kind may be refused with; 40001 and 40P01 are counted
-- apart (serialization failures are expected outside READ COMMITTED,
-- deadlocks never)
CREATE TABLE stress.expected (
    op       text NOT NULL,
    sqlstate text NOT NULL,
    why      text NOT NULL,
    PRIMARY KEY (op, sqlstate)
);

-- keys of the orders the run inserts (S<n>) and of the ERP lines
CREATE SEQUENCE stress.key_seq;
CREATE SEQUENCE stress.line_seq;

-- The guarded ERP table: its own column names, a timestamptz promise read
-- in the plant's time zone, its own status values.
CREATE TABLE stress.erp_line (
    line_id    bigint PRIMARY KEY,
    sku        text NOT NULL,
    units      int NOT NULL CHECK (units > 0),
    due        timestamptz,
    release_on date,
    state      text NOT NULL DEFAULT 'open'
);

CREATE FUNCTION stress.p(name text) RETURNS numeric
    LANGUAGE sql STABLE AS $$ SELECT value FROM stress.param WHERE param.name = p.name $$;

-- a uniform integer in [lo, hi]
CREATE FUNCTION stress.rnd(lo int, hi int) RETURNS int
    LANGUAGE sql VOLATILE AS $$ SELECT lo + floor(random() * (hi - lo + 1))::int $$;

CREATE FUNCTION stress.product() RETURNS text
    LANGUAGE sql VOLATILE AS $$ SELECT bench.product_code(stress.rnd(1, stress.p('nprod')::int)) $$;

CREATE FUNCTION stress.resource() RETURNS text
    LANGUAGE sql VOLATILE AS $$
    SELECT 'R' || lpad(stress.rnd(1, stress.p('nres')::int)::text, stress.p('code_width')::int, '0')
$$;

-- an order quantity: 0.3 to 1.2 times the typical order of the plant
CREATE FUNCTION stress.qty() RETURNS numeric
    LANGUAGE sql VOLATILE AS $$
    SELECT greatest(1, round(stress.p('qbar') * (0.3 + 0.9 * random())::numeric))
$$;

-- An open order of sacrosanct.orders, found from a random point of the key
-- space (the plant's O<n> or the run's S<n>) through the primary key: cheap
-- at any size.  NULL when there is none after that point.
CREATE FUNCTION stress.pick_order() RETURNS text
    LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    k text;
    s bigint := (SELECT last_value FROM stress.key_seq);
BEGIN
    IF random() < 0.6 OR s < 10 THEN
        k := 'O' || lpad(stress.rnd(1, stress.p('n')::int)::text, 7, '0');
    ELSE
        k := 'S' || (1 + floor(random() * s))::bigint;
    END IF;
    RETURN (SELECT order_key FROM sacrosanct.orders
             WHERE order_key >= k AND status = 'open' ORDER BY order_key LIMIT 1);
END $$;

CREATE FUNCTION stress.pick_line() RETURNS bigint
    LANGUAGE sql VOLATILE AS $$
    SELECT line_id FROM stress.erp_line
     WHERE line_id >= (SELECT floor(random() * last_value)::bigint FROM stress.line_seq)
       AND state = 'open'
     ORDER BY line_id LIMIT 1
$$;

-- a promise for an order released on nb: NULL (15%: the guard picks the
-- earliest date), tight (12%: days after release, mostly refused with
-- SC001, or taken by the replan fallback), or generous
CREATE FUNCTION stress.promise(nb date, prod text) RETURNS date
    LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r float8 := random();
    start date := coalesce(nb, sacrosanct.today());
BEGIN
    IF r < 0.15 THEN
        RETURN NULL;
    ELSIF r < 0.27 THEN
        RETURN start + stress.rnd(0, 10);
    END IF;
    RETURN start + (SELECT buffer_days FROM sacrosanct.product WHERE code = prod) + stress.rnd(28, 91);
END $$;

-- a release date: none (today) or within the year
CREATE FUNCTION stress.release() RETURNS date
    LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN random() < 0.5 THEN NULL ELSE sacrosanct.today() + stress.rnd(0, 300) END
$$;

-- a range of 1-5 days within the next 13 weeks
CREATE FUNCTION stress.days() RETURNS daterange
    LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    d date := sacrosanct.today() + stress.rnd(0, 90);
BEGIN
    RETURN daterange(d, d + stress.rnd(1, 5));
END $$;

-- Run one pipeline operation as a member of the stage that may do it: the
-- session is a superuser, SET LOCAL ROLE makes it the stage's role (which
-- is what the rules check, has_privs_of_role on current_user).  Called
-- inside the caller's subtransaction: a refusal rolls the role back too.
CREATE FUNCTION stress.as_role(r text) RETURNS void
    LANGUAGE sql AS $$ SELECT set_config('role', r, true) $$;

-- What one operation did, in the caller's transaction.
CREATE FUNCTION stress.record(op text, st text, t0 timestamptz, msg text DEFAULT NULL,
                              det text DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('role', 'none', true);
    -- an SC001 must carry the earliest date on its DETAIL's first line
    IF st = 'SC001' AND det !~ '^earliest backed date: (\d{4}-\d\d-\d\d \(bottleneck: [^)]+\)|none within \d+ days)' THEN
        st := 'SC001-without-date';
    END IF;
    INSERT INTO stress.outcome (op, sqlstate, ms, message, detail)
    VALUES (op, st, round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 2),
            CASE WHEN st NOT IN ('00000', 'noop') THEN msg END,
            CASE WHEN st NOT IN ('00000', 'noop') THEN det END);
    RETURN st;
END $$;

-------------------------------------------------------------------------------
-- The operations
-------------------------------------------------------------------------------

CREATE FUNCTION stress.op(kind text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
    st text := '00000';
    msg text;
    det text;
    k text;
    line bigint;
    p text;
    q numeric;
    nb date;
    pr date;
    n int;
    r record;
    qid bigint;
    pl record;
BEGIN
    -- what the operation works on is picked before its subtransaction; an
    -- operation with nothing to work on is a 'noop'
    IF kind IN ('cancel', 'deliver', 'delete', 'update_qty', 'update_promise', 'complete_step') THEN
        k := stress.pick_order();
        IF k IS NULL THEN
            RETURN stress.record(kind, 'noop', t0);
        END IF;
    ELSIF kind = 'pipeline' THEN
        SELECT * INTO pl FROM stress.pipeline_pick();
        kind := pl.op;
    ELSIF kind = 'erp_cancel' THEN
        line := stress.pick_line();
        IF line IS NULL THEN
            RETURN stress.record(kind, 'noop', t0);
        END IF;
    END IF;

    BEGIN
        CASE kind
        WHEN 'insert' THEN
            p := stress.product();
            nb := stress.release();
            INSERT INTO sacrosanct.orders (order_key, customer, product, qty, not_before, promised)
            VALUES ('S' || nextval('stress.key_seq'), 'stress', p, stress.qty(), nb, stress.promise(nb, p));
        WHEN 'erp_insert' THEN
            p := stress.product();
            nb := stress.release();
            pr := stress.promise(nb, p);
            INSERT INTO stress.erp_line (line_id, sku, units, due, release_on)
            VALUES (nextval('stress.line_seq'), p, stress.qty(), pr + time '17:00', nb);
        WHEN 'erp_cancel' THEN
            UPDATE stress.erp_line SET state = 'void' WHERE line_id = line AND state = 'open';
            IF NOT FOUND THEN st := 'noop'; END IF;
        WHEN 'cancel' THEN
            UPDATE sacrosanct.orders SET status = 'cancelled' WHERE order_key = k AND status = 'open';
            IF NOT FOUND THEN st := 'noop'; END IF;
        WHEN 'deliver' THEN
            UPDATE sacrosanct.orders SET status = 'done' WHERE order_key = k AND status = 'open';
            IF NOT FOUND THEN st := 'noop'; END IF;
        WHEN 'delete' THEN
            DELETE FROM sacrosanct.orders WHERE order_key = k;
            IF NOT FOUND THEN st := 'noop'; END IF;
        WHEN 'update_qty' THEN
            UPDATE sacrosanct.orders SET qty = greatest(1, round(qty * (0.5 + random())::numeric))
             WHERE order_key = k AND status = 'open';
            IF NOT FOUND THEN st := 'noop'; END IF;
        WHEN 'update_promise' THEN
            -- earlier (often refused) or later; a NULL promise stays NULL-free
            UPDATE sacrosanct.orders SET promised = greatest(sacrosanct.today(), promised + stress.rnd(-20, 20))
             WHERE order_key = k AND status = 'open';
            IF NOT FOUND THEN st := 'noop'; END IF;
        WHEN 'renegotiate' THEN
            -- the customer of an order at risk agrees the new date
            SELECT n2.order_key, n2.new_earliest INTO r
              FROM sacrosanct.renegotiation n2
             WHERE n2.status = 'open' AND n2.source = 'sacrosanct.orders'::regclass
               AND n2.order_key NOT LIKE 'K%'      -- the crash clients' own
             ORDER BY random() LIMIT 1;
            IF NOT FOUND THEN
                st := 'noop';
            ELSE
                UPDATE sacrosanct.orders SET promised = coalesce(r.new_earliest, promised + 60)
                 WHERE order_key = r.order_key AND status = 'open' AND at_risk;
                IF NOT FOUND THEN st := 'noop'; END IF;
            END IF;
        WHEN 'quote' THEN
            PERFORM * FROM sacrosanct.quote(stress.product(), stress.qty(), stress.release());
        WHEN 'quote_hold' THEN
            -- a hold of a few seconds; every other one is taken by an order
            p := stress.product();
            q := stress.qty();
            SELECT * INTO r FROM sacrosanct.quote(p, q, NULL, make_interval(secs => stress.rnd(2, 20)));
            IF r.earliest IS NOT NULL AND random() < 0.5 THEN
                INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised, quote_id)
                VALUES ('S' || nextval('stress.key_seq'), 'stress quoted', p, q, r.earliest, r.quote_id);
            END IF;
        WHEN 'add_capacity' THEN
            PERFORM sacrosanct.add_capacity(stress.resource(), stress.days(), stress.rnd(60, 240), 'stress: overtime');
        WHEN 'remove_capacity' THEN
            -- most of a day's capacity, 1-5 days within a month: often
            -- absorbed by a repair or a replan, sometimes refused (SC003)
            PERFORM sacrosanct.remove_capacity(stress.resource(), daterange(d, d + stress.rnd(1, 5)),
                                               stress.rnd(240, 1440), 'stress: breakdown')
               FROM (SELECT sacrosanct.today() + stress.rnd(0, 30) AS d) x;
        WHEN 'remove_capacity_forced' THEN
            -- a machine down for 1-3 days within a fortnight: some orders
            -- go at risk (and are renegotiated by 'renegotiate')
            PERFORM sacrosanct.remove_capacity(stress.resource(), daterange(d, d + stress.rnd(1, 3)),
                                               1440 * 3, 'stress: forced breakdown', force => true)
               FROM (SELECT sacrosanct.today() + stress.rnd(0, 14) AS d) x;
        WHEN 'complete_step' THEN
            SELECT d.step, d.steps_done INTO r FROM sacrosanct.demand d
             WHERE d.order_key = k AND d.source = 'sacrosanct.orders'::regclass;
            IF NOT FOUND OR r.steps_done >= cardinality(r.step) THEN
                st := 'noop';
            ELSE
                PERFORM sacrosanct.complete_step(k, r.step[r.steps_done + 1]);
            END IF;
        WHEN 'replan' THEN
            PERFORM count(*) FROM sacrosanct.replan('stress: replan');
        WHEN 'open_item' THEN
            k := 'C' || stress.rnd(1, 500);     -- the stage role may not use schema stress
            PERFORM stress.as_role(pl.role);
            line := sacrosanct.open_item(k, 'stress case', '{"source": "stress"}',
                                         CASE WHEN random() < 0.5 THEN 'sacrosanct_operations'::regrole END);
            PERFORM sacrosanct.hand_off(line, 'sales', '{"contact": "stress"}');
        WHEN 'accept' THEN
            PERFORM stress.as_role(pl.role);
            PERFORM sacrosanct.accept(pl.handoff);
        WHEN 'send_back' THEN
            PERFORM stress.as_role(pl.role);
            PERFORM sacrosanct.send_back(pl.handoff, 'stress: not yet');
        WHEN 'close_item' THEN
            PERFORM stress.as_role(pl.role);
            PERFORM sacrosanct.close_item(pl.item, 'stress: closed');
        WHEN 'hand_off' THEN
            PERFORM stress.as_role(pl.role);
            PERFORM sacrosanct.hand_off(pl.item, pl.to_stage, pl.ctx);
        ELSE
            RAISE EXCEPTION 'stress.op: unknown kind %', kind;
        END CASE;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    END;
    PERFORM set_config('role', 'none', true);    -- back from a stage role
    RETURN stress.record(kind, st, t0, msg, det);
END $$;

-- One step of the pipeline (DESIGN.md §4), decided before the operation's
-- subtransaction: open a case in marketing (and offer it to sales), or take
-- a random open case one step on: accept or send back its open offer, or
-- offer it along a transition (to operations with a backed order), or close
-- it.  role is the stage role that may take the step.
CREATE FUNCTION stress.pipeline_pick(OUT op text, OUT role text, OUT item bigint, OUT handoff bigint,
                                     OUT to_stage text, OUT ctx jsonb)
    LANGUAGE plpgsql AS $$
DECLARE
    w record;
    k text;
BEGIN
    ctx := '{}';
    IF random() < 0.15 THEN
        op := 'open_item'; role := 'sacrosanct_marketing';
        RETURN;
    END IF;
    SELECT wi.id, wi.stage, wi.open_handoff INTO w FROM sacrosanct.work_item wi
     WHERE wi.id >= (SELECT floor(random() * last_value)::bigint FROM sacrosanct.pipeline_id)
       AND wi.closed_at IS NULL
     ORDER BY wi.id LIMIT 1;
    IF NOT FOUND THEN
        op := 'open_item'; role := 'sacrosanct_marketing';
        RETURN;
    END IF;
    item := w.id;
    IF w.open_handoff IS NOT NULL THEN
        handoff := w.open_handoff;
        SELECT s.role::text INTO role
          FROM sacrosanct.handoff ho JOIN sacrosanct.stage s ON s.code = ho.to_stage
         WHERE ho.id = w.open_handoff;
        op := CASE WHEN random() < 0.75 THEN 'accept' ELSE 'send_back' END;
        RETURN;
    END IF;
    SELECT s.role::text INTO role FROM sacrosanct.stage s WHERE s.code = w.stage;
    IF random() < 0.2 OR (w.stage IN ('operations', 'customer_service') AND random() < 0.4) THEN
        op := 'close_item';
        RETURN;
    END IF;
    op := 'hand_off';
    SELECT t.to_stage INTO to_stage FROM sacrosanct.transition t
     WHERE t.from_stage = w.stage ORDER BY random() LIMIT 1;
    IF to_stage = 'engineering' THEN
        ctx := '{"requirements": "stress"}';
    ELSIF to_stage = 'operations' THEN
        -- an open order the schedule backs, not carried by another case
        SELECT d.order_key INTO k FROM sacrosanct.demand d
         WHERE d.source = 'sacrosanct.orders'::regclass AND d.order_key >= stress.pick_order()
           AND d.backed AND NOT d.at_risk AND d.promised >= sacrosanct.today()
           AND NOT EXISTS (SELECT FROM sacrosanct.work_item c
                            WHERE c.order_key = d.order_key AND c.closed_at IS NULL)
         ORDER BY d.order_key LIMIT 1;
        ctx := jsonb_build_object('order_key', k);
    END IF;
END $$;

-- One operation, drawn by weight.
CREATE FUNCTION stress.step() RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    total int := (SELECT sum(weight) FROM stress.weight);
    x int := floor(random() * total)::int;
    w record;
BEGIN
    FOR w IN SELECT op, weight FROM stress.weight WHERE weight > 0 ORDER BY op LOOP
        IF x < w.weight THEN
            RETURN stress.op(w.op);
        END IF;
        x := x - w.weight;
    END LOOP;
    RETURN NULL;
END $$;

-- the plant's figures the operations draw from
CREATE FUNCTION stress.setup(n int) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stress.param (name, value)
    SELECT 'n', n
    UNION ALL SELECT 'nprod', value FROM bench.param WHERE name = 'nprod'
    UNION ALL SELECT 'nres', value FROM bench.param WHERE name = 'nres'
    UNION ALL SELECT 'code_width', value FROM bench.param WHERE name = 'code_width'
    UNION ALL SELECT 'qbar', round(bench.qbar(n));
    PERFORM sacrosanct.guard('stress.erp_line', key => 'line_id', product => 'sku', qty => 'units',
                             promised => 'due', status => 'state', not_before => 'release_on',
                             done_values => '{shipped}', cancelled_values => '{void}');
    PERFORM sacrosanct.default_pipeline();
    PERFORM sacrosanct.create_roles();
END $$;

-- The mix: every kind a few hundred times in a minute of 8 clients at
-- N = 20,000 (test/stress/run prints the counts).  The operations that lock
-- every resource (replan, quote holds, capacity changes, and the replan
-- fallback of a tight insert) bound the throughput; pipeline operations
-- lock no resource and run beside them.  'pipeline' is one of
-- open_item, hand_off, accept, send_back, close_item (stress.pipeline_pick).
INSERT INTO stress.weight (op, weight) VALUES
    ('insert', 120), ('erp_insert', 60), ('erp_cancel', 50), ('cancel', 50), ('deliver', 50),
    ('delete', 50), ('update_qty', 50), ('update_promise', 50), ('renegotiate', 50),
    ('quote', 50), ('quote_hold', 40), ('add_capacity', 40), ('remove_capacity', 40),
    ('remove_capacity_forced', 40), ('complete_step', 50), ('replan', 40), ('pipeline', 700);

INSERT INTO stress.expected (op, sqlstate, why) VALUES
    ('insert', 'SC001', 'a tight promise the schedule cannot back'),
    ('erp_insert', 'SC001', 'a tight promise the schedule cannot back'),
    ('update_qty', 'SC001', 'more work than the promise allows'),
    ('update_promise', 'SC001', 'an earlier promise the schedule cannot back'),
    ('renegotiate', 'SC001', 'the renegotiation''s new earliest date was taken meanwhile'),
    ('remove_capacity', 'SC003', 'the breakdown would break backed promises'),
    ('replan', 'SC003', 'a full replan would break a backed promise'),
    ('complete_step', '55000', 'another client completed that step first'),
    ('complete_step', '42704', 'the order was cancelled, delivered or deleted meanwhile'),
    ('accept', 'SC004', 'answered already by another client, or the target stage is over its WIP limit, or the order went at risk'),
    ('send_back', 'SC004', 'answered already by another client'),
    ('hand_off', 'SC004', 'another client offered it first, or the order is not backed any more'),
    ('close_item', 'SC004', 'another client offered or closed it first');

-- refusals with a SQLSTATE their kind may not have (serialization failures
-- and deadlocks are counted apart, by test/stress/run)
CREATE VIEW stress.unexpected AS
    SELECT o.* FROM stress.outcome o
     WHERE o.sqlstate NOT IN ('00000', 'noop', '40001', '40P01')
       AND NOT EXISTS (SELECT FROM stress.expected e WHERE e.op = o.op AND e.sqlstate = o.sqlstate);
