-- demo/plant.sql: the plant of `make demo` (demo/demo.sql includes it).
--
-- Brightline Displays makes custom point-of-purchase displays: countertop
-- displays, floor stands, end-cap fixtures and reprinted shelf headers, on
-- five work centers.  The ERP keeps its own order table (erp.sales_order);
-- sacrosanct guards it.  The people are roles; each works in the stage of
-- the pipeline their role owns.
--
-- Today is pinned to Monday 2026-03-30 (sacrosanct.today, a superuser
-- setting), so that the story repeats to the character.

-- The calendars: a day shift (07:00-15:30, half an hour for lunch) and, for
-- the CNC router only, an early and a late shift.  Good Friday and Easter
-- Monday are holidays on both.
INSERT INTO sacrosanct.calendar (code, name) VALUES
  ('day',        'day shift, Mon-Fri 07:00-15:30'),
  ('two_shifts', 'early and late shift, Mon-Fri 06:00-22:00');
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'day', d, w.starts, w.ends
  FROM generate_series(1, 5) d,
       (VALUES ('07:00'::time, '11:30'::time), ('12:00', '15:30')) w(starts, ends);
INSERT INTO sacrosanct.calendar_window (calendar, isodow, starts, ends)
SELECT 'two_shifts', d, w.starts, w.ends
  FROM generate_series(1, 5) d,
       (VALUES ('06:00'::time, '14:00'::time), ('14:00', '22:00')) w(starts, ends);
INSERT INTO sacrosanct.calendar_holiday (calendar, day)
SELECT c, d::date FROM unnest('{day,two_shifts}'::text[]) c, unnest('{2026-04-03,2026-04-06}'::text[]) d;

-- The work centers.  The UV flatbed printer is the one everything waits for.
INSERT INTO sacrosanct.resource (code, name, units, calendar) VALUES
  ('DESIGN',   'design studio, two designers', 2, 'day'),
  ('CUT',      'CNC router',                   1, 'two_shifts'),
  ('PRINT',    'UV flatbed printer',           1, 'day'),
  ('ASSEMBLY', 'assembly, three benches',      3, 'day'),
  ('PACK',     'packing and shipping',         1, 'day');

-- The products, their routings (minutes: setup once, run per unit) and their
-- shipping buffers (days between the planned finish and the promise).
INSERT INTO sacrosanct.product (code, name, buffer_days) VALUES
  ('COUNTER', 'countertop display',        2),
  ('FLOOR',   'floor-standing display',    3),
  ('ENDCAP',  'end-cap fixture',           4),
  ('HEADER',  'shelf header cards, reprint', 1);
INSERT INTO sacrosanct.routing (product, step, resource, setup_minutes, run_minutes) VALUES
  ('COUNTER', 10, 'DESIGN',   120,  0),
  ('COUNTER', 20, 'CUT',       30,  1),
  ('COUNTER', 30, 'PRINT',     30,  3),
  ('COUNTER', 40, 'ASSEMBLY',   0,  4),
  ('COUNTER', 50, 'PACK',       0,  0.5),
  ('FLOOR',   10, 'DESIGN',   240,  0),
  ('FLOOR',   20, 'CUT',       45,  4),
  ('FLOOR',   30, 'PRINT',     60, 12),
  ('FLOOR',   40, 'ASSEMBLY',   0, 30),
  ('FLOOR',   50, 'PACK',       0,  3),
  ('ENDCAP',  10, 'DESIGN',   480,  0),
  ('ENDCAP',  20, 'CUT',       60, 12),
  ('ENDCAP',  30, 'PRINT',     90, 20),
  ('ENDCAP',  40, 'ASSEMBLY',   0, 90),
  ('ENDCAP',  50, 'PACK',       0,  6),
  ('HEADER',  10, 'PRINT',     20,  0.4),
  ('HEADER',  20, 'PACK',       0,  0.05);

-- The ERP's own order table, with its own names and states, guarded in place.
CREATE SCHEMA erp;
CREATE TABLE erp.sales_order (
  so_number  text PRIMARY KEY,
  customer   text NOT NULL,
  item_code  text NOT NULL,
  quantity   integer NOT NULL,
  due_date   date,
  status     text NOT NULL DEFAULT 'open'    -- open, shipped, cancelled
);
SELECT sacrosanct.guard('erp.sales_order', key => 'so_number', product => 'item_code',
                        qty => 'quantity', promised => 'due_date', status => 'status',
                        done_values => '{shipped}', cancelled_values => '{cancelled}');

-- The people.  create_roles() makes a NOLOGIN group role per stage;
-- each person logs in as themselves.
SELECT sacrosanct.default_pipeline();
SELECT sacrosanct.create_roles();
CREATE ROLE maya  LOGIN IN ROLE sacrosanct_marketing;
CREATE ROLE raj   LOGIN IN ROLE sacrosanct_sales;
CREATE ROLE elena LOGIN IN ROLE sacrosanct_engineering;
CREATE ROLE sid   LOGIN IN ROLE sacrosanct_scheduler;          -- works the scheduling stage
CREATE ROLE otto  LOGIN IN ROLE sacrosanct_operations;
CREATE ROLE cara  LOGIN IN ROLE sacrosanct_customer_service;
CREATE ROLE bianca LOGIN IN ROLE sacrosanct_reader;             -- the BI tool
GRANT USAGE ON SCHEMA erp TO sacrosanct_sales, sacrosanct_scheduler, sacrosanct_customer_service;
GRANT SELECT, INSERT, UPDATE ON erp.sales_order
   TO sacrosanct_sales, sacrosanct_scheduler, sacrosanct_customer_service;
