-- pipeline_rls.sql: who sees what of the pipeline (row-level security), as
-- real members of the roles create_roles() makes, through the tables and
-- through the four pipeline views; what sacrosanct_reader may touch.
--
-- Three cases: A opened by marketing and accepted by sales (marketing
-- touched it, sales holds it); B opened by sales and offered to
-- engineering (not yet accepted); C opened by customer service with
-- operations accountable.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
SELECT count(*) AS roles_before FROM pg_roles \gset
CREATE EXTENSION sacrosanct;
SELECT count(*) AS roles_after FROM pg_roles \gset

SELECT plan(43);
GRANT ALL ON __tcache__, __tcache___id_seq, __tresults___numb_seq TO PUBLIC;

SELECT sacrosanct.default_pipeline();
SELECT sacrosanct.create_roles();
CREATE ROLE rls_mia LOGIN IN ROLE sacrosanct_marketing;
CREATE ROLE rls_sam LOGIN IN ROLE sacrosanct_sales;
CREATE ROLE rls_eve LOGIN IN ROLE sacrosanct_engineering;
CREATE ROLE rls_oli LOGIN IN ROLE sacrosanct_operations;
CREATE ROLE rls_cas LOGIN IN ROLE sacrosanct_customer_service;
CREATE ROLE rls_stan LOGIN IN ROLE sacrosanct_scheduler;
CREATE ROLE rls_bi LOGIN IN ROLE sacrosanct_reader;

SET ROLE rls_mia;
SELECT sacrosanct.open_item('A Co', 'case A') AS a \gset
SELECT sacrosanct.hand_off(:a, 'sales') AS ha \gset
SET ROLE rls_sam;
SELECT sacrosanct.accept(:ha);
SELECT sacrosanct.open_item('B Co', 'case B') AS b \gset
SELECT sacrosanct.hand_off(:b, 'engineering', '{"requirements": "x"}') AS hb \gset
SET ROLE rls_cas;
SELECT sacrosanct.open_item('C Co', 'case C', '{}', 'sacrosanct_operations') AS c \gset
RESET ROLE;

