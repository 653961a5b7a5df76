-- errors.sql: every SQLSTATE of DESIGN.md §3.4 that exists today.
--
--   SC001 promise not backed        SC002 unknown product / resource, no routing
--   SC003 change would break        SC005 quote hold unknown, expired, mismatched
--   (SC004, the handoffs, is not implemented yet.)
--
-- Every refusal is recorded in tap.refusals, and at the end each must have a
-- non-empty DETAIL and HINT.  After each refusal a test checks that nothing
-- was left behind.  Expected dates are worked out by hand from the planning
-- rule (arithmetic in the comments).  Today is pinned to Monday 2026-03-02:
--   Mon 03-02  Tue 03-03  Wed 03-04  Thu 03-05  Fri 03-06  Sat 03-07  Sun 03-08
-- Calendars E, E3 and E3U work Mon-Fri 08:00-16:00 = 480 minutes a day.
--
-- An expired hold needs a hold made in an earlier transaction (a hold runs
-- from the start of the transaction that made it), so a short prelude
-- commits one in a database where sacrosanct is not installed yet (test/run
-- makes a fresh one) and the end of this file drops the extension again.
-- In a database that already has sacrosanct, the expiry tests are skipped.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'sacrosanct') AS sc_fresh \gset
\if :sc_fresh
BEGIN;
CREATE EXTENSION sacrosanct;
SET LOCAL sacrosanct.today = '2026-03-02';
INSERT INTO sacrosanct.calendar (code) VALUES ('EXP');
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'EXP', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('SEXP', 'EXP');
INSERT INTO sacrosanct.product (code) VALUES ('PEXP');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('PEXP', 1, 'SEXP', 1);
-- 480 minutes: all of Monday 03-02 on SEXP, held for 1 millisecond
SELECT quote_id AS expired_quote FROM sacrosanct.quote('PEXP', 480, hold => '1 millisecond') \gset
COMMIT;
DO $$ BEGIN PERFORM pg_sleep(0.05); END $$;
\else
\set expired_quote 0
\endif
RESET client_min_messages;

BEGIN;
SET LOCAL datestyle = 'ISO, YMD';
SET LOCAL sacrosanct.today = '2026-03-02';
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sacrosanct;
RESET client_min_messages;

SELECT plan(132);

CREATE SCHEMA tap;
-- run a statement; the error it raised (all NULL when none)
CREATE FUNCTION tap.err(sql text, OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END
$$;
CREATE TABLE tap.refusals (label text PRIMARY KEY, state text, message text, detail text, hint text);
-- run a statement that must be refused: two tests, its SQLSTATE and its message
-- (a LIKE pattern); the refusal is kept in tap.refusals under its label
CREATE FUNCTION tap.refuses(sql text, want_state text, want_message text, label text)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    e record;
BEGIN
    SELECT * INTO e FROM tap.err(sql);
    INSERT INTO tap.refusals VALUES (label, e.state, e.message, e.detail, e.hint);
    RETURN NEXT is(e.state, want_state, label || ': SQLSTATE ' || want_state);
    RETURN NEXT alike(e.message, want_message, label || ': message');
END
$$;
CREATE FUNCTION tap.detail(label text) RETURNS text LANGUAGE sql AS $$
    SELECT detail FROM tap.refusals r WHERE r.label = $1
$$;
CREATE FUNCTION tap.sched(k text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(format('%s:%s:%s:%s', step, resource, day, minutes), ' '
                               ORDER BY step, day), '')
      FROM sacrosanct.schedule WHERE order_key = k
$$;
CREATE FUNCTION tap.verified(label text) RETURNS text LANGUAGE sql AS $$
    SELECT is_empty('SELECT * FROM sacrosanct.verify()', 'verify() finds nothing wrong ' || label)
$$;

-------------------------------------------------------------------------------
-- Plant
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.calendar (code) VALUES ('E'), ('E3'), ('E3U');
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT c, d, '08:00', '16:00' FROM unnest(ARRAY['E', 'E3', 'E3U']) c, generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar, units) VALUES
    ('S1', 'E', 1), ('S1T', 'E', 1), ('S3', 'E3', 1), ('S3U', 'E3U', 2),
    ('S3R', 'E', 1), ('S3R2', 'E', 1), ('S5', 'E', 1);
