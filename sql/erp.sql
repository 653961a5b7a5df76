-- Guarding the ERP's own table in place: sacrosanct.guard() maps its
-- columns, plans its open rows, and from then on every INSERT, UPDATE and
-- DELETE is planned or refused exactly as on sacrosanct.orders, on the same
-- schedule.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
DROP SCHEMA IF EXISTS erp CASCADE;
DROP ROLE IF EXISTS regress_clerk;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
CREATE EXTENSION sacrosanct;
SET sacrosanct.today = '2026-03-02';               -- a Monday
SET sacrosanct.timezone = 'America/Chicago';       -- the plant's; a superuser sets it

INSERT INTO sacrosanct.calendar VALUES ('day');
INSERT INTO sacrosanct.calendar_window SELECT 'day', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('PRESS', 'day');
INSERT INTO sacrosanct.product (code) VALUES ('DISPLAY');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('DISPLAY', 1, 'PRESS', 1);

-- The ERP's order lines: its own names and types, a timestamptz due date,
-- its own states.
CREATE SCHEMA erp;
CREATE TABLE erp.order_line (
    line_id  uuid PRIMARY KEY,
    sku      text NOT NULL,
    units    numeric NOT NULL,
    due_at   timestamptz,
    state    text NOT NULL DEFAULT 'open'
);
INSERT INTO erp.order_line VALUES
    ('00000000-0000-0000-0000-00000000000a', 'DISPLAY', 480, '2026-03-02 18:00-06', 'open'),     -- Monday evening in Chicago
    ('00000000-0000-0000-0000-00000000000b', 'DISPLAY', 480, '2026-03-02 18:00-06', 'open'),     -- the same day: cannot be backed too
    ('00000000-0000-0000-0000-00000000000c', 'DISPLAY', 100, '2026-03-01 12:00-06', 'shipped');  -- history

-- Every check is made before anything is attached.
SELECT sacrosanct.guard('erp.order_line', 'line', 'sku', 'units', 'due_at');
SELECT sacrosanct.guard('erp.order_line', 'line_id', 'sku', 'state', 'due_at');
SELECT sacrosanct.guard('erp.order_line', 'line_id', 'sku', 'units', 'due_at', 'state',
                        done_values => '{shipped}', cancelled_values => '{shipped}');
CREATE VIEW erp.open_lines AS SELECT * FROM erp.order_line WHERE state = 'open';
SELECT sacrosanct.guard('erp.open_lines', 'line_id', 'sku', 'units', 'due_at');
CREATE TABLE erp.by_month (line_id int, sku text, units int, due date) PARTITION BY RANGE (due);
SELECT sacrosanct.guard('erp.by_month', 'line_id', 'sku', 'units', 'due');
CREATE TABLE erp.loose (line_id int, sku text, units int, due date);
SELECT sacrosanct.guard('erp.loose', 'line_id', 'sku', 'units', 'due');
-- An open row the schedule cannot back: guard() names it and attaches nothing.
SELECT sacrosanct.guard('erp.order_line', 'line_id', 'sku', 'units', 'due_at', 'state',
                        done_values => '{shipped}', cancelled_values => '{void}');
SELECT count(*) AS guard_triggers FROM pg_trigger WHERE tgrelid = 'erp.order_line'::regclass;
-- The customer agrees to the date shown; now the table is guarded.
UPDATE erp.order_line SET due_at = '2026-03-03 18:00-06' WHERE line_id = '00000000-0000-0000-0000-00000000000b';
SELECT sacrosanct.guard('erp.order_line', 'line_id', 'sku', 'units', 'due_at', 'state',
                        done_values => '{shipped}', cancelled_values => '{void}');
SELECT sacrosanct.guard('erp.order_line', 'line_id', 'sku', 'units', 'due_at');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'erp.order_line'::regclass ORDER BY 1;

-- The ERP writes as it always did.  A line the schedule cannot back is
-- refused inside its INSERT, with the earliest date it can back.
INSERT INTO erp.order_line (line_id, sku, units, due_at)
VALUES ('00000000-0000-0000-0000-00000000000d', 'DISPLAY', 240, '2026-03-03 18:00-06');
INSERT INTO erp.order_line (line_id, sku, units, due_at)
VALUES ('00000000-0000-0000-0000-00000000000d', 'DISPLAY', 240, '2026-03-04 18:00-06');
-- No due date: the guard gives the earliest backed one, midnight in the plant's zone.
INSERT INTO erp.order_line (line_id, sku, units)
VALUES ('00000000-0000-0000-0000-00000000000e', 'DISPLAY', 240) RETURNING due_at AT TIME ZONE 'America/Chicago' AS due_local;

