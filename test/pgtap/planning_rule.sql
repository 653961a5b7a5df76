-- planning_rule.sql: the edge cases of the planning rule (DESIGN.md §3.1).
--
-- Every expected value below is worked out by hand from the rule, with the
-- arithmetic in a comment beside it; none was copied from what the code
-- printed.  Today is pinned to 2026-03-02, a Monday:
--
--   Mon 03-02  Tue 03-03  Wed 03-04  Thu 03-05  Fri 03-06  Sat 03-07
--   Sun 03-08  Mon 03-09  Tue 03-10 ...
--
-- Calendar DAY works Mon-Fri 08:00-16:00 = 480 minutes a day, nothing at the
-- weekend.  Unless said otherwise a resource is finite, has 1 unit and works
-- DAY, and each section has resources of its own so that the sections do not
-- share capacity.  After each change verify() must return no rows.
BEGIN;
-- start from an empty extension whatever the database holds (rolled back)
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
CREATE EXTENSION sacrosanct;
RESET client_min_messages;
SET LOCAL datestyle = 'ISO, YMD';
SET LOCAL sacrosanct.today = '2026-03-02';

SELECT plan(130);

-- helpers (in a schema of their own, rolled back with the rest)
CREATE SCHEMA tap;
-- an order's allocations as 'step:resource:day:minutes', in step and day order
CREATE FUNCTION tap.sched(k text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(format('%s:%s:%s:%s', step, resource, day, minutes), ' '
                               ORDER BY step, day), '')
      FROM sacrosanct.schedule WHERE order_key = k
$$;
-- an order's planned finish, as the extension recorded it
CREATE FUNCTION tap.finish(k text) RETURNS date LANGUAGE sql AS $$
    SELECT planned_finish FROM sacrosanct.demand WHERE order_key = k
$$;
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
-- the date of an SC001's DETAIL first line; NULL when the statement was not refused so
-- or the line is not exactly 'earliest backed date: YYYY-MM-DD (bottleneck: CODE)'
CREATE FUNCTION tap.earliest(sql text, bottleneck text DEFAULT NULL) RETURNS date LANGUAGE sql AS $$
    SELECT CASE WHEN e.state = 'SC001'
                 AND split_part(e.detail, E'\n', 1) ~ ('^earliest backed date: \d{4}-\d{2}-\d{2} \(bottleneck: '
                                                       || coalesce(bottleneck, '[^)]+') || '\)$')
                THEN substr(split_part(e.detail, E'\n', 1), 23, 10)::date END
      FROM tap.err(sql) e
$$;
CREATE FUNCTION tap.verified(label text) RETURNS text LANGUAGE sql AS $$
    SELECT is_empty('SELECT * FROM sacrosanct.verify()', 'verify() finds nothing wrong ' || label)
$$;

SELECT is(sacrosanct.today(), date '2026-03-02', 'today() is the pinned day');

-------------------------------------------------------------------------------
-- Plant
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.calendar (code) VALUES ('DAY'), ('NIGHT'), ('MID'), ('HOL');
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'DAY', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'HOL', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar, units, finite) VALUES
    ('RA', 'DAY', 1, true),  ('RB', 'DAY', 1, true),  ('RC', 'DAY', 1, true),
    ('RD', 'DAY', 1, true),  ('RE', 'DAY', 3, true),  ('RF', 'NIGHT', 1, true),
    ('RF2', 'MID', 1, true), ('RG', 'HOL', 1, true),  ('RH', 'DAY', 1, false),
    ('RI', 'DAY', 1, true),  ('RJ', 'DAY', 1, true),  ('RK', 'DAY', 1, true),
    ('RK2', 'DAY', 1, true), ('RL', 'DAY', 1, true),  ('RM1', 'DAY', 1, true),
    ('RM2', 'DAY', 1, true), ('RN', 'DAY', 1, true),  ('RO', 'DAY', 1, true),
    ('RP', 'DAY', 1, true),  ('RX', 'DAY', 1, true),  ('RX2', 'DAY', 1, true),
    ('RX3', 'DAY', 1, true);
SELECT tap.verified('on an empty plant');

-------------------------------------------------------------------------------
-- Work 0: a step with setup 0 and run 0 finishes on its start day (rule 3:
-- "on d0 when w is 0"); lags still apply; step 1's lag is ignored (rule 4).
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('Z0'), ('Z0L');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes, lag_days) VALUES
    ('Z0',  1, 'RA', 0, 0, 0),
    ('Z0L', 1, 'RA', 0, 0, 5),      -- step 1's lag: ignored
    ('Z0L', 2, 'RA', 0, 0, 2),
    ('Z0L', 3, 'RA', 10, 0, 1);

