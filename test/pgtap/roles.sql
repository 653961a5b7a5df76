-- roles.sql: who may do what (DESIGN.md §6), over every object of the
-- schema, enumerated from the catalog so that a new object cannot be
-- missed; tested with SET ROLE to real members of the group roles.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS sacrosanct;
SELECT no_plan();
SET LOCAL sacrosanct.today = '2026-03-02';

INSERT INTO sacrosanct.calendar VALUES ('RCAL');
INSERT INTO sacrosanct.calendar_window SELECT 'RCAL', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('RRES', 'RCAL');
INSERT INTO sacrosanct.product (code) VALUES ('RPROD');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('RPROD', 1, 'RRES', 1);

SELECT lives_ok('SELECT sacrosanct.create_roles()', 'create_roles() creates the group roles');
SELECT lives_ok('SELECT sacrosanct.create_roles()', 'create_roles() again is harmless');
SELECT is(ARRAY(SELECT rolname::text FROM pg_roles
                 WHERE rolname LIKE 'sacrosanct\_%' AND NOT rolcanlogin ORDER BY 1),
          ARRAY['sacrosanct_customer_service', 'sacrosanct_engineering', 'sacrosanct_marketing',
                'sacrosanct_operations', 'sacrosanct_reader', 'sacrosanct_sales',
                'sacrosanct_scheduler', 'sacrosanct_scheduling'],
          'the group roles (the reader, the scheduler, one per default stage) exist and cannot log in');
SELECT ok(pg_has_role('sacrosanct_scheduler', 'sacrosanct_scheduling', 'MEMBER'),
          'schedulers work the scheduling stage');

CREATE ROLE tap_reader LOGIN IN ROLE sacrosanct_reader;
CREATE ROLE tap_sales LOGIN IN ROLE sacrosanct_sales;
CREATE ROLE tap_scheduler LOGIN IN ROLE sacrosanct_scheduler;

-- Nothing is PUBLIC's.
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'sacrosanct'::regnamespace
                   AND has_function_privilege('public', p.oid, 'EXECUTE') ORDER BY 1),
          '{}'::text[], 'no function is executable by PUBLIC');
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind IN ('r', 'v', 'S')
                   AND has_table_privilege('public', c.oid, 'SELECT') ORDER BY 1),
          '{}'::text[], 'no relation is readable by PUBLIC');

-- The reader: every view (and the journals plan_log and renegotiation),
-- no base table, nothing that writes.
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind = 'v'
                   AND NOT has_table_privilege('tap_reader', c.oid, 'SELECT') ORDER BY 1),
          '{}'::text[], 'the reader can SELECT every view');
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind IN ('r', 'p', 'S')
                   AND c.relname NOT IN ('plan_log', 'renegotiation')
                   AND has_table_privilege('tap_reader', c.oid, 'SELECT') ORDER BY 1),
          '{}'::text[], 'the reader can SELECT no base table but the journals plan_log and renegotiation');
SELECT is(ARRAY(SELECT c.oid::regclass::text || ' ' || p.priv FROM pg_class c,
                       unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(priv)
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind IN ('r', 'v', 'p')
                   AND has_table_privilege('tap_reader', c.oid, p.priv) ORDER BY 1),
          '{}'::text[], 'the reader can write nothing');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'sacrosanct'::regnamespace
                   AND has_function_privilege('tap_reader', p.oid, 'EXECUTE') ORDER BY 1),
          ARRAY['sacrosanct.capacity(text,date)', 'sacrosanct.gantt(text,daterange)',
                'sacrosanct.horizon()', 'sacrosanct.lead_times(numeric)',
                'sacrosanct.pipeline_sees(text[],regrole)', 'sacrosanct.today()'],
          'the reader may call only the read-only functions the views use');

-- Sales: quotes and orders; never capacity, routings, calendars or the schedule.
SELECT is(ARRAY(SELECT c.relname::text || ' ' || p.priv FROM pg_class c,
                       unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p(priv)
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind IN ('r', 'v')
                   AND has_table_privilege('tap_sales', c.oid, p.priv) ORDER BY 1),
          ARRAY['handoff INSERT', 'handoff UPDATE', 'orders INSERT', 'orders UPDATE',
                'work_item INSERT', 'work_item UPDATE'],
          'sales may insert and update orders and the pipeline''s items and handoffs, and write nothing else');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'sacrosanct'::regnamespace
                   AND has_function_privilege('tap_sales', p.oid, 'EXECUTE')
                   AND p.oid::regprocedure::text NOT IN ('sacrosanct.capacity(text,date)', 'sacrosanct.gantt(text,daterange)',
                        'sacrosanct.horizon()', 'sacrosanct.lead_times(numeric)', 'sacrosanct.today()',
                        'sacrosanct.pipeline_sees(text[],regrole)') ORDER BY 1),
          ARRAY['sacrosanct.accept(bigint)', 'sacrosanct.close_item(bigint,text)',
                'sacrosanct.hand_off(bigint,text,jsonb)', 'sacrosanct.open_item(text,text,jsonb,regrole)',
                'sacrosanct.quote(text,numeric,date,interval)', 'sacrosanct.send_back(bigint,text)'],
          'sales may quote and work the pipeline, besides what readers may');

