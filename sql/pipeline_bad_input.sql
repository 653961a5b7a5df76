-- Bad input to the pipeline: unknown stages, items and handoffs; NULL or
-- empty reasons and outcomes; a context that is not a JSON object; a role
-- that does not exist.  Each is refused with the standard SQLSTATE that
-- fits and a clear message, and nothing is half-written: after each,
-- pg_temp.written() names the pipeline tables whose contents changed since
-- the previous call, or says "nothing written".
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS sacrosanct CASCADE;
DROP ROLE IF EXISTS bi_mia, bi_sam, bi_eve;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
\set SHOW_CONTEXT never
\set VERBOSITY default
CREATE EXTENSION sacrosanct;
SELECT sacrosanct.default_pipeline();
SELECT sacrosanct.create_roles();
CREATE ROLE bi_mia LOGIN IN ROLE sacrosanct_marketing;
CREATE ROLE bi_sam LOGIN IN ROLE sacrosanct_sales;
CREATE ROLE bi_eve LOGIN IN ROLE sacrosanct_engineering;

CREATE TEMP TABLE fingerprint (tbl text PRIMARY KEY, md5 text);
CREATE FUNCTION pg_temp.written() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    t text;
    h text;
    changed text[] := '{}';
BEGIN
    FOREACH t IN ARRAY ARRAY['stage', 'transition', 'work_item', 'handoff', 'stage_visit',
                             'item_event'] LOOP
        EXECUTE format('SELECT md5(coalesce(string_agg(x::text, E''\n'' ORDER BY x::text COLLATE "C"), ''''))
                          FROM sacrosanct.%I x', t) INTO h;
        IF NOT EXISTS (SELECT FROM fingerprint f WHERE f.tbl = t AND f.md5 = h) THEN
            changed := changed || t;
            INSERT INTO fingerprint VALUES (t, h) ON CONFLICT (tbl) DO UPDATE SET md5 = h;
        END IF;
    END LOOP;
    RETURN CASE WHEN changed = '{}' THEN 'nothing written'
                ELSE 'written: ' || array_to_string(changed, ', ') END;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.written() TO PUBLIC;
GRANT ALL ON fingerprint TO PUBLIC;

-- One case in marketing, offered to sales.
SET ROLE bi_mia;
SELECT sacrosanct.open_item('ACME', 'inquiry') AS item \gset
SELECT sacrosanct.hand_off(:item, 'sales') AS h \gset
RESET ROLE;
SELECT pg_temp.written() IS NOT NULL AS baseline_taken;

--------------------------------------------------------------------------------
-- open_item() and INSERT INTO work_item
--------------------------------------------------------------------------------
SET ROLE bi_mia;
SELECT sacrosanct.open_item(NULL, 'inquiry');
SELECT sacrosanct.open_item('', 'inquiry');
SELECT sacrosanct.open_item('ACME', '  ');
SELECT sacrosanct.open_item('ACME', 'inquiry', NULL);
SELECT sacrosanct.open_item('ACME', 'inquiry', '["not", "an", "object"]');
SELECT sacrosanct.open_item('ACME', 'inquiry', '"a string"');
SELECT sacrosanct.open_item('ACME', 'inquiry', '{}', 'nobody');
SELECT sacrosanct.open_item('ACME', 'inquiry', '{}', 4242::oid::regrole);
INSERT INTO sacrosanct.work_item (customer, title, stage) VALUES ('ACME', 'inquiry', 'nowhere');
INSERT INTO sacrosanct.work_item (customer, title) VALUES (NULL, 'inquiry');
INSERT INTO sacrosanct.work_item (customer, title) VALUES ('', 'inquiry');
INSERT INTO sacrosanct.work_item (customer, title, context) VALUES ('ACME', 'inquiry', '17');
INSERT INTO sacrosanct.work_item (customer, title, accountable) VALUES ('ACME', 'inquiry', 'nobody');
INSERT INTO sacrosanct.work_item (id, customer, title) VALUES (99, 'ACME', 'inquiry');
INSERT INTO sacrosanct.work_item (customer, title, outcome) VALUES ('ACME', 'inquiry', 'won');
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- hand_off() and INSERT INTO handoff
--------------------------------------------------------------------------------
SELECT sacrosanct.hand_off(NULL, 'sales');
SELECT sacrosanct.hand_off(:item, NULL);
SELECT sacrosanct.hand_off(:item, 'sales', NULL);
SELECT sacrosanct.hand_off(424242, 'sales');
SELECT sacrosanct.hand_off(:item, 'nowhere');
SELECT sacrosanct.hand_off(:item, 'sales', '[]');
INSERT INTO sacrosanct.handoff (item, to_stage) VALUES (424242, 'sales');
INSERT INTO sacrosanct.handoff (item, to_stage) VALUES (:item, 'nowhere');
INSERT INTO sacrosanct.handoff (item, to_stage, context) VALUES (:item, 'sales', 'null');
INSERT INTO sacrosanct.handoff (item, to_stage, offered_by) VALUES (:item, 'sales', 'bi_sam');
INSERT INTO sacrosanct.handoff (item, to_stage, state) VALUES (:item, 'sales', 'accepted');
INSERT INTO sacrosanct.handoff (item, to_stage, by_sacrosanct) VALUES (:item, 'sales', true);
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- accept(), send_back() and UPDATE of handoff
--------------------------------------------------------------------------------
SET ROLE bi_sam;
SELECT sacrosanct.accept(NULL);
SELECT sacrosanct.accept(424242);
SELECT sacrosanct.send_back(424242, 'wrong customer');
SELECT sacrosanct.send_back(:h, NULL);
SELECT sacrosanct.send_back(:h, '');
SELECT sacrosanct.send_back(:h, E' \t ');
UPDATE sacrosanct.handoff SET state = 'returned' WHERE id = :h;
UPDATE sacrosanct.handoff SET state = 'returned', returned_reason = ' ' WHERE id = :h;
UPDATE sacrosanct.handoff SET state = 'lost' WHERE id = :h;
UPDATE sacrosanct.handoff SET state = 'accepted', returned_reason = 'why not' WHERE id = :h;
UPDATE sacrosanct.handoff SET to_stage = 'engineering' WHERE id = :h;
UPDATE sacrosanct.handoff SET accepted_by = 'bi_sam' WHERE id = :h;
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- close_item() and UPDATE of work_item
--------------------------------------------------------------------------------
SET ROLE bi_mia;
SELECT sacrosanct.close_item(NULL, 'lost');
SELECT sacrosanct.close_item(424242, 'lost');
SELECT sacrosanct.close_item(:item, NULL);
SELECT sacrosanct.close_item(:item, '');
UPDATE sacrosanct.work_item SET outcome = '' WHERE id = :item;
UPDATE sacrosanct.work_item SET accountable = 'nobody' WHERE id = :item;
UPDATE sacrosanct.work_item SET accountable = 4242::oid::regrole WHERE id = :item;
UPDATE sacrosanct.work_item SET title = 'renamed' WHERE id = :item;
UPDATE sacrosanct.work_item SET stage = 'sales' WHERE id = :item;
UPDATE sacrosanct.work_item SET closed_at = now() WHERE id = :item;
SELECT pg_temp.written();

--------------------------------------------------------------------------------
-- stage and transition (administrators)
--------------------------------------------------------------------------------
RESET ROLE;
INSERT INTO sacrosanct.stage (code) VALUES ('Field Sales');
INSERT INTO sacrosanct.stage (code, role) VALUES ('field', 'nobody');
INSERT INTO sacrosanct.stage (code, accept_within) VALUES ('field', '-1 hour');
INSERT INTO sacrosanct.stage (code, complete_within) VALUES ('field', '0');
INSERT INTO sacrosanct.stage (code, wip_limit) VALUES ('field', -1);
INSERT INTO sacrosanct.transition VALUES ('sales', 'nowhere');
INSERT INTO sacrosanct.transition VALUES ('sales', 'sales');
INSERT INTO sacrosanct.transition VALUES ('marketing', 'engineering', '{requirements, NULL}');
INSERT INTO sacrosanct.transition VALUES ('marketing', 'engineering', '{""}');
DELETE FROM sacrosanct.stage WHERE code = 'sales';
SELECT pg_temp.written();

-- The case is as it was: in marketing, offered to sales.
SELECT w.id = :item AS the_case, w.stage, h.to_stage, h.state
  FROM sacrosanct.work_item w JOIN sacrosanct.handoff h ON h.id = w.open_handoff;

DROP EXTENSION sacrosanct;
DROP ROLE bi_mia, bi_sam, bi_eve;