-- z1: work = ceil(0 + 0 x 1) = 0; start = today 03-02; finish 03-02; 03-02 + 0 <= 03-02: backed
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                  VALUES ('z1', 'Z0', 1, '2026-03-02')$$, 'a zero-work order can be promised today');
SELECT is(tap.finish('z1'), date '2026-03-02', 'zero work finishes on its start day (03-02)');
SELECT is(tap.sched('z1'), '', 'zero work records no allocation');
-- z2: step 1 start 03-02 (lag 5 ignored), work 0 -> finish 03-02;
--     step 2 start 03-02 + 2 = 03-04, work 0 -> finish 03-04;
--     step 3 start 03-04 + 1 = 03-05, work ceil(10 + 0 x 4) = 10 -> 10 min on 03-05, finish 03-05
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                  VALUES ('z2', 'Z0L', 4, '2026-03-05')$$, 'zero-work steps with lags: promised 03-05 is backed');
SELECT is(tap.sched('z2'), '3:RA:2026-03-05:10', 'lags apply after zero-work steps: step 3 works on 03-05');
SELECT is(tap.finish('z2'), date '2026-03-05', 'planned finish 03-05');
-- the same one day earlier: finish 03-05 + buffer 0 > 03-04; nothing moves the lags, so the
-- earliest backed date is 03-05; bottleneck: all steps wait 0 days, step 3 is the biggest (10) -> RA
SELECT is(split_part((tap.err($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                                VALUES ('z2x', 'Z0L', 4, '2026-03-04')$$)).detail, E'\n', 1),
          'earliest backed date: 2026-03-05 (bottleneck: RA)',
          'a promise before the lags allow is refused; earliest 03-05');
-- z3: not_before Saturday 03-07, no working time then, but work 0 needs none: finish 03-07
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised, not_before)
                  VALUES ('z3', 'Z0', 1, '2026-03-07', '2026-03-07')$$,
                'zero work on a day without capacity');
SELECT is(tap.finish('z3'), date '2026-03-07', 'zero work finishes on its start day even at the weekend');
-- quote: finish 03-02, buffer 0 -> earliest 03-02
SELECT results_eq($$SELECT earliest, planned_finish FROM sacrosanct.quote('Z0', 1)$$,
                  $$VALUES (date '2026-03-02', date '2026-03-02')$$, 'quote of a zero-work product: today');
SELECT tap.verified('after zero-work orders');

-------------------------------------------------------------------------------
-- Work rounds up: work = ceil(setup + run x qty), in exact numeric arithmetic
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('FB1'), ('FB2'), ('FB3'), ('FB4');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes) VALUES
    ('FB1', 1, 'RB', 0, 0.5),
    ('FB2', 1, 'RB', 0, 1.2),
    ('FB3', 1, 'RB', 0.3, 0.1),
    ('FB4', 1, 'RB', 10, 0.001);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('f1', 'FB1', 3, '2026-03-31'),       -- 0.5 x 3 = 1.5 -> 2
    ('f2', 'FB2', 2.5, '2026-03-31'),     -- 1.2 x 2.5 = 3.00 exactly -> 3 (not 4)
    ('f3', 'FB3', 7, '2026-03-31'),       -- 0.3 + 0.1 x 7 = 1.0 exactly -> 1 (binary floats would say 2)
    ('f4', 'FB4', 1, '2026-03-31'),       -- 10 + 0.001 = 10.001 -> 11
    ('f5', 'FB1', 0.0001, '2026-03-31');  -- 0.5 x 0.0001 = 0.00005 -> 1
SELECT is(tap.sched('f1'), '1:RB:2026-03-02:2', 'run 0.5 x qty 3 = 1.5 rounds up to 2 minutes');
SELECT is(tap.sched('f2'), '1:RB:2026-03-02:3', 'run 1.2 x qty 2.5 = 3.0 exactly: 3 minutes, not 4');
SELECT is(tap.sched('f3'), '1:RB:2026-03-02:1', 'setup 0.3 + run 0.1 x qty 7 = 1.0 exactly: 1 minute');
SELECT is(tap.sched('f4'), '1:RB:2026-03-02:11', 'setup 10 + run 0.001 x qty 1 = 10.001: 11 minutes');
SELECT is(tap.sched('f5'), '1:RB:2026-03-02:1', 'a tiny positive fraction is still 1 minute');
SELECT tap.verified('after fractional quantities');

-------------------------------------------------------------------------------
-- Horizon (rule 8): nothing placed after today + horizon_days
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('HZ', 0), ('HZB', 3), ('HZ4', 0), ('HZ5', 0);
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes, lag_days) VALUES
    ('HZ', 1, 'RC', 1, 0), ('HZB', 1, 'RC', 1, 0),
    ('HZ4', 1, 'RC', 0, 0), ('HZ4', 2, 'RC', 0, 4),
    ('HZ5', 1, 'RC', 0, 0), ('HZ5', 2, 'RC', 0, 5);
SET LOCAL sacrosanct.horizon_days = 4;   -- last day with minutes: 03-02 + 4 = 03-06 (Friday)
-- 2400 minutes: Mon..Fri 5 x 480 = 2400, the last on 03-06 = the horizon's last day
SELECT results_eq($$SELECT earliest, planned_finish FROM sacrosanct.quote('HZ', 2400)$$,
                  $$VALUES (date '2026-03-06', date '2026-03-06')$$,
                  'work that ends on the horizon''s last day can be backed');