-- The other stages: the pipeline's operations, and nothing of the schedule.
SELECT is(ARRAY(SELECT r.rolname || ' ' || p.oid::regprocedure::text
                  FROM pg_proc p, pg_roles r
                 WHERE p.pronamespace = 'sacrosanct'::regnamespace
                   AND r.rolname IN ('sacrosanct_marketing', 'sacrosanct_engineering', 'sacrosanct_scheduling',
                                     'sacrosanct_operations', 'sacrosanct_customer_service')
                   AND has_function_privilege(r.oid, p.oid, 'EXECUTE')
                   AND p.proname NOT IN ('open_item', 'hand_off', 'accept', 'send_back', 'close_item', 'pipeline_sees')
                   AND NOT (r.rolname = 'sacrosanct_customer_service' AND p.proname = 'today')
                 ORDER BY 1),
          '{}'::text[], 'a stage role may call the pipeline''s operations and nothing else (customer service: and today())');
SELECT is(ARRAY(SELECT r.rolname || ' ' || c.relname || ' ' || p.priv
                  FROM pg_class c, pg_roles r, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p(priv)
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind IN ('r', 'v')
                   AND r.rolname IN ('sacrosanct_marketing', 'sacrosanct_engineering', 'sacrosanct_scheduling',
                                     'sacrosanct_operations', 'sacrosanct_customer_service')
                   AND c.relname NOT IN ('work_item', 'handoff')
                   AND NOT (r.rolname = 'sacrosanct_customer_service' AND c.relname = 'orders' AND p.priv = 'UPDATE')
                   AND has_table_privilege(r.oid, c.oid, p.priv) ORDER BY 1),
          '{}'::text[], 'a stage role may write the pipeline''s items and handoffs and nothing else');
SELECT ok(has_table_privilege('sacrosanct_customer_service', 'sacrosanct.renegotiation', 'SELECT')
          AND has_table_privilege('sacrosanct_customer_service', 'sacrosanct.promise_status', 'SELECT')
          AND has_column_privilege('sacrosanct_customer_service', 'sacrosanct.orders', 'promised', 'UPDATE')
          AND has_column_privilege('sacrosanct_customer_service', 'sacrosanct.orders', 'status', 'UPDATE')
          AND NOT has_column_privilege('sacrosanct_customer_service', 'sacrosanct.orders', 'qty', 'UPDATE')
          AND NOT has_table_privilege('sacrosanct_customer_service', 'sacrosanct.orders', 'INSERT'),
          'customer service reads the renegotiations and records the agreed promise or the cancel, nothing else of an order');

-- Schedulers: capacity, routings, progress, replans, guard.
SELECT ok(has_function_privilege('tap_scheduler', 'sacrosanct.remove_capacity(text,daterange,int,text,boolean)', 'EXECUTE')
          AND has_function_privilege('tap_scheduler', 'sacrosanct.replan(text)', 'EXECUTE')
          AND has_table_privilege('tap_scheduler', 'sacrosanct.routing', 'INSERT,UPDATE,DELETE'),
          'schedulers may change capacity and routings and replan');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace
                   AND c.relname IN ('demand', 'load', 'plan_log', 'renegotiation', 'delivery')
                   AND has_table_privilege('tap_scheduler', c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE') ORDER BY 1),
          '{}'::text[], 'schedulers may not write the schedule tables either');

-- The trigger and internal functions: nobody but the owner.
SELECT is(ARRAY(SELECT p.proname || ' ' || r.rolname FROM pg_proc p, pg_roles r
                 WHERE p.pronamespace = 'sacrosanct'::regnamespace
                   AND p.prorettype = 'trigger'::regtype
                   AND r.rolname LIKE 'sacrosanct\_%'
                   AND has_function_privilege(r.oid, p.oid, 'EXECUTE') ORDER BY 1),
          '{}'::text[], 'no group role may attach a trigger function of the extension');

-- Every SECURITY DEFINER function pins search_path.
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'sacrosanct'::regnamespace AND p.prosecdef
                   AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%') ORDER BY 1),
          '{}'::text[], 'every SECURITY DEFINER function sets search_path');