CREATE FUNCTION pg_temp.seen(tbl text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE format('SELECT coalesce(string_agg(DISTINCT customer, '','' ORDER BY customer), ''none'') FROM %s', tbl)
       INTO r;
    RETURN r;
END
$$;
CREATE TEMP VIEW item_customer AS
    SELECT w.id, w.customer FROM sacrosanct.work_item w;
-- what each role sees of work items, handoffs, stays and events, by customer
CREATE FUNCTION pg_temp.sees(what text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE what
        WHEN 'work_item' THEN pg_temp.seen('sacrosanct.work_item')
        WHEN 'handoff' THEN (SELECT coalesce(string_agg(DISTINCT w.customer, ',' ORDER BY w.customer), 'none')
                               FROM sacrosanct.handoff h JOIN sacrosanct.work_item w ON w.id = h.item)
        WHEN 'stage_visit' THEN (SELECT coalesce(string_agg(DISTINCT w.customer, ',' ORDER BY w.customer), 'none')
                               FROM sacrosanct.stage_visit v JOIN sacrosanct.work_item w ON w.id = v.item)
        WHEN 'item_event' THEN (SELECT coalesce(string_agg(DISTINCT w.customer, ',' ORDER BY w.customer), 'none')
                               FROM sacrosanct.item_event e JOIN sacrosanct.work_item w ON w.id = e.item)
        WHEN 'item_journey' THEN pg_temp.seen('sacrosanct.item_journey')
    END
$$;

--------------------------------------------------------------------------------
-- Stage members: items in their stage, offered to it, or that were in it
--------------------------------------------------------------------------------
SET ROLE rls_mia;
SELECT is(pg_temp.sees('work_item'), 'A Co', 'marketing sees the case it touched, not the others');
SELECT is(pg_temp.sees('handoff'), 'A Co', '... and its handoffs');
SELECT is(pg_temp.sees('stage_visit'), 'A Co', '... its stays');
SELECT is(pg_temp.sees('item_event'), 'A Co', '... its events');
SELECT is(pg_temp.sees('item_journey'), 'A Co', '... and its journey in the view');
SET ROLE rls_sam;
SELECT is(pg_temp.sees('work_item'), 'A Co,B Co', 'sales sees the cases it holds');
SELECT is(pg_temp.sees('handoff'), 'A Co,B Co', '... and their handoffs');
SET ROLE rls_eve;
SELECT is(pg_temp.sees('work_item'), 'B Co', 'engineering sees the case offered to it');
SELECT is(pg_temp.sees('item_journey'), 'B Co', '... in the views too');
SELECT is((SELECT string_agg(stage || ':' || items || '/' || queued, ' ' ORDER BY stage)
             FROM sacrosanct.pipeline_wip WHERE items > 0 OR queued > 0),
          'engineering:0/1 sales:1/0', 'pipeline_wip counts only what the role sees');
SET ROLE rls_oli;
SELECT is(pg_temp.sees('work_item'), 'C Co', 'operations sees the case it is accountable for');
SET ROLE rls_cas;
SELECT is(pg_temp.sees('work_item'), 'C Co', 'customer service sees its own case');
SELECT is(pg_temp.sees('handoff'), 'none', '... which has no handoff');

--------------------------------------------------------------------------------
-- Schedulers see everything
--------------------------------------------------------------------------------
SET ROLE rls_stan;
SELECT is(pg_temp.sees('work_item'), 'A Co,B Co,C Co', 'a scheduler sees every case');
SELECT is(pg_temp.sees('handoff'), 'A Co,B Co', '... every handoff');
SELECT is(pg_temp.sees('item_event'), 'A Co,B Co,C Co', '... every event');
SELECT is((SELECT sum(handoffs)::int FROM sacrosanct.handoff_latency), 2, '... and the whole pipeline in the views');

--------------------------------------------------------------------------------
-- Seeing follows the journey
--------------------------------------------------------------------------------
SET ROLE rls_eve;
SELECT sacrosanct.accept(:hb);
SELECT sacrosanct.hand_off(:b, 'sales', '{"proposal": "P"}') AS hb2 \gset
SET ROLE rls_sam;
SELECT sacrosanct.accept(:hb2);
SELECT sacrosanct.hand_off(:b, 'scheduling') AS hb3 \gset
SET ROLE rls_eve;
SELECT is(pg_temp.sees('work_item'), 'B Co', 'engineering still sees the case it worked on');
SET ROLE rls_mia;
SELECT is(pg_temp.sees('work_item'), 'A Co', 'marketing never saw B');

--------------------------------------------------------------------------------
-- The reader: the views, all of them, and nothing else
--------------------------------------------------------------------------------
SET ROLE rls_bi;
SELECT is(pg_temp.seen('sacrosanct.item_journey'), 'A Co,B Co,C Co', 'the reader sees every journey through the view');
SELECT is((SELECT count(*)::int FROM sacrosanct.pipeline_wip), 6, 'pipeline_wip: one row per stage');
SELECT is((SELECT sum(handoffs)::int FROM sacrosanct.handoff_latency), 4, 'handoff_latency: every handoff');
SELECT lives_ok('SELECT * FROM sacrosanct.sla_breach', 'sla_breach is readable');
SELECT throws_ok('SELECT * FROM sacrosanct.work_item', '42501', NULL, 'the reader cannot read work_item');
SELECT throws_ok('SELECT * FROM sacrosanct.handoff', '42501', NULL, '... nor handoff');
SELECT throws_ok('SELECT * FROM sacrosanct.item_event', '42501', NULL, '... nor item_event');
SELECT throws_ok('SELECT * FROM sacrosanct.stage_visit', '42501', NULL, '... nor stage_visit');
SELECT throws_ok($$SELECT sacrosanct.open_item('x', 'y')$$, '42501', NULL, '... and cannot open a case');
SELECT throws_ok('SELECT sacrosanct.escalate()', '42501', NULL, '... nor escalate');
RESET ROLE;
-- every pipeline object, from the catalog: the reader may SELECT exactly the
-- pipeline's views, execute only the visibility predicate, write nothing
SELECT is(array(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace
                   AND c.relname IN ('stage', 'transition', 'work_item', 'handoff', 'stage_visit', 'item_event',
                                     'pipeline_id', 'pipeline_log_id', 'pipeline_wip', 'handoff_latency',
                                     'sla_breach', 'item_journey')
                   AND has_table_privilege('sacrosanct_reader', c.oid, 'SELECT')
                 ORDER BY 1),
          ARRAY['handoff_latency', 'item_journey', 'pipeline_wip', 'sla_breach'],
          'sacrosanct_reader may SELECT the four pipeline views and no pipeline table or sequence');
SELECT is(array(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace
                   AND (has_table_privilege('sacrosanct_reader', c.oid, 'INSERT')
                        OR has_table_privilege('sacrosanct_reader', c.oid, 'UPDATE')
                        OR has_table_privilege('sacrosanct_reader', c.oid, 'DELETE'))),
          '{}'::text[], 'sacrosanct_reader may write no relation of the schema');
SELECT is(array(SELECT p.oid::regprocedure::text FROM pg_proc p
                  JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
                 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'sacrosanct')
                   AND p.proname IN ('open_item', 'hand_off', 'accept', 'send_back', 'close_item', 'escalate',
                                     'default_pipeline', 'create_roles', 'pipeline_sees', 'work_item_rules',
                                     'work_item_journal', 'handoff_rules', 'handoff_journal', 'pipeline_history')
                   AND has_function_privilege('sacrosanct_reader', p.oid, 'EXECUTE')),
          ARRAY['sacrosanct.pipeline_sees(text[],regrole)'],
          'of the pipeline''s functions the reader executes only the visibility predicate');
SELECT is(array(SELECT p.oid::regprocedure::text FROM pg_proc p
                  JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
                 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'sacrosanct')
                   AND p.proname IN ('open_item', 'hand_off', 'accept', 'send_back', 'close_item', 'escalate',
                                     'default_pipeline', 'create_roles', 'pipeline_sees', 'work_item_rules',
                                     'work_item_journal', 'handoff_rules', 'handoff_journal', 'pipeline_history')
                   AND has_function_privilege('public', p.oid, 'EXECUTE')),
          '{}'::text[], 'PUBLIC executes none of the pipeline''s functions');