-- 2401 minutes: the last minute would be on Monday 03-09 > 03-06
SELECT results_eq($$SELECT earliest, planned_finish FROM sacrosanct.quote('HZ', 2401)$$,
                  $$VALUES (NULL::date, NULL::date)$$,
                  'one minute beyond the horizon: quote''s earliest is NULL');
-- buffer 3: finish 03-06 + 3 = 03-09 (the promise may lie beyond the horizon, rule 9)
SELECT results_eq($$SELECT earliest, planned_finish FROM sacrosanct.quote('HZB', 2400)$$,
                  $$VALUES (date '2026-03-09', date '2026-03-06')$$,
                  'with buffer 3 the earliest date is 03-06 + 3 = 03-09');
-- zero work needs no minutes, but finishing is bounded by the horizon too:
-- HZ4: step 2 starts 03-02 + 4 = 03-06, the last day: backed; HZ5: 03-02 + 5 = 03-07 > 03-06: not
SELECT results_eq($$SELECT earliest FROM sacrosanct.quote('HZ4', 1)$$, $$VALUES (date '2026-03-06')$$,
                  'a zero-work step finishing on the horizon''s last day is backed');
SELECT results_eq($$SELECT earliest FROM sacrosanct.quote('HZ5', 1)$$, $$VALUES (NULL::date)$$,
                  'a zero-work step finishing the day after the horizon is not');
SELECT throws_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                   VALUES ('h1', 'HZ', 2401, '2026-12-31')$$, 'SC001', NULL,
                 'an order beyond the horizon is refused with SC001');
SELECT is(split_part((tap.err($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                                VALUES ('h1', 'HZ', 2401, '2026-12-31')$$)).detail, E'\n', 1),
          'earliest backed date: none within 4 days',
          'its DETAIL says none within 4 days');
SELECT is(split_part((tap.err($$INSERT INTO sacrosanct.orders (order_key, product, qty)
                                VALUES ('h2', 'HZ', 2401)$$)).detail, E'\n', 1),
          'earliest backed date: none within 4 days',
          'without a promise too: none within 4 days');
SELECT is_empty($$SELECT 1 FROM sacrosanct.orders WHERE order_key IN ('h1', 'h2')
                  UNION ALL SELECT 1 FROM sacrosanct.schedule WHERE resource = 'RC'$$,
                'the refused orders left neither a row nor an allocation');
RESET sacrosanct.horizon_days;           -- 730 again
-- now 2401 fits: 2400 by Friday 03-06, 1 minute on Monday 03-09
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                  VALUES ('h1', 'HZ', 2401, '2026-12-31')$$, 'with the default horizon it is backed');
SELECT is(tap.finish('h1'), date '2026-03-09', '2400 minutes Mon-Fri, the 2401st on Monday 03-09');
SELECT tap.verified('after the horizon tests');

-------------------------------------------------------------------------------
-- Capacity changes (rule 1): cap = max(0, units x wm + sum of changes)
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason) VALUES
    ('RD', '[2026-03-03,2026-03-04)', -480, 'breakdown'),
    ('RD', '[2026-03-04,2026-03-05)', -1000, 'flood'),
    ('RD', '[2026-03-04,2026-03-06)', 200, 'overtime'),
    ('RD', '[2026-03-07,2026-03-08)', 240, 'Saturday shift');
SELECT is(sacrosanct.capacity('RD', '2026-03-02'), 480::bigint, 'no change on 03-02: 480');
SELECT is(sacrosanct.capacity('RD', '2026-03-03'), 0::bigint, 'a change of -480 makes 03-03 a zero day: 480 - 480 = 0');
SELECT is(sacrosanct.capacity('RD', '2026-03-04'), 0::bigint,
          '03-04: max(0, 480 - 1000 + 200) = max(0, -320) = 0: the sum is clamped, not each change');
SELECT is(sacrosanct.capacity('RD', '2026-03-05'), 680::bigint, '03-05: 480 + 200 = 680');
SELECT is(sacrosanct.capacity('RD', '2026-03-06'), 480::bigint, '03-06: the range''s upper bound is exclusive: 480');
SELECT is(sacrosanct.capacity('RD', '2026-03-07'), 240::bigint, 'Saturday: 0 + 240 = 240');
INSERT INTO sacrosanct.product (code) VALUES ('DP');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('DP', 1, 'RD', 1);
-- d1: 1500 minutes: 03-02 480 (1020 left), 03-03 0, 03-04 0, 03-05 680 (340 left), 03-06 340
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('d1', 'DP', 1500, '2026-03-31');
SELECT is(tap.sched('d1'), '1:RD:2026-03-02:480 1:RD:2026-03-05:680 1:RD:2026-03-06:340',
          'loading skips zero days and uses the overtime');
