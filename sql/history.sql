-- Days pass: minutes planned on days before today are history.  A replan
-- keeps them and loads only what is left of each step (rule 7).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';   -- a Monday

INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('LATHE', 'day'), ('MILL', 'day');
INSERT INTO sacrosanct.product (code) VALUES ('Q');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES
  ('Q', 1, 'LATHE', 1), ('Q', 2, 'MILL', 1);

-- 600 minutes on the lathe (Monday and Tuesday), then 600 on the mill.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('H', 'Q', 600, '2026-03-20');
SELECT step, resource, day, minutes FROM sacrosanct.schedule ORDER BY step, day;

-- Wednesday.  Monday's and Tuesday's minutes happened; the order grows.
-- The lathe's 480 Monday minutes and 120 Tuesday minutes stay; its other
-- 200 are loaded from today.  The mill's Tuesday minutes stay too, and its
-- rest follows the lathe's new finish.
SET sacrosanct.today = '2026-03-04';
UPDATE sacrosanct.orders SET qty = 800 WHERE order_key = 'H';
SELECT step, resource, day, minutes FROM sacrosanct.schedule ORDER BY step, day;
SELECT * FROM sacrosanct.verify();

-- A replan keeps history as it is.
SELECT * FROM sacrosanct.replan('Wednesday replan');
SELECT step, resource, day, minutes FROM sacrosanct.schedule ORDER BY step, day;

-- Done: every allocation goes, history included.
UPDATE sacrosanct.orders SET status = 'done' WHERE order_key = 'H';
SELECT count(*) AS allocations FROM sacrosanct.schedule;
SELECT * FROM sacrosanct.verify();