INSERT INTO sacrosanct.product (code) VALUES
    ('P1'), ('P1T'), ('P3'), ('P3U'), ('PX'), ('PY'), ('P5'), ('P5B'), ('NOROUTE');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes, lag_days) VALUES
    ('P1', 1, 'S1', 0, 1, 0),
    ('P1T', 1, 'S1T', 0, 1, 0),
    ('P3', 1, 'S3', 0, 1, 0),
    ('P3U', 1, 'S3U', 0, 1, 0),
    ('PX', 1, 'S3R', 480, 0, 0),
    ('PY', 1, 'S3R', 480, 0, 0),
    ('PY', 2, 'S3R2', 960, 0, 1),
    ('P5', 1, 'S5', 0, 1, 0),
    ('P5B', 1, 'S5', 0, 1, 0);

-------------------------------------------------------------------------------
-- SC005 for an expired hold (first: a replan would release the expired hold)
-------------------------------------------------------------------------------
\if :sc_fresh
SELECT tap.refuses(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id)
                            VALUES ('e1', 'PEXP', 480, '2026-03-31', %s)$$, :expired_quote),
                   'SC005', '%' || :expired_quote || '%expired%', 'expired hold');
SELECT is_empty($$SELECT 1 FROM sacrosanct.orders WHERE order_key = 'e1'$$, 'the refused order was not written');
-- "An expired hold reserves nothing": greedy insertion of 480 minutes finds Monday 03-02 free
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('e2', 'PEXP', 480, '2026-03-31');
SELECT is(tap.sched('e2'), '1:SEXP:2026-03-02:480', 'an expired hold reserves nothing: 03-02 is free for e2');
SELECT tap.verified('with an expired hold');
\else
SELECT skip('sacrosanct was installed already: no expired hold to test', 5);
\endif

-------------------------------------------------------------------------------
-- SC001: promise not backed
-------------------------------------------------------------------------------
-- o1 promised 03-02: 480 on 03-02; o2 promised 03-03: 480 on 03-03
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('o1', 'P1', 480, '2026-03-02'), ('o2', 'P1', 480, '2026-03-03');
-- o3 promised 03-03: greedy 03-04; replan (03-02 o1) 03-02, (03-03 o2) 03-03, (03-03 o3) 03-04:
-- refused.  Earliest: greedy 03-04 + 0; nothing between the refused 03-03 and 03-04: exactly 03-04
SELECT tap.refuses($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                     VALUES ('o3', 'P1', 480, '2026-03-03')$$,
                   'SC001', '%"o3"%', 'SC001 insert');
SELECT is(split_part(tap.detail('SC001 insert'), E'\n', 1), 'earliest backed date: 2026-03-04 (bottleneck: S1)',
          'SC001 DETAIL first line: earliest backed date 2026-03-04 (bottleneck: S1)');
SELECT is_empty($$SELECT 1 FROM sacrosanct.orders WHERE order_key = 'o3'
                  UNION ALL SELECT 1 FROM sacrosanct.schedule WHERE order_key = 'o3'$$,
                'the refused order left neither a row nor an allocation');
SELECT is(tap.sched('o1') || ' ' || tap.sched('o2'), '1:S1:2026-03-02:480 1:S1:2026-03-03:480',
          'the refusal moved nothing');
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                  VALUES ('o3', 'P1', 480, '2026-03-04')$$, 'inserting it again with 2026-03-04 succeeds');
SELECT is(tap.sched('o3'), '1:S1:2026-03-04:480', 'o3 works on 03-04');

-- UPDATE moving a promise earlier: o2 to 03-02 would need o1's day: refused, old plan kept.
-- Greedy without o2's own minutes: 03-03 free again: 03-03; the refused date is 03-02: exactly 03-03
SELECT tap.refuses($$UPDATE sacrosanct.orders SET promised = '2026-03-02' WHERE order_key = 'o2'$$,
                   'SC001', '%"o2"%', 'SC001 update promised');