SELECT is(tap.finish('d1'), date '2026-03-06', 'planned finish 03-06');
-- a change that makes a planned day 0: d1 no longer fits, the plan is redone (its promise
-- 03-31 still holds, so nothing is refused): 1500 minutes: 03-02 0, 03-03 0, 03-04 0,
-- 03-05 680 (820 left), 03-06 480 (340), Saturday 03-07 240 (100), Monday 03-09 100
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('RD', '[2026-03-02,2026-03-03)', -480, 'absence');
SELECT is(sacrosanct.capacity('RD', '2026-03-02'), 0::bigint, '03-02 is now a zero day too');
SELECT is(tap.sched('d1'),
          '1:RD:2026-03-05:680 1:RD:2026-03-06:480 1:RD:2026-03-07:240 1:RD:2026-03-09:100',
          'a reduction under a planned order replans it around the zero days');
SELECT is(tap.finish('d1'), date '2026-03-09', 'planned finish 03-09');
SELECT tap.verified('after capacity changes');

-------------------------------------------------------------------------------
-- Units: 3 parallel units triple the day
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('EP');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('EP', 1, 'RE', 1);
SELECT is(sacrosanct.capacity('RE', '2026-03-02'), 1440::bigint, 'units 3 x 480 = 1440');
SELECT is(sacrosanct.capacity('RE', '2026-03-07'), 0::bigint, 'units 3 x 0 on Saturday = 0');
-- e1: 2000 minutes: 03-02 1440, 03-03 560
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('e1', 'EP', 2000, '2026-03-31');
SELECT is(tap.sched('e1'), '1:RE:2026-03-02:1440 1:RE:2026-03-03:560', '2000 minutes on 3 units: 1440 + 560');
SELECT tap.verified('after units 3');

-------------------------------------------------------------------------------
-- Windows: overnight windows count for their start day; '24:00' ends a day
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends) VALUES
    ('NIGHT', 1, '08:00', '12:00'),   -- Monday 240
    ('NIGHT', 5, '22:00', '06:00'),   -- Friday night: 120 before + 360 after midnight = 480, all Friday's
    ('NIGHT', 7, '22:00', '02:00');   -- Sunday night: 120 + 120 = 240, Sunday's (not Monday's)
SELECT is(sacrosanct.capacity('RF', '2026-03-02'), 240::bigint, 'Monday 08:00-12:00 = 240');
SELECT is(sacrosanct.capacity('RF', '2026-03-06'), 480::bigint, 'Friday 22:00-06:00 = 480, all on Friday');
SELECT is(sacrosanct.capacity('RF', '2026-03-07'), 0::bigint, 'Saturday gets none of Friday''s night');
SELECT is(sacrosanct.capacity('RF', '2026-03-08'), 240::bigint, 'Sunday 22:00-02:00 = 240 on Sunday');
SELECT is(sacrosanct.capacity('RF', '2026-03-09'), 240::bigint, 'Monday after it: only its own 240');
INSERT INTO sacrosanct.product (code) VALUES ('NP');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('NP', 1, 'RF', 1);
-- n1: 1000 minutes: Mon 03-02 240 (760 left), Fri 03-06 480 (280), Sun 03-08 240 (40), Mon 03-09 40
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('n1', 'NP', 1000, '2026-03-31');
SELECT is(tap.sched('n1'),
          '1:RF:2026-03-02:240 1:RF:2026-03-06:480 1:RF:2026-03-08:240 1:RF:2026-03-09:40',
          'overnight minutes are loaded on the window''s start day');
SELECT lives_ok($$INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends) VALUES
    ('MID', 2, '16:00', '24:00'),     -- Tuesday 16:00-24:00 = 480
    ('MID', 3, '00:00', '08:00'),     -- Wednesday 00:00-08:00 = 480: touches Tuesday's end, no overlap
    ('MID', 4, '00:00', '24:00'),     -- Thursday all day = 1440
    ('MID', 5, '20:00', '00:00'),     -- Friday 20:00-midnight = 240 (ends < starts: to midnight)
    ('MID', 6, '00:00', '04:00')$$,   -- Saturday 00:00-04:00 = 240: touches Friday's end
    'windows ending at 24:00 or 00:00 and windows starting at 00:00 do not overlap');
SELECT is(sacrosanct.capacity('RF2', '2026-03-03'), 480::bigint, 'Tuesday 16:00-24:00 = 480');
SELECT is(sacrosanct.capacity('RF2', '2026-03-04'), 480::bigint, 'Wednesday 00:00-08:00 = 480');
SELECT is(sacrosanct.capacity('RF2', '2026-03-05'), 1440::bigint, 'Thursday 00:00-24:00 = 1440');
SELECT is(sacrosanct.capacity('RF2', '2026-03-06'), 240::bigint, 'Friday 20:00-00:00 = 240');
SELECT is(sacrosanct.capacity('RF2', '2026-03-07'), 240::bigint, 'Saturday 00:00-04:00 = 240');
SELECT is(sacrosanct.capacity('RF2', '2026-03-02'), 0::bigint, 'Monday: no window, 0');
SELECT tap.verified('after overnight windows');