-- As real members.
SET ROLE tap_reader;
SELECT lives_ok('SELECT count(*) FROM sacrosanct.resource_load', 'a reader reads resource_load');
SELECT lives_ok('SELECT count(*) FROM sacrosanct.promise_status', 'a reader reads promise_status');
SELECT lives_ok('SELECT count(*) FROM sacrosanct.quoted_lead_time', 'a reader reads quoted_lead_time');
SELECT lives_ok('SELECT count(*) FROM sacrosanct.on_time_delivery', 'a reader reads on_time_delivery');
SELECT lives_ok('SELECT count(*) FROM sacrosanct.schedule', 'a reader reads schedule');
SELECT lives_ok('SELECT count(*) FROM sacrosanct.gantt()', 'a reader draws the gantt');
SELECT throws_ok('SELECT count(*) FROM sacrosanct.demand', '42501', NULL, 'a reader cannot read demand');
SELECT throws_ok('SELECT count(*) FROM sacrosanct.orders', '42501', NULL, 'a reader cannot read orders');
SELECT throws_ok($$SELECT * FROM sacrosanct.quote('RPROD', 1, hold => '1 hour')$$, '42501', NULL,
                 'a reader cannot hold capacity with a quote');
RESET ROLE;

SET ROLE tap_sales;
SELECT lives_ok($$SELECT * FROM sacrosanct.quote('RPROD', 60)$$, 'sales quote');
SELECT lives_ok($$INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES ('TAP-S1', 'RPROD', 60, '2026-03-13')$$,
                'sales insert an order, planned by the guard');
SELECT throws_ok($$INSERT INTO sacrosanct.capacity_change (resource, days, minutes, reason) VALUES ('RRES', '[2026-03-02,2026-03-03)', 60, 'x')$$,
                 '42501', NULL, 'sales cannot add capacity through the table');
SELECT throws_ok($$SELECT sacrosanct.add_capacity('RRES', '[2026-03-02,2026-03-03)', 60, 'x')$$,
                 '42501', NULL, 'sales cannot call add_capacity()');
SELECT throws_ok($$UPDATE sacrosanct.routing SET run_minutes = 0$$, '42501', NULL, 'sales cannot change a routing');
SELECT throws_ok($$SELECT * FROM sacrosanct.replan('sales')$$, '42501', NULL, 'sales cannot replan');
SELECT throws_ok($$SET sacrosanct.today = '2030-01-01'$$, '42501', NULL, 'sales cannot move today');
SELECT throws_ok($$SET sacrosanct.horizon_days = 3660$$, '42501', NULL, 'sales cannot widen the horizon');
RESET ROLE;

SET ROLE tap_scheduler;
SELECT lives_ok($$SELECT sacrosanct.add_capacity('RRES', '[2026-03-02,2026-03-03)', 60, 'overtime')$$, 'a scheduler adds capacity');
SELECT lives_ok($$SELECT sacrosanct.complete_step('TAP-S1', 1)$$, 'a scheduler reports progress');
SELECT throws_ok($$DELETE FROM sacrosanct.load$$, '42501', NULL, 'a scheduler cannot write the load');
SELECT is((SELECT count(*) FROM sacrosanct.verify()), 0::bigint, 'verify() as a scheduler: no problems');
RESET ROLE;

-- Every view and every column of a view has a description for BI tools.
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind = 'v'
                   AND coalesce(obj_description(c.oid, 'pg_class'), '') = '' ORDER BY 1),
          '{}'::text[], 'every view has a COMMENT');
SELECT is(ARRAY(SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind = 'v'
                   AND a.attnum > 0 AND NOT a.attisdropped
                   AND coalesce(col_description(c.oid, a.attnum), '') = '' ORDER BY 1),
          '{}'::text[], 'every column of every view has a COMMENT');

-- ... and so has every table, column and function: doc/reference.md is
-- generated from these descriptions (doc/reference.sh).
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind IN ('r', 'p')
                   AND coalesce(obj_description(c.oid, 'pg_class'), '') = '' ORDER BY 1),
          '{}'::text[], 'every table has a COMMENT');
SELECT is(ARRAY(SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind IN ('r', 'p')
                   AND a.attnum > 0 AND NOT a.attisdropped
                   AND coalesce(col_description(c.oid, a.attnum), '') = '' ORDER BY 1),
          '{}'::text[], 'every column of every table has a COMMENT');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'sacrosanct'::regnamespace
                   AND coalesce(obj_description(p.oid, 'pg_proc'), '') = '' ORDER BY 1),
          '{}'::text[], 'every function has a COMMENT');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'sacrosanct'::regnamespace AND p.prorettype = 'trigger'::regtype
                   AND obj_description(p.oid, 'pg_proc') NOT LIKE 'Internal: %' ORDER BY 1),
          '{}'::text[], 'every trigger function''s COMMENT says it is internal');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace AND c.relkind = 'S'
                   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                      AND d.objid = c.oid AND d.deptype = 'i')
                   AND coalesce(obj_description(c.oid, 'pg_class'), '') = '' ORDER BY 1),
          '{}'::text[], 'every sequence but an identity column''s has a COMMENT');

SELECT * FROM finish();
ROLLBACK;