SELECT is(split_part(tap.detail('SC001 update promised'), E'\n', 1),
          'earliest backed date: 2026-03-03 (bottleneck: S1)', 'its DETAIL: 2026-03-03');
SELECT is((SELECT promised FROM sacrosanct.orders WHERE order_key = 'o2'), date '2026-03-03',
          'the order keeps its promise');
SELECT is(tap.sched('o2'), '1:S1:2026-03-03:480', 'and its plan');
-- UPDATE of qty: 481 minutes promised 03-03: 03-03 480 + 1 on 03-04, which o3 holds fully
-- (promised 03-04): refused
SELECT tap.refuses($$UPDATE sacrosanct.orders SET qty = 481 WHERE order_key = 'o2'$$,
                   'SC001', '%"o2"%', 'SC001 update qty');
SELECT is((SELECT qty FROM sacrosanct.orders WHERE order_key = 'o2'), 480::numeric, 'the quantity is unchanged');
SELECT is(tap.sched('o2') || ' ' || tap.sched('o3'), '1:S1:2026-03-03:480 1:S1:2026-03-04:480',
          'and so are the plans');

-- A tie on the promised date: the refused order sorts by its own key in the search (rule 9).
-- S1T: M promised 03-02 on 03-02; N promised 03-31 on 03-03.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('M', 'P1T', 480, '2026-03-02'), ('N', 'P1T', 480, '2026-03-31');
-- A promised 03-02: replan (03-02,'A') 03-02 before (03-02,'M') 03-03: M breaks: refused.
-- Greedy: 03-04.  Promised 03-03: M 03-02, A 03-03, N 03-04: accepted.  So 03-03 or 03-04.
SELECT tap.refuses($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                     VALUES ('A', 'P1T', 480, '2026-03-02')$$,
                   'SC001', '%"A"%', 'SC001 tie');
SELECT ok(split_part(tap.detail('SC001 tie'), E'\n', 1) IN
             ('earliest backed date: 2026-03-03 (bottleneck: S1T)',
              'earliest backed date: 2026-03-04 (bottleneck: S1T)'),
          'its DETAIL: 2026-03-03 or 2026-03-04 (greedy), on S1T');
SELECT lives_ok(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                         VALUES ('A', 'P1T', 480, %L)$$,
                       substr(split_part(tap.detail('SC001 tie'), E'\n', 1), 23, 10)),
                'inserting it again with that date succeeds');
SELECT tap.verified('after SC001');

-------------------------------------------------------------------------------
-- SC002: unknown product, product without routing, unknown resource
-------------------------------------------------------------------------------
SELECT tap.refuses($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                     VALUES ('u1', 'NOPE', 1, '2026-03-31')$$,
                   'SC002', '%NOPE%', 'SC002 unknown product');
SELECT alike(tap.detail('SC002 unknown product'), '%NOPE%', 'its DETAIL names the product');
SELECT tap.refuses($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                     VALUES ('u2', 'NOROUTE', 1, '2026-03-31')$$,
                   'SC002', '%NOROUTE%', 'SC002 no routing');
SELECT alike(tap.detail('SC002 no routing'), '%NOROUTE%', 'its DETAIL names the product');
SELECT tap.refuses($$INSERT INTO sacrosanct.orders (order_key, product, qty)
                     VALUES ('u3', 'NOPE', 1)$$,
                   'SC002', '%NOPE%', 'SC002 unknown product without a promise');
SELECT tap.refuses($$UPDATE sacrosanct.orders SET product = 'NOPE' WHERE order_key = 'o1'$$,
                   'SC002', '%NOPE%', 'SC002 update to an unknown product');
SELECT is_empty($$SELECT 1 FROM sacrosanct.orders WHERE order_key IN ('u1', 'u2', 'u3') OR product = 'NOPE'$$,
                'no order was written or changed');
SELECT is(tap.sched('o1'), '1:S1:2026-03-02:480', 'o1 keeps its plan');
SELECT tap.refuses($$SELECT * FROM sacrosanct.quote('NOPE', 1)$$,
                   'SC002', '%NOPE%', 'SC002 quote unknown product');