-------------------------------------------------------------------------------
-- Holidays: wm = 0; capacity changes still add
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.calendar_holiday (calendar, day) VALUES ('HOL', '2026-03-03');
SELECT is(sacrosanct.capacity('RG', '2026-03-03'), 0::bigint, 'a holiday has no working time');
SELECT is(sacrosanct.capacity('RG', '2026-03-04'), 480::bigint, 'the day after is a normal day');
SELECT is(sacrosanct.capacity('RA', '2026-03-03'), 480::bigint, 'another calendar''s holiday does not count');
INSERT INTO sacrosanct.product (code) VALUES ('GP');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('GP', 1, 'RG', 1);
-- g1: 600 minutes: 03-02 480, 03-03 holiday, 03-04 120
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('g1', 'GP', 600, '2026-03-31');
SELECT is(tap.sched('g1'), '1:RG:2026-03-02:480 1:RG:2026-03-04:120', 'loading skips the holiday');
INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason)
VALUES ('RG', '[2026-03-03,2026-03-04)', 60, 'holiday overtime');
SELECT is(sacrosanct.capacity('RG', '2026-03-03'), 60::bigint, 'overtime on a holiday: max(0, 0 + 60) = 60');
SELECT is(tap.sched('g1'), '1:RG:2026-03-02:480 1:RG:2026-03-04:120', 'added capacity moves no order');
SELECT tap.verified('after holidays');

-------------------------------------------------------------------------------
-- Non-finite resources: avail = cap, whatever is allocated (rule 3)
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('HP'), ('HP2');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes) VALUES
    ('HP', 1, 'RH', 0, 1),
    ('HP2', 1, 'RH', 300, 0),
    ('HP2', 2, 'RH', 300, 0);
-- nf1 and nf2: 600 minutes each: 03-02 480, 03-03 120; nf2 is not reduced by nf1
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('nf1', 'HP', 600, '2026-03-31'), ('nf2', 'HP', 600, '2026-03-31');
SELECT is(tap.sched('nf1'), '1:RH:2026-03-02:480 1:RH:2026-03-03:120', 'non-finite: 480 + 120');
SELECT is(tap.sched('nf2'), '1:RH:2026-03-02:480 1:RH:2026-03-03:120',
          'another order on a non-finite resource gets the same days');
-- nf3: step 1 300 on 03-02; step 2 starts 03-02, avail = cap = 480 (not 480 - 300 = 180): 300 on 03-02
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('nf3', 'HP2', 1, '2026-03-02');
SELECT is(tap.sched('nf3'), '1:RH:2026-03-02:300 2:RH:2026-03-02:300',
          'not even the order''s own earlier step reduces a non-finite resource');
SELECT is(tap.finish('nf3'), date '2026-03-02', 'so both steps finish on 03-02');
SELECT tap.verified('with a non-finite resource planned beyond its capacity');

-------------------------------------------------------------------------------
-- One order using a finite resource in two steps: its earlier step counts
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('TW');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes) VALUES
    ('TW', 1, 'RI', 300), ('TW', 2, 'RI', 300);
-- tw1: step 1 300 on 03-02; step 2 starts 03-02 with 480 - 300 = 180 free: 180 on 03-02, 120 on 03-03
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('tw1', 'TW', 1, '2026-03-31');
SELECT is(tap.sched('tw1'), '1:RI:2026-03-02:300 2:RI:2026-03-02:180 2:RI:2026-03-03:120',
          'the order''s own step 1 takes capacity from its step 2');
SELECT is(tap.finish('tw1'), date '2026-03-03', 'planned finish 03-03');
-- tw2, promised 03-02, cannot be backed (03-02 is full).  Greedy on the committed
-- schedule: 03-03 has 480 - 120 = 360 free: step 1 300 on 03-03, step 2 60 on 03-03 and
-- 240 on 03-04: greedy date 03-04 + 0.  A replan can do better (tw2 promised 03-03 goes
-- before tw1's 03-31 and finishes 03-03), but rule 9 only asks for an accepted date not
-- later than greedy: 03-03 or 03-04.
SELECT ok(tap.earliest($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                         VALUES ('tw2', 'TW', 1, '2026-03-02')$$, 'RI') BETWEEN '2026-03-03' AND '2026-03-04',
          'a second such order: earliest backed date 03-03 or 03-04 (greedy), on RI');
SELECT tap.verified('after an order with two steps on one resource');

-------------------------------------------------------------------------------
-- not_before: step 1 starts at max(today, not_before)
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('JP');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('JP', 1, 'RJ', 1);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, not_before) VALUES
    ('j1', 'JP', 100, '2026-03-31', '2026-03-04'),   -- starts 03-04
    ('j2', 'JP', 100, '2026-03-31', '2026-02-20'),   -- in the past: starts today 03-02
    ('j3', 'JP', 100, '2026-03-31', '2026-03-07');   -- Saturday: first minutes Monday 03-09