SELECT is(array(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace
                   AND c.relname IN ('work_item', 'handoff', 'stage_visit', 'item_event')
                   AND c.relrowsecurity ORDER BY 1),
          ARRAY['handoff', 'item_event', 'stage_visit', 'work_item'], 'row-level security is on for every pipeline table');
-- every view column has a comment a BI tool can show
SELECT is(array(SELECT c.relname || '.' || a.attname FROM pg_class c
                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace
                   AND c.relname IN ('pipeline_wip', 'handoff_latency', 'sla_breach', 'item_journey')
                   AND col_description(c.oid, a.attnum) IS NULL),
          '{}'::text[], 'every column of the pipeline views has a comment');
SELECT is(array(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace
                   AND c.relname IN ('pipeline_wip', 'handoff_latency', 'sla_breach', 'item_journey')
                   AND obj_description(c.oid, 'pg_class') IS NULL),
          '{}'::text[], 'every pipeline view has a comment');
SELECT is(array(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'sacrosanct'::regnamespace
                   AND c.relname IN ('pipeline_wip', 'handoff_latency', 'sla_breach', 'item_journey')
                   AND NOT coalesce(c.reloptions @> '{security_barrier=true}', false)),
          '{}'::text[], 'every pipeline view is a security barrier');

--------------------------------------------------------------------------------
-- CREATE EXTENSION made no role; create_roles() is harmless twice
--------------------------------------------------------------------------------
SELECT is(:roles_after::int, :roles_before::int, 'CREATE EXTENSION creates no role');
SELECT lives_ok('SELECT sacrosanct.create_roles()', 'create_roles() again');
SELECT lives_ok('SELECT sacrosanct.default_pipeline()', 'default_pipeline() again');
SELECT is((SELECT count(*)::int FROM sacrosanct.stage), 6, 'still six stages');
SELECT is((SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles
            WHERE rolname LIKE 'sacrosanct\_%' AND rolcanlogin), NULL, 'the group roles cannot log in');
SELECT ok(pg_has_role('sacrosanct_scheduler', 'sacrosanct_scheduling', 'USAGE'),
          'schedulers work the scheduling stage');

SELECT * FROM finish();
ROLLBACK;