SELECT tap.refuses($$SELECT * FROM sacrosanct.quote('NOROUTE', 1)$$,
                   'SC002', '%NOROUTE%', 'SC002 quote product without routing');
SELECT tap.refuses($$SELECT sacrosanct.capacity('NOPE', '2026-03-02')$$,
                   'SC002', '%NOPE%', 'SC002 capacity of an unknown resource');
SELECT alike(tap.detail('SC002 capacity of an unknown resource'), '%NOPE%', 'its DETAIL names the resource');
SELECT tap.verified('after SC002');

-------------------------------------------------------------------------------
-- SC003: a change that would break a backed promise
-------------------------------------------------------------------------------
-- replan() first, while every other order is where a replan puts it anyway.
-- y promised 03-04: step 1 S3R 480 on 03-02; step 2 starts 03-02 + 1 = 03-03: S3R2 480 on
-- 03-03 and 480 on 03-04: finish 03-04, backed.  x promised 03-03: greedy S3R 03-03, backed.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('y', 'PY', 1, '2026-03-04');
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x', 'PX', 1, '2026-03-03');
SELECT is(tap.sched('x') || ' ' || tap.sched('y'),
          '1:S3R:2026-03-03:480 1:S3R:2026-03-02:480 2:S3R2:2026-03-03:480 2:S3R2:2026-03-04:480',
          'greedy insertion backs x behind y');
CREATE TEMP TABLE log_before ON COMMIT DROP AS SELECT count(*) AS n FROM sacrosanct.plan_log;
-- a replan by (promised, key) loads x (03-03) first: S3R 03-02; y step 1 03-03, step 2 from
-- 03-04: 03-04 and 03-05: finish 03-05 > 03-04: y would break, new earliest 03-05 + 0
SELECT tap.refuses($$SELECT * FROM sacrosanct.replan('would break y')$$,
                   'SC003', '%', 'SC003 replan');
SELECT ok(tap.detail('SC003 replan') ~ '\my\M[^\n]*2026-03-05' AND tap.detail('SC003 replan') !~ '\mx\M',
          'its DETAIL names y with its new earliest date 2026-03-05, and not x (which stays backed)');
SELECT is(tap.sched('x') || ' ' || tap.sched('y'),
          '1:S3R:2026-03-03:480 1:S3R:2026-03-02:480 2:S3R2:2026-03-03:480 2:S3R2:2026-03-04:480',
          'the refused replan changed nothing');
SELECT is((SELECT count(*) FROM sacrosanct.plan_log), (SELECT n FROM log_before), 'and logged nothing');

-- K1 promised 03-02: 480 on 03-02, nothing to spare on S3
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('K1', 'P3', 480, '2026-03-02');
-- K2 promised 03-02: 960 minutes on S3U's 2 units (2 x 480 = 960 on 03-02)
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('K2', 'P3U', 960, '2026-03-02');
SELECT is(tap.sched('K1') || ' ' || tap.sched('K2'), '1:S3:2026-03-02:480 1:S3U:2026-03-02:960',
          'K1 and K2 fill Monday');

SELECT tap.refuses('TRUNCATE sacrosanct.orders', 'SC003', '%orders%', 'SC003 truncate');
SELECT is((SELECT count(*) FROM sacrosanct.orders WHERE order_key IN ('K1', 'K2', 'o1')), 3::bigint,
          'TRUNCATE left the orders in place');

-- a negative capacity change: 03-02 480 - 60 = 420: K1 420 on 03-02 + 60 on 03-03: new earliest 03-03
SELECT tap.refuses($$INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
                     VALUES ('S3', '[2026-03-02,2026-03-03)', -60, 'breakdown')$$,
                   'SC003', '%', 'SC003 capacity_change');
SELECT alike(tap.detail('SC003 capacity_change'), '%K1%2026-03-03%',
             'its DETAIL names K1 and its new earliest date 2026-03-03');