SELECT is(tap.sched('j1'), '1:RJ:2026-03-04:100', 'not_before 03-04: work starts 03-04');
SELECT is(tap.sched('j2'), '1:RJ:2026-03-02:100', 'not_before in the past: work starts today');
SELECT is(tap.sched('j3'), '1:RJ:2026-03-09:100', 'not_before on a Saturday: first working day 03-09');
-- quote from 03-04: 03-04 has 480 - 100 = 380 free >= 100
SELECT results_eq($$SELECT earliest, planned_finish FROM sacrosanct.quote('JP', 100, not_before => '2026-03-04')$$,
                  $$VALUES (date '2026-03-04', date '2026-03-04')$$, 'quote with not_before 03-04: 03-04');
SELECT tap.verified('after not_before');

-------------------------------------------------------------------------------
-- lag_days: step k+1 starts at finish(k) + lag (lag 0: the same day)
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('LG');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, lag_days) VALUES
    ('LG', 1, 'RK', 480, 3),    -- lag of step 1: ignored
    ('LG', 2, 'RK2', 60, 2),
    ('LG', 3, 'RK', 60, 0),
    ('LG', 4, 'RK2', 10, 3);
-- l1: step 1 03-02 480 (finish 03-02); step 2 starts 03-02 + 2 = 03-04: 60 on RK2;
--     step 3 starts 03-04 + 0 = 03-04: 60 on RK; step 4 starts 03-04 + 3 = Saturday 03-07,
--     no capacity until Monday: 10 on RK2 on 03-09
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('l1', 'LG', 1, '2026-03-31');
SELECT is(tap.sched('l1'),
          '1:RK:2026-03-02:480 2:RK2:2026-03-04:60 3:RK:2026-03-04:60 4:RK2:2026-03-09:10',
          'lags: step 1''s ignored, 2 days, the same day, 3 days into a weekend');
SELECT is(tap.finish('l1'), date '2026-03-09', 'planned finish 03-09');
SELECT tap.verified('after lags');

-------------------------------------------------------------------------------
-- buffer_days: backed when planned_finish + buffer <= promised (calendar days)
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('BF', 2);
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('BF', 1, 'RL', 1);
-- 100 minutes on 03-02; 03-02 + 2 = 03-04
SELECT results_eq($$SELECT earliest, planned_finish FROM sacrosanct.quote('BF', 100)$$,
                  $$VALUES (date '2026-03-04', date '2026-03-02')$$, 'quote: finish 03-02 + 2 buffer days = 03-04');
SELECT throws_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                   VALUES ('b1', 'BF', 100, '2026-03-03')$$, 'SC001', NULL,
                 'promised 03-03 < 03-02 + 2 is refused');
SELECT is(split_part((tap.err($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                                VALUES ('b1', 'BF', 100, '2026-03-03')$$)).detail, E'\n', 1),
          'earliest backed date: 2026-03-04 (bottleneck: RL)', 'and the DETAIL names 03-04');
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                  VALUES ('b1', 'BF', 100, '2026-03-04')$$, 'promised 03-02 + 2 = 03-04 is backed');
-- b2 without a promise: 03-02 has 380 left: finish 03-02, promised 03-04
INSERT INTO sacrosanct.orders (order_key, product, qty) VALUES ('b2', 'BF', 100);
SELECT is((SELECT promised FROM sacrosanct.orders WHERE order_key = 'b2'), date '2026-03-04',
          'an order without a promise gets finish + buffer = 03-04');
-- from Friday: finish 03-06 + 2 = Sunday 03-08: the buffer counts calendar days
SELECT results_eq($$SELECT earliest, planned_finish FROM sacrosanct.quote('BF', 100, not_before => '2026-03-06')$$,
                  $$VALUES (date '2026-03-08', date '2026-03-06')$$,
                  'the buffer counts calendar days: Friday + 2 = Sunday 03-08');
SELECT tap.verified('after buffers');

-------------------------------------------------------------------------------
-- Steps go by step number, not by insertion order (nor as text)
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('SO');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, lag_days) VALUES ('SO', 10, 'RM2', 10, 0);
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, lag_days) VALUES ('SO', 2, 'RM1', 480, 0);
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, lag_days) VALUES ('SO', 9, 'RM2', 10, 1);
-- so1: step 2 (RM1) 480 on 03-02; step 9 starts 03-02 + 1 = 03-03: 10 on RM2;
--      step 10 starts 03-03 + 0: 10 on RM2 on 03-03
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('so1', 'SO', 1, '2026-03-31');
SELECT is(tap.sched('so1'), '2:RM1:2026-03-02:480 9:RM2:2026-03-03:10 10:RM2:2026-03-03:10',
          'steps 2, 9, 10 in numeric order whatever the insertion order');
SELECT is(tap.finish('so1'), date '2026-03-03', 'planned finish 03-03');
SELECT tap.verified('after step order');