GRANT USAGE ON SCHEMA erp TO sacrosanct_reader;
GRANT SELECT ON erp.sales_order TO sacrosanct_reader;

-- Three weeks of history, so that on-time delivery has a past: "today"
-- walks from 2026-03-09 to the present while orders come in and ship
-- (one a day late; SO-2608 is finished but still on the dock: the
-- customer's new store was not ready to take it).
SET sacrosanct.today = '2026-03-09';
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date) VALUES
  ('SO-2601', 'Corner Deli',        'HEADER',  2000, '2026-03-11'),
  ('SO-2602', 'Hollis Pharmacy',    'COUNTER',  200, '2026-03-16'),
  ('SO-2603', 'Bayside Market',     'FLOOR',     30, '2026-03-18'),
  ('SO-2604', 'Vega Cosmetics',     'ENDCAP',     8, '2026-03-20');
SET sacrosanct.today = '2026-03-11';
UPDATE erp.sales_order SET status = 'shipped' WHERE so_number = 'SO-2601';
SET sacrosanct.today = '2026-03-16';
UPDATE erp.sales_order SET status = 'shipped' WHERE so_number = 'SO-2602';
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date) VALUES
  ('SO-2605', 'Northside Hardware', 'COUNTER',  300, '2026-03-24'),
  ('SO-2606', 'Pinecrest Books',    'HEADER',  3000, '2026-03-19'),
  ('SO-2607', 'Lumen Tea',          'FLOOR',     40, '2026-03-26'),
  ('SO-2608', 'Corner Deli',        'COUNTER',  150, '2026-03-26');
SET sacrosanct.today = '2026-03-18';
UPDATE erp.sales_order SET status = 'shipped' WHERE so_number = 'SO-2603';
SET sacrosanct.today = '2026-03-19';
UPDATE erp.sales_order SET status = 'shipped' WHERE so_number = 'SO-2606';
SET sacrosanct.today = '2026-03-20';
UPDATE erp.sales_order SET status = 'shipped' WHERE so_number = 'SO-2604';
SET sacrosanct.today = '2026-03-24';
UPDATE erp.sales_order SET status = 'shipped' WHERE so_number = 'SO-2605';
SET sacrosanct.today = '2026-03-27';
UPDATE erp.sales_order SET status = 'shipped' WHERE so_number = 'SO-2607';

-- The open order book, entered last Friday: the printer is booked for
-- almost three weeks.
INSERT INTO erp.sales_order (so_number, customer, item_code, quantity, due_date) VALUES
  ('SO-2609', 'Bayside Market',     'HEADER',  2500, '2026-04-01'),
  ('SO-2610', 'Hollis Pharmacy',    'COUNTER',  400, '2026-04-09'),
  ('SO-2611', 'Greenleaf Grocers',  'HEADER',  3000, '2026-04-10'),
  ('SO-2612', 'Vega Cosmetics',     'ENDCAP',    12, '2026-04-13'),
  ('SO-2613', 'FreshMart',          'FLOOR',     40, '2026-04-17'),
  ('SO-2614', 'Pinecrest Books',    'COUNTER',  250, '2026-04-17'),
  ('SO-2615', 'Lumen Tea',          'ENDCAP',    10, '2026-04-20'),
  ('SO-2616', 'Northside Hardware', 'FLOOR',     30, '2026-04-20'),
  ('SO-2617', 'Atlas Sporting',     'FLOOR',     50, '2026-04-23');

SET sacrosanct.today = '2026-03-30';

-- Bayside Market reordered header cards last week, through customer
-- service: scheduling placed order SO-2609, operations owns it now.
SET ROLE cara;
SELECT sacrosanct.open_item('Bayside Market', 'reorder: 2,500 shelf header cards',
                            '{"source": "phone"}', 'sacrosanct_operations') AS bayside \gset
SELECT sacrosanct.hand_off(:bayside, 'scheduling', '{"reorder_of": "SO-2601"}') AS h \gset
SET ROLE sid;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.hand_off(:bayside, 'operations', '{"order_key": "SO-2609"}') AS h \gset
SET ROLE otto;
SELECT sacrosanct.accept(:h);
RESET ROLE;

-- Other cases on their way: one lead in marketing, one in sales, one
-- waiting for engineering, which takes at most three cases at a time.
UPDATE sacrosanct.stage SET wip_limit = 3 WHERE code = 'engineering';
SET ROLE maya;
SELECT sacrosanct.open_item('Pinecrest Books', 'author-signing counter display', '{"source": "newsletter"}');
SELECT sacrosanct.open_item('FreshMart', 'produce-aisle floor stands') AS c \gset
SELECT sacrosanct.hand_off(:c, 'sales', '{"contact": "A. Moss, merchandising"}') AS h \gset
SET ROLE raj;
SELECT sacrosanct.accept(:h);
SELECT sacrosanct.open_item('Northside Hardware', 'end-cap fixture for power tools') AS c \gset
SELECT sacrosanct.hand_off(:c, 'engineering', '{"requirements": "end cap, 1.2 m, pegboard"}');
RESET ROLE;