SELECT is_empty($$SELECT 1 FROM sacrosanct.capacity_change WHERE resource = 'S3'$$, 'no capacity_change row is left');
SELECT is(sacrosanct.capacity('S3', '2026-03-02'), 480::bigint, 'capacity() still says 480');
SELECT is(tap.sched('K1'), '1:S3:2026-03-02:480', 'K1 keeps its plan');

-- deleting Monday's window: K1 gets nothing on 03-02, 480 on 03-03: new earliest 03-03
SELECT tap.refuses($$DELETE FROM sacrosanct.calendar_window WHERE calendar = 'E3' AND isodow = 1$$,
                   'SC003', '%', 'SC003 delete window');
SELECT alike(tap.detail('SC003 delete window'), '%K1%2026-03-03%', 'its DETAIL names K1 and 2026-03-03');
SELECT is((SELECT count(*) FROM sacrosanct.calendar_window WHERE calendar = 'E3'), 5::bigint,
          'the window is still there');
SELECT is(sacrosanct.capacity('S3', '2026-03-02'), 480::bigint, 'and capacity() says 480');

-- a holiday on 03-02: the same
SELECT tap.refuses($$INSERT INTO sacrosanct.calendar_holiday (calendar, day) VALUES ('E3', '2026-03-02')$$,
                   'SC003', '%', 'SC003 holiday');
SELECT alike(tap.detail('SC003 holiday'), '%K1%2026-03-03%', 'its DETAIL names K1 and 2026-03-03');
SELECT is_empty($$SELECT 1 FROM sacrosanct.calendar_holiday WHERE calendar = 'E3'$$, 'no holiday is left');
SELECT is(sacrosanct.capacity('S3', '2026-03-02'), 480::bigint, 'capacity() says 480');

-- units 2 -> 1: K2's 960 minutes: 480 on 03-02, 480 on 03-03: new earliest 03-03
SELECT tap.refuses($$UPDATE sacrosanct.resource SET units = 1 WHERE code = 'S3U'$$,
                   'SC003', '%', 'SC003 units');
SELECT alike(tap.detail('SC003 units'), '%K2%2026-03-03%', 'its DETAIL names K2 and 2026-03-03');
SELECT is((SELECT units FROM sacrosanct.resource WHERE code = 'S3U'), 2, 'units is still 2');
SELECT is(sacrosanct.capacity('S3U', '2026-03-02'), 960::bigint, 'capacity() says 2 x 480 = 960');

-- buffer_days 0 -> 1: K1 finishes 03-02, + 1 = 03-03 > 03-02: new earliest 03-03
SELECT tap.refuses($$UPDATE sacrosanct.product SET buffer_days = 1 WHERE code = 'P3'$$,
                   'SC003', '%', 'SC003 buffer');
SELECT alike(tap.detail('SC003 buffer'), '%K1%2026-03-03%', 'its DETAIL names K1 and 2026-03-03');
SELECT is((SELECT buffer_days FROM sacrosanct.product WHERE code = 'P3'), 0, 'buffer_days is still 0');

-- routing: run 1 -> 2 minutes: 960 = 480 on 03-02 + 480 on 03-03: new earliest 03-03
SELECT tap.refuses($$UPDATE sacrosanct.routing SET run_minutes = 2 WHERE product = 'P3'$$,
                   'SC003', '%', 'SC003 routing run_minutes');
SELECT alike(tap.detail('SC003 routing run_minutes'), '%K1%2026-03-03%', 'its DETAIL names K1 and 2026-03-03');
-- routing: a second step of 1 minute on S3: 03-02 is full, so 03-03: new earliest 03-03
SELECT tap.refuses($$INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes)
                     VALUES ('P3', 2, 'S3', 1)$$,
                   'SC003', '%', 'SC003 routing new step');
SELECT alike(tap.detail('SC003 routing new step'), '%K1%2026-03-03%', 'its DETAIL names K1 and 2026-03-03');
-- routing: removing every step, and removing the product: K1 could not be planned at all
SELECT tap.refuses($$DELETE FROM sacrosanct.routing WHERE product = 'P3'$$,
                   'SC003', '%', 'SC003 routing deleted');