-------------------------------------------------------------------------------
-- sacrosanct.today pins the planning day
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('TP');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('TP', 1, 'RN', 1);
SET LOCAL sacrosanct.today = '2026-03-05';
SELECT is(sacrosanct.today(), date '2026-03-05', 'today() follows the setting');
SELECT results_eq($$SELECT earliest FROM sacrosanct.quote('TP', 100)$$, $$VALUES (date '2026-03-05')$$,
                  'quote from the pinned day 03-05');
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('tp1', 'TP', 100, '2026-03-31');
SELECT is(tap.sched('tp1'), '1:RN:2026-03-05:100', 'an order starts on the pinned day, not on 03-02');
SET LOCAL sacrosanct.today = '2026-03-02';
SELECT is(sacrosanct.today(), date '2026-03-02', 'pinned back to 03-02');
-- 03-02 is free on RN again: tp2 goes there
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('tp2', 'TP', 100, '2026-03-31');
SELECT is(tap.sched('tp2'), '1:RN:2026-03-02:100', 'planning follows the day back');
SELECT tap.verified('after moving today');

-------------------------------------------------------------------------------
-- Replan (rule 7): reload by (promised, order_key) in byte order
-------------------------------------------------------------------------------
DELETE FROM sacrosanct.orders;
SELECT is_empty('SELECT * FROM sacrosanct.schedule', 'deleting every order releases every allocation');
SELECT tap.verified('on an empty schedule');

INSERT INTO sacrosanct.product (code) VALUES ('OP');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes) VALUES ('OP', 1, 'RO', 480);
-- greedy, one day each in insertion order: 'a' 03-02, 'B' 03-03, 'A' 03-04
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('a', 'OP', 1, '2026-03-31');
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('B', 'OP', 1, '2026-03-31');
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('A', 'OP', 1, '2026-03-31');
SELECT is(tap.sched('a') || ' ' || tap.sched('B') || ' ' || tap.sched('A'),
          '1:RO:2026-03-02:480 1:RO:2026-03-03:480 1:RO:2026-03-04:480',
          'greedy insertion: each order takes the first free day');
SELECT tap.verified('after three greedy insertions');
CREATE TEMP TABLE replanned ON COMMIT DROP AS SELECT * FROM sacrosanct.replan('tie-break test');
-- byte order: 'A' (0x41) < 'B' (0x42) < 'a' (0x61): A 03-02, B 03-03, a 03-04
SELECT is(tap.sched('A') || ' ' || tap.sched('B') || ' ' || tap.sched('a'),
          '1:RO:2026-03-02:480 1:RO:2026-03-03:480 1:RO:2026-03-04:480',
          'replan loads equal promises by key in byte order: A, B, a');
SELECT set_eq($$SELECT order_key, promised, planned_finish FROM replanned WHERE order_key IN ('A', 'a')$$,
              $$VALUES ('A', date '2026-03-31', date '2026-03-02'), ('a', date '2026-03-31', date '2026-03-04')$$,
              'replan() reports the moved orders with their new planned finish');
SELECT is_empty($$SELECT 1 FROM replanned r WHERE r.planned_finish IS DISTINCT FROM tap.finish(r.order_key)
                                              OR r.promised IS DISTINCT FROM
                                                 (SELECT promised FROM sacrosanct.orders o WHERE o.order_key = r.order_key)$$,
                'every row replan() returns agrees with the schedule');
SELECT is((SELECT why FROM sacrosanct.plan_log ORDER BY id DESC LIMIT 1), 'tie-break test',
          'the replan is logged with its reason');
SELECT tap.verified('after a replan');

-------------------------------------------------------------------------------
-- Greedy insertion keeps the others in place; a replan on insert moves them
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('PP');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes) VALUES ('PP', 1, 'RP', 480);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('q1', 'PP', 1, '2026-03-31');
CREATE TEMP TABLE log_before ON COMMIT DROP AS SELECT count(*) AS n FROM sacrosanct.plan_log;
-- q2 promised 03-10: greedy puts it on 03-03 (03-02 is q1's), 03-03 <= 03-10: backed, no replan
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('q2', 'PP', 1, '2026-03-10');
SELECT is(tap.sched('q1') || ' ' || tap.sched('q2'), '1:RP:2026-03-02:480 1:RP:2026-03-03:480',
          'greedy insertion leaves q1 on 03-02 although q2 is promised earlier');
SELECT is((SELECT count(*) FROM sacrosanct.plan_log), (SELECT n FROM log_before),
          'a greedy insertion is no replan');
-- q3 promised today 03-02: greedy gives 03-04 > 03-02; replan by promised:
--   q3 (03-02) -> 03-02, q2 (03-10) -> 03-03, q1 (03-31) -> 03-04; all backed: accepted
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                  VALUES ('q3', 'PP', 1, '2026-03-02')$$, 'an urgent order is backed by a replan');
SELECT is(tap.sched('q3') || ' ' || tap.sched('q2') || ' ' || tap.sched('q1'),
          '1:RP:2026-03-02:480 1:RP:2026-03-03:480 1:RP:2026-03-04:480',
          'the replan moved the later-promised q1 from 03-02 to 03-04');
