-- What schedulers and BI tools see: the views, their grain and columns, on
-- a small plant with orders of every kind (DESIGN.md §5).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday
SET sacrosanct.horizon_days = 20;      -- keeps resource_load short here

INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.calendar_holiday VALUES ('day', '2026-03-06');
INSERT INTO sacrosanct.resource (code, calendar, finite) VALUES ('CUT', 'day', true), ('PAINT', 'day', false);
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('SIGN', 2), ('POSTER', 0);
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES
    ('SIGN', 1, 'CUT', 2), ('SIGN', 2, 'PAINT', 1), ('POSTER', 1, 'CUT', 1);

-- Some history: two weeks ago two orders were promised; one shipped on time,
-- one late; one more is still open past its promise.
SET sacrosanct.today = '2026-02-16';
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('H1', 'POSTER', 60, '2026-02-17'), ('H2', 'POSTER', 60, '2026-02-18'), ('H3', 'POSTER', 60, '2026-02-27');
UPDATE sacrosanct.orders SET status = 'done', delivered = '2026-02-17' WHERE order_key = 'H1';
UPDATE sacrosanct.orders SET status = 'done', delivered = '2026-02-20' WHERE order_key = 'H2';
SET sacrosanct.today = '2026-03-02';
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('A', 'SIGN', 240, '2026-03-04'),
    ('B', 'SIGN', 240, '2026-03-20'),
    ('C', 'POSTER', 300, '2026-03-10');
-- a breakdown forced through puts one at risk
SELECT sacrosanct.remove_capacity('CUT', '[2026-03-02,2026-03-03)', 480, 'blade broke', force => true) > 0 AS removed;

-- schedule: one row per allocation
SELECT order_key, step, resource, day, minutes, source FROM sacrosanct.schedule ORDER BY day, order_key, step;

-- resource_load: one row per resource and day, today to the horizon
SELECT * FROM sacrosanct.resource_load WHERE day < '2026-03-10' ORDER BY resource, day;

-- promise_status: one row per open order, with its buffer zone
SELECT source, order_key, promised, planned_finish, buffer_days, slack_days, planned_start,
       buffer_penetration, zone, at_risk, backed
  FROM sacrosanct.promise_status ORDER BY order_key;

-- quoted_lead_time: the honest lead time per product, as quote() answers
SELECT * FROM sacrosanct.quoted_lead_time ORDER BY product;
SELECT * FROM sacrosanct.lead_times(480) ORDER BY product;

-- on_time_delivery: per ISO week of promises
SELECT * FROM sacrosanct.on_time_delivery ORDER BY week_start;

-- plan_log and renegotiation, as BI tools read them
SELECT what, why, orders_moved FROM sacrosanct.plan_log ORDER BY id;
SELECT order_key, old_promise, new_earliest, reason, status FROM sacrosanct.renegotiation;

-- gantt(): the load in psql, four weeks from today by default; ASCII for a
-- client that is not UTF8
SELECT * FROM sacrosanct.gantt();
SELECT * FROM sacrosanct.gantt('CUT', '[2026-03-02,2026-05-04)');
SET client_encoding = 'LATIN1';
SELECT * FROM sacrosanct.gantt('CUT');
RESET client_encoding;
SELECT * FROM sacrosanct.gantt('NOPE');
SELECT * FROM sacrosanct.gantt(NULL, 'empty');

SELECT * FROM sacrosanct.verify();