SELECT alike(tap.detail('SC003 routing deleted'), '%K1%', 'its DETAIL names K1');
SELECT tap.refuses($$DELETE FROM sacrosanct.product WHERE code = 'P3'$$,
                   'SC003', '%', 'SC003 product deleted');
SELECT alike(tap.detail('SC003 product deleted'), '%K1%', 'its DETAIL names K1');
SELECT results_eq($$SELECT step, resource, setup_minutes, run_minutes FROM sacrosanct.routing WHERE product = 'P3'$$,
                  $$VALUES (1, 'S3'::text COLLATE "C", 0::numeric, 1::numeric)$$, 'the routing of P3 is unchanged');
SELECT is(tap.sched('K1') || ' ' || tap.sched('K2'), '1:S3:2026-03-02:480 1:S3U:2026-03-02:960',
          'after all those refusals K1 and K2 keep their plans');

-- deferred: a scheduler may swap Monday's window in two statements and be judged at the end
SELECT lives_ok($$SET CONSTRAINTS ALL DEFERRED;
                  DELETE FROM sacrosanct.calendar_window WHERE calendar = 'E3' AND isodow = 1;
                  INSERT INTO sacrosanct.calendar_window VALUES ('E3', 1, '06:00', '14:00');
                  SET CONSTRAINTS ALL IMMEDIATE$$,
                'a deferred swap of a window for one as long breaks nothing');
SELECT is(tap.sched('K1'), '1:S3:2026-03-02:480', 'K1 keeps 03-02 (06:00-14:00 is 480 minutes too)');
SELECT tap.refuses($$SET CONSTRAINTS ALL DEFERRED;
                     DELETE FROM sacrosanct.calendar_window WHERE calendar = 'E3' AND isodow = 1;
                     INSERT INTO sacrosanct.calendar_window VALUES ('E3', 1, '06:00', '13:00');
                     SET CONSTRAINTS ALL IMMEDIATE$$,
                   'SC003', '%', 'SC003 deferred');
SELECT alike(tap.detail('SC003 deferred'), '%K1%2026-03-03%',
             'a deferred swap for a shorter window (420) is refused when checked: K1, 2026-03-03');
SELECT results_eq($$SELECT starts, ends FROM sacrosanct.calendar_window WHERE calendar = 'E3' AND isodow = 1$$,
                  $$VALUES (time '06:00', time '14:00')$$, 'the refused swap left the window as it was');
SET CONSTRAINTS ALL IMMEDIATE;
SELECT tap.verified('after SC003');

-------------------------------------------------------------------------------
-- SC005: quote holds
-------------------------------------------------------------------------------
-- s5a promised 03-02 fills Monday on S5
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('s5a', 'P5', 480, '2026-03-02');
-- a hold for 100 of P5: greedy 03-03; promised 03-02 a would-be order sorts after s5a
-- (promised 03-02 too) and gets 03-03: refused.  So exactly 03-03.
CREATE TEMP TABLE q ON COMMIT DROP AS SELECT * FROM sacrosanct.quote('P5', 100, hold => '1 hour');
SELECT is((SELECT earliest FROM q), date '2026-03-03', 'the hold backs 2026-03-03');
SELECT isnt((SELECT quote_id FROM q), NULL, 'and has a quote_id');
SELECT ok((SELECT hold_until > now() FROM q), 'and a hold_until in the future');

SELECT tap.refuses($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id)
                     VALUES ('h0', 'P5', 100, '2026-03-31', 987654321)$$,
                   'SC005', '%987654321%', 'SC005 unknown hold');
SELECT tap.refuses(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id)
                            VALUES ('h1', 'P5B', 100, '2026-03-31', %s)$$, (SELECT quote_id FROM q)),
                   'SC005', '%' || (SELECT quote_id FROM q) || '%', 'SC005 another product');
SELECT tap.refuses(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id)
                            VALUES ('h2', 'P5', 99, '2026-03-31', %s)$$, (SELECT quote_id FROM q)),
                   'SC005', '%' || (SELECT quote_id FROM q) || '%', 'SC005 another qty');