-- The same schedule as sacrosanct.orders: an order there competes for the
-- same press, and the same key in both tables is two orders.
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('00000000-0000-0000-0000-00000000000a', 'DISPLAY', 240, '2026-03-05'),
    ('00000000-0000-0000-0000-00000000000e', 'DISPLAY', 60, '2026-03-06');
SELECT order_key, resource, day, minutes, source FROM sacrosanct.schedule ORDER BY day, source, order_key;

-- States the ERP uses: shipped is done (delivered), void is cancelled;
-- either releases the capacity.  TRUNCATE is refused.
UPDATE erp.order_line SET state = 'void' WHERE line_id = '00000000-0000-0000-0000-00000000000d';
UPDATE erp.order_line SET state = 'shipped' WHERE line_id = '00000000-0000-0000-0000-00000000000a';
TRUNCATE erp.order_line;
-- Progress on a line: name the table when the key is open in two.
SELECT sacrosanct.complete_step('00000000-0000-0000-0000-00000000000e', 1);
SELECT sacrosanct.complete_step('00000000-0000-0000-0000-00000000000e', 1, 'erp.order_line');
SELECT order_key, planned_finish, steps_done, source FROM sacrosanct.demand
 WHERE order_key = '00000000-0000-0000-0000-00000000000e' ORDER BY source;
SELECT count(*) AS lines_planned FROM sacrosanct.demand WHERE source = 'erp.order_line'::regclass;
SELECT * FROM sacrosanct.verify();

-- Only the table's owner may guard it, and an owner needs no other
-- privilege: a plain role guards its own table and writes to it.
CREATE ROLE regress_clerk;
GRANT USAGE ON SCHEMA sacrosanct TO regress_clerk;
GRANT EXECUTE ON FUNCTION sacrosanct.guard(regclass, text, text, text, text, text, text, text[], text[]),
                          sacrosanct.unguard(regclass) TO regress_clerk;
GRANT USAGE, CREATE ON SCHEMA erp TO regress_clerk;
SET ROLE regress_clerk;
SELECT sacrosanct.unguard('erp.order_line');
CREATE TABLE erp.clerk_lines (id bigint PRIMARY KEY, sku text, units int, due date);
SELECT sacrosanct.guard('erp.clerk_lines', 'id', 'sku', 'units', 'due');
INSERT INTO erp.clerk_lines VALUES (1, 'DISPLAY', 960, '2026-03-03');
INSERT INTO erp.clerk_lines VALUES (1, 'DISPLAY', 960, '2026-03-12');
SELECT sacrosanct.unguard('erp.clerk_lines');
RESET ROLE;

-- A table name full of quotes and spaces is quoted wherever it goes.
CREATE TABLE erp."Order ""Lines"" 2026" (id bigint PRIMARY KEY, "SKU" text, "Units" int, "Due Date" date,
                                          "State" text DEFAULT 'Open');
SELECT sacrosanct.guard('erp."Order ""Lines"" 2026"', 'id', 'SKU', 'Units', 'Due Date', 'State',
                        done_values => '{Shipped}', cancelled_values => '{Void}');
INSERT INTO erp."Order ""Lines"" 2026" (id, "SKU", "Units", "Due Date") VALUES (1, 'DISPLAY', 60, '2026-03-13');
UPDATE erp."Order ""Lines"" 2026" SET "State" = 'Shipped' WHERE id = 1;
SELECT sacrosanct.unguard('erp."Order ""Lines"" 2026"');

-- unguard() releases the table's orders and removes its triggers.
SELECT sacrosanct.unguard('erp.order_line');
SELECT count(*) AS guard_triggers FROM pg_trigger WHERE tgrelid = 'erp.order_line'::regclass;
SELECT order_key, day, minutes, source FROM sacrosanct.schedule ORDER BY day, order_key;
SELECT what, why FROM sacrosanct.plan_log WHERE what IN ('guard', 'unguard') ORDER BY id;
SELECT * FROM sacrosanct.verify();
SELECT sacrosanct.unguard('erp.order_line');
DROP SCHEMA erp CASCADE;
DROP OWNED BY regress_clerk;
DROP ROLE regress_clerk;
