-- Honest quotes (rule 9) and quote holds: what date the schedule can back
-- for a would-be order, and reserving it while the customer decides.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('LATHE', 'day'), ('DRILL', 'day');
-- a gear is turned then drilled; one buffer day
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('GEAR', 1), ('BARE', 0);
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES
  ('GEAR', 1, 'LATHE', 2), ('GEAR', 2, 'DRILL', 1);

-- An empty plant: 240 gears take Monday on the lathe and a morning on the
-- drill the same day; finish Monday, promise Tuesday.
SELECT * FROM sacrosanct.quote('GEAR', 240);
-- not_before moves the start.
SELECT * FROM sacrosanct.quote('GEAR', 240, not_before => '2026-03-09');

-- An order with slack, promised in two weeks, takes Monday and Tuesday.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('SLACK', 'GEAR', 480, '2026-03-13');
-- Loaded behind it, 240 gears would finish Wednesday (promise Thursday);
-- the quote finds Tuesday: a replan that loads the new order first still
-- backs SLACK.  A quote sorts after every order promised the same day.
SELECT * FROM sacrosanct.quote('GEAR', 240);

-- Too much for the horizon: no date, and the bottleneck.
SET sacrosanct.horizon_days = 30;
SELECT * FROM sacrosanct.quote('GEAR', 100000);
RESET sacrosanct.horizon_days;

-- Unknown products, products without a routing, bad quantities.
SELECT * FROM sacrosanct.quote('NOPE', 1);
SELECT * FROM sacrosanct.quote('BARE', 1);
SELECT * FROM sacrosanct.quote('GEAR', 0);
SELECT * FROM sacrosanct.quote('GEAR', NULL);

-- A hold reserves the capacity of the quoted date until hold_until.
SELECT earliest, planned_finish, bottleneck, quote_id IS NOT NULL AS held,
       hold_until = now() + interval '2 hours' AS for_two_hours
  FROM sacrosanct.quote('GEAR', 240, hold => '2 hours');
SELECT order_key, quote_id IS NOT NULL AS hold, resource, day, minutes
  FROM sacrosanct.schedule ORDER BY day, resource, order_key;
-- So the next quote for the same cannot have that date.
SELECT * FROM sacrosanct.quote('GEAR', 240);

-- The order that comes with the quote consumes the hold: same allocations,
-- nothing replanned.  A NULL promise takes the quoted date.
INSERT INTO sacrosanct.orders (order_key, product, qty, quote_id)
SELECT 'HELD', 'GEAR', 240, max(quote_id) FROM sacrosanct.schedule
RETURNING order_key, promised;
SELECT order_key, quote_id IS NOT NULL AS hold, resource, day, minutes
  FROM sacrosanct.schedule ORDER BY day, resource, order_key;

-- A hold is used once, for what it was quoted for, by a promise it backs.
SELECT quote_id AS q FROM sacrosanct.quote('GEAR', 100, hold => '1 hour') \gset
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id) VALUES ('X1', 'GEAR', 101, '2026-03-20', :q);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id) VALUES ('X2', 'GEAR', 100, '2026-03-02', :q);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id) VALUES ('X3', 'GEAR', 100, '2026-03-20', :q);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id) VALUES ('X4', 'GEAR', 100, '2026-03-20', :q);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id) VALUES ('X5', 'GEAR', 100, '2026-03-20', 999999);
SELECT * FROM sacrosanct.quote('GEAR', 1, hold => '0 seconds');

-- An expired hold reserves nothing: quotes ignore it, and an order that
-- needs its capacity gets it (the replan releases the hold).
SELECT quote_id AS gone FROM sacrosanct.quote('GEAR', 480, hold => '1 millisecond') \gset
SELECT pg_sleep(0.01);
SELECT count(*) AS expired_hold_rows FROM sacrosanct.schedule WHERE quote_id = :gone;
SELECT * FROM sacrosanct.quote('GEAR', 480);
\set VERBOSITY terse
INSERT INTO sacrosanct.orders (order_key, product, qty, promised, quote_id) VALUES ('LATE', 'GEAR', 480, '2026-03-20', :gone);
\set VERBOSITY default
INSERT INTO sacrosanct.orders (order_key, product, qty, promised)
SELECT 'NEXT', 'GEAR', 480, earliest FROM sacrosanct.quote('GEAR', 480);
SELECT count(*) AS expired_hold_rows FROM sacrosanct.schedule WHERE quote_id = :gone;
SELECT * FROM sacrosanct.verify();