SELECT tap.refuses(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id)
                            VALUES ('h3', 'P5', 100, '2026-03-02', %s)$$, (SELECT quote_id FROM q)),
                   'SC005', '%' || (SELECT quote_id FROM q) || '%', 'SC005 promise before the hold');
-- an order's own record is no hold either
SELECT tap.refuses(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id)
                            VALUES ('h4', 'P5', 480, '2026-03-31', %s)$$,
                          (SELECT id FROM sacrosanct.demand WHERE order_key = 's5a')),
                   'SC005', '%' || (SELECT id FROM sacrosanct.demand WHERE order_key = 's5a') || '%',
                   'SC005 an order is no hold');
SELECT is_empty($$SELECT 1 FROM sacrosanct.orders WHERE order_key LIKE 'h_'$$, 'no refused order was written');
SELECT is((SELECT count(*) FROM sacrosanct.schedule WHERE quote_id = (SELECT quote_id FROM q)), 1::bigint,
          'the hold is still there (100 minutes on 03-03)');
-- the matching order consumes it: promised 03-03 >= the hold's date
SELECT lives_ok(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id)
                         VALUES ('h5', 'P5', 100, '2026-03-03', %s)$$, (SELECT quote_id FROM q)),
                'the matching order consumes the hold');
SELECT is(tap.sched('h5'), '1:S5:2026-03-03:100', 'the order has the hold''s minutes');
SELECT is_empty(format($$SELECT 1 FROM sacrosanct.schedule WHERE quote_id = %s$$, (SELECT quote_id FROM q)),
                'the hold is gone');
SELECT tap.refuses(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id)
                            VALUES ('h6', 'P5', 100, '2026-03-31', %s)$$, (SELECT quote_id FROM q)),
                   'SC005', '%' || (SELECT quote_id FROM q) || '%', 'SC005 consumed hold');
SELECT is_empty($$SELECT 1 FROM sacrosanct.orders WHERE order_key = 'h6'$$, 'the order was not written');
-- not_before: a hold is planned from its own not_before (here none: from today 03-02).
-- 10 of P5B: 03-02 is s5a's; 03-03 has 480 - 100 (h5) = 380 free: the hold backs 03-03.
CREATE TEMP TABLE q2 ON COMMIT DROP AS SELECT * FROM sacrosanct.quote('P5B', 10, hold => '1 hour');
SELECT is((SELECT earliest FROM q2), date '2026-03-03', 'a second hold backs 2026-03-03');
-- an order that may not start before 03-09 cannot use minutes planned from 03-02
SELECT tap.refuses(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, not_before, quote_id)
                            VALUES ('h7', 'P5B', 10, '2026-03-31', '2026-03-09', %s)$$, (SELECT quote_id FROM q2)),
                   'SC005', '%' || (SELECT quote_id FROM q2) || '%', 'SC005 not_before after the hold''s start');
-- but a not_before in the past (or today) changes nothing: the order starts today like the hold
SELECT lives_ok(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, not_before, quote_id)
                         VALUES ('h8', 'P5B', 10, '2026-03-31', '2026-02-01', %s)$$, (SELECT quote_id FROM q2)),
                'an order whose not_before is already past consumes the hold');
SELECT is(tap.sched('h8'), '1:S5:2026-03-03:10', 'with the hold''s minutes');
SELECT tap.verified('after SC005');

-------------------------------------------------------------------------------
-- Every refusal has a DETAIL with the facts and a HINT with what to do
-------------------------------------------------------------------------------
SELECT is_empty($$SELECT label, state FROM tap.refusals WHERE coalesce(detail, '') = ''$$,
                'every refusal has a DETAIL');
SELECT is_empty($$SELECT label, state FROM tap.refusals WHERE coalesce(hint, '') = ''$$,
                'every refusal has a HINT');
SELECT is_empty($$SELECT label, message FROM tap.refusals WHERE message LIKE E'%\n%'$$,
                'every message is one line');

SELECT * FROM finish();
ROLLBACK;

\if :sc_fresh
SET client_min_messages = warning;
DROP EXTENSION sacrosanct CASCADE;
\endif