SELECT is((SELECT count(*) FROM sacrosanct.plan_log), (SELECT n + 1 FROM log_before),
          'that replan is logged');
-- q4 promised 03-02 too: replan (03-02,'q3') 03-02, (03-02,'q4') 03-03 > 03-02: refused.
-- Greedy: 03-05 + 0.  Promised 03-03 a replan backs it: q3 03-02, q4 03-03, q2 03-04,
-- q1 03-05, all backed.  Rule 9: any accepted date from 03-03 to 03-05.
CREATE TEMP TABLE q4 ON COMMIT DROP AS
SELECT tap.earliest($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                      VALUES ('q4', 'PP', 1, '2026-03-02')$$, 'RP') AS d;
SELECT ok((SELECT d BETWEEN '2026-03-03' AND '2026-03-05' FROM q4),
          'a second urgent order is refused; earliest backed date 03-03..03-05 (greedy) on RP');
SELECT is(tap.sched('q3') || ' ' || tap.sched('q2') || ' ' || tap.sched('q1'),
          '1:RP:2026-03-02:480 1:RP:2026-03-03:480 1:RP:2026-03-04:480',
          'the refusal moved nothing');
SELECT lives_ok(format($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                         VALUES ('q4', 'PP', 1, %L)$$, (SELECT d FROM q4)),
                'inserting it again with the reported date succeeds');
SELECT tap.verified('after q4');
DELETE FROM sacrosanct.orders WHERE order_key = 'q4';
-- promised 03-03 exactly (computed above): backed by a replan
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                  VALUES ('q4', 'PP', 1, '2026-03-03')$$, 'promised 03-03 it is backed');
SELECT is(tap.sched('q3') || ' ' || tap.sched('q4') || ' ' || tap.sched('q2') || ' ' || tap.sched('q1'),
          '1:RP:2026-03-02:480 1:RP:2026-03-03:480 1:RP:2026-03-04:480 1:RP:2026-03-05:480',
          'by promised: q3 03-02, q4 03-03, q2 03-04, q1 03-05');
SELECT tap.verified('after replans on insert');

-------------------------------------------------------------------------------
-- History (rule 7): minutes on days before today stay; only the rest is loaded
-------------------------------------------------------------------------------
INSERT INTO sacrosanct.product (code) VALUES ('XP'), ('WP'), ('XQ');
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, lag_days) VALUES
    ('XP', 1, 'RX', 1200, 0), ('XP', 2, 'RX2', 60, 0), ('WP', 1, 'RX', 480, 0),
    ('XQ', 1, 'RX3', 480, 0), ('XQ', 2, 'RX3', 60, 3);
-- x2 (today 03-02): step 1 480 on 03-02; step 2 starts 03-02 + 3 = 03-05: 60 on 03-05
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x2', 'XQ', 1, '2026-03-31');
SELECT is(tap.sched('x2'), '1:RX3:2026-03-02:480 2:RX3:2026-03-05:60', 'x2 as planned on 03-02');
-- x1 (today 03-02): step 1 1200 = 03-02 480, 03-03 480, 03-04 240; step 2 starts 03-04: 60
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('x1', 'XP', 1, '2026-03-31');
SELECT is(tap.sched('x1'), '1:RX:2026-03-02:480 1:RX:2026-03-03:480 1:RX:2026-03-04:240 2:RX2:2026-03-04:60',
          'x1 as planned on 03-02');
SET LOCAL sacrosanct.today = '2026-03-04';
-- w1 promised 03-04 (today): greedy 03-04 240 + 03-05 240 = finish 03-05: not backed.
-- Replan: w1 (03-04) first: 480 on 03-04.  x1 (03-31): 960 of step 1 lie on past days
-- and stay; the remaining 1200 - 960 = 240 go from 03-04: full, so 03-05 240; step 2
-- starts 03-05: 60 on RX2 on 03-05
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
                  VALUES ('w1', 'WP', 1, '2026-03-04')$$, 'with today 03-04, an order for today is backed by a replan');
SELECT is(tap.sched('w1'), '1:RX:2026-03-04:480', 'it takes 03-04');
SELECT is(tap.sched('x1'), '1:RX:2026-03-02:480 1:RX:2026-03-03:480 1:RX:2026-03-05:240 2:RX2:2026-03-05:60',
          'x1 keeps its past minutes and loads only the remaining 240 from today');
SELECT is(tap.finish('x1'), date '2026-03-05', 'x1 now finishes 03-05');
-- the replan reloaded x2 too: step 1 has nothing left and finishes on its last past day
-- 03-02, so step 2 starts max(today 03-04, 03-02 + 3) = 03-05 (not 03-04 + 3 = Saturday)
SELECT is(tap.sched('x2'), '1:RX3:2026-03-02:480 2:RX3:2026-03-05:60',
          'a step with nothing left finishes on its last past day; the lag counts from there');
SELECT tap.verified('after a replan with history');
SET LOCAL sacrosanct.today = '2026-03-02';

SELECT * FROM finish();
ROLLBACK;
