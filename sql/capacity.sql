-- Reality changes the schedule: overtime, a breakdown refused, the same
-- breakdown forced, and the renegotiations it opens (DESIGN.md §3.2).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

-- A sign shop: a cutter and a printer, one shift each, Monday to Friday.
-- A sign takes a minute per unit on each; a day of buffer before shipping.
INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('CUT', 'day'), ('PRINT', 'day');
INSERT INTO sacrosanct.product (code, buffer_days) VALUES ('SIGN', 1);
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES
    ('SIGN', 1, 'CUT', 1), ('SIGN', 2, 'PRINT', 1);
INSERT INTO sacrosanct.orders (order_key, customer, product, qty, promised) VALUES
    ('A', 'Acme', 'SIGN', 480, '2026-03-04'),
    ('B', 'Bolt', 'SIGN', 480, '2026-03-05'),
    ('C', 'Cask', 'SIGN', 480, '2026-03-05'),
    ('E', 'Eddy', 'SIGN', 240, '2026-03-20');
CREATE VIEW plan AS
  SELECT order_key, step, resource, day, minutes FROM sacrosanct.schedule ORDER BY day, order_key, step;
SELECT * FROM plan;

-- 1. Overtime turns a refused date into an accepted one.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('D', 'SIGN', 480, '2026-03-05');
SELECT sacrosanct.add_capacity('CUT', '[2026-03-04,2026-03-05)', 480, 'second shift') > 0 AS added;
SELECT sacrosanct.add_capacity('PRINT', '[2026-03-04,2026-03-05)', 480, 'second shift') > 0 AS added;
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('D', 'SIGN', 480, '2026-03-05');
SELECT * FROM plan WHERE order_key = 'D';

-- 2. The cutter breaks down for two days: refused, because it would break
-- promises; the DETAIL names them with the dates the schedule could back
-- instead, and nothing is written.
SELECT sacrosanct.remove_capacity('CUT', '[2026-03-02,2026-03-04)', 480, 'spindle broke');
SELECT count(*) AS breakdowns FROM sacrosanct.capacity_change WHERE minutes < 0;

-- A smaller loss that the plan can absorb is taken: the orders it touches
-- are repaired around the rest: Eddy's signs move, nothing else does.
SELECT sacrosanct.remove_capacity('CUT', '[2026-03-05,2026-03-06)', 360, 'operator at the dentist') > 0 AS removed;
SELECT * FROM plan WHERE order_key = 'E';

-- 3. Reality does not ask: the spindle is broken.  Forced, the change is
-- recorded; the orders that can still be kept stay backed, the others stay
-- open, planned as well as the plant allows, at risk, with one
-- renegotiation each, in the same transaction.
SELECT sacrosanct.remove_capacity('CUT', '[2026-03-02,2026-03-04)', 480, 'spindle broke', force => true) > 0 AS removed;
SELECT o.order_key, o.promised, o.at_risk, d.planned_finish, d.backed
  FROM sacrosanct.orders o JOIN sacrosanct.demand d USING (order_key) ORDER BY 1;
SELECT order_key, old_promise, new_earliest, reason, status, source FROM sacrosanct.renegotiation ORDER BY order_key;
SELECT what, why, orders_moved FROM sacrosanct.plan_log ORDER BY id;
SELECT * FROM sacrosanct.verify();

-- at_risk is the extension's: nobody clears it by hand
UPDATE sacrosanct.orders SET at_risk = false WHERE order_key = 'A';

-- 4. Renegotiation.  Acme agrees to the new date: the promise is backed,
-- the order is no longer at risk, the renegotiation is agreed.
UPDATE sacrosanct.orders SET promised = (SELECT new_earliest FROM sacrosanct.renegotiation WHERE order_key = 'A')
 WHERE order_key = 'A';
-- Bolt wants a date the schedule still cannot back: refused, as any promise.
UPDATE sacrosanct.orders SET promised = '2026-03-06' WHERE order_key = 'B';
-- Nor does changing the quantity of an order at risk keep its old date.
UPDATE sacrosanct.orders SET qty = 400 WHERE order_key = 'B';
-- Bolt cancels instead.
UPDATE sacrosanct.orders SET status = 'cancelled' WHERE order_key = 'B';
SELECT order_key, promised, status, at_risk FROM sacrosanct.orders ORDER BY 1;
SELECT order_key, old_promise, new_earliest, status, resolved_at IS NOT NULL AS resolved
  FROM sacrosanct.renegotiation ORDER BY order_key;
SELECT * FROM sacrosanct.verify();

-- 5. An MES writes master data directly.  A change that breaks promises is
-- refused as any other ...
INSERT INTO sacrosanct.calendar_holiday VALUES ('day', '2026-03-04');
-- ... unless the transaction records reality: SET LOCAL sacrosanct.force_reason.
BEGIN;
SET LOCAL sacrosanct.force_reason = 'MES: plant closed for inventory';
INSERT INTO sacrosanct.calendar_holiday VALUES ('day', '2026-03-04');
COMMIT;
SELECT o.order_key, o.promised, o.at_risk, d.planned_finish
  FROM sacrosanct.orders o JOIN sacrosanct.demand d USING (order_key) ORDER BY 1;
SELECT order_key, old_promise, new_earliest, reason, status FROM sacrosanct.renegotiation
 WHERE status = 'open' ORDER BY order_key;
-- the setting lasts as long as the transaction: the next change is checked again
INSERT INTO sacrosanct.calendar_holiday VALUES ('day', '2026-03-09');

-- The ERP renumbers an order at risk: its renegotiation follows the key.
UPDATE sacrosanct.orders SET order_key = 'D-2026' WHERE order_key = 'D';
SELECT order_key, old_promise, status FROM sacrosanct.renegotiation WHERE status = 'open';

-- Deleting an order at risk cancels its renegotiation.
DELETE FROM sacrosanct.orders WHERE order_key IN (SELECT order_key FROM sacrosanct.orders WHERE at_risk);
SELECT order_key, status FROM sacrosanct.renegotiation ORDER BY id;
SELECT what, why, orders_moved FROM sacrosanct.plan_log ORDER BY id;
SELECT * FROM sacrosanct.verify();
