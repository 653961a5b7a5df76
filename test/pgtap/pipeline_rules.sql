-- pipeline_rules.sql: every rule of the pipeline (DESIGN.md §4, issue 10),
-- allowed and refused, once through the functions and once through direct
-- DML (a CRM writing work_item and handoff), acted by real members of the
-- stage roles with SET ROLE.  The superuser only sets the stage.
--
-- pg_temp.refusal(sql) runs sql as the current role and returns
-- 'SQLSTATE: message' of the error it raised ('no error' otherwise); an
-- SC004 without a DETAIL or a HINT is reported as such.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS sacrosanct;
SET LOCAL sacrosanct.today = '2026-03-02';
SET LOCAL datestyle = 'ISO, YMD';

SELECT plan(107);
GRANT ALL ON __tcache__, __tcache___id_seq, __tresults___numb_seq TO PUBLIC;

CREATE FUNCTION pg_temp.refusal(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text;
    msg text;
    det text;
    hnt text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    IF st = 'SC004' AND (det = '' OR hnt = '') THEN
        RETURN st || ': ' || msg || ' (without DETAIL or HINT)';
    END IF;
    RETURN st || ': ' || msg;
END
$$;
CREATE FUNCTION pg_temp.refusal_detail(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    det text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS det = PG_EXCEPTION_DETAIL;
    RETURN det;
END
$$;

SELECT sacrosanct.default_pipeline();
SELECT sacrosanct.create_roles();
CREATE ROLE tap_mia LOGIN IN ROLE sacrosanct_marketing;
CREATE ROLE tap_sam LOGIN IN ROLE sacrosanct_sales;
CREATE ROLE tap_sue LOGIN IN ROLE sacrosanct_sales;
CREATE ROLE tap_eve LOGIN IN ROLE sacrosanct_engineering;
CREATE ROLE tap_stan LOGIN IN ROLE sacrosanct_scheduler;
CREATE ROLE tap_oli LOGIN IN ROLE sacrosanct_operations;
CREATE ROLE tap_cas LOGIN IN ROLE sacrosanct_customer_service;
CREATE ROLE tap_both LOGIN IN ROLE sacrosanct_marketing, sacrosanct_sales;
CREATE ROLE tap_nobody LOGIN;
GRANT USAGE ON SCHEMA sacrosanct TO tap_nobody;
GRANT EXECUTE ON FUNCTION sacrosanct.open_item(text, text, jsonb, regrole) TO tap_nobody;
GRANT INSERT, SELECT ON sacrosanct.work_item TO tap_nobody;
GRANT EXECUTE ON FUNCTION sacrosanct.pipeline_sees(text[], regrole) TO tap_nobody;

-- a plant and two backed orders: T-1 and T-2, 480 minutes each
INSERT INTO sacrosanct.calendar VALUES ('tap');
INSERT INTO sacrosanct.calendar_window SELECT 'tap', d, '08:00', '16:00' FROM generate_series(1, 5) d;
INSERT INTO sacrosanct.resource (code, calendar) VALUES ('TAP_LATHE', 'tap');
INSERT INTO sacrosanct.product (code) VALUES ('TAP_PART');
INSERT INTO sacrosanct.routing (product, step, resource, run_minutes) VALUES ('TAP_PART', 1, 'TAP_LATHE', 1);
INSERT INTO sacrosanct.orders (order_key, product, qty, promised) VALUES
    ('T-1', 'TAP_PART', 480, '2026-03-10'), ('T-2', 'TAP_PART', 480, '2026-03-10'),
    ('T-DONE', 'TAP_PART', 1, '2026-03-10');
UPDATE sacrosanct.orders SET status = 'done' WHERE order_key = 'T-DONE';

--------------------------------------------------------------------------------
-- Opening: members of a stage's role open items in their stage
--------------------------------------------------------------------------------
SET ROLE tap_mia;
SELECT sacrosanct.open_item('ACME', 'inquiry', '{"source": "fair"}') AS i1 \gset
SELECT is((SELECT stage FROM sacrosanct.work_item WHERE id = :i1), 'marketing',
          'open_item() opens in the caller''s stage');
SELECT is((SELECT opened_by::text FROM sacrosanct.work_item WHERE id = :i1), 'tap_mia',
          'opened_by is the current user');
SELECT lives_ok($$INSERT INTO sacrosanct.work_item (customer, title) VALUES ('DML Co', 'by CRM')$$,
                'a CRM opens an item with INSERT');
SELECT id AS i_dml FROM sacrosanct.work_item WHERE customer = 'DML Co' \gset
SELECT is((SELECT stage || ' ' || (id > :i1)::text FROM sacrosanct.work_item WHERE id = :i_dml),
          'marketing true', 'the INSERTed item is in the inserter''s stage, with an id from sacrosanct');
SELECT is(pg_temp.refusal($$INSERT INTO sacrosanct.work_item (customer, title, stage) VALUES ('X', 'y', 'sales')$$),
          'SC004: only members of sacrosanct_sales may open work items in stage "sales"',
          'INSERT into another stage is refused');
SET ROLE tap_nobody;
SELECT is(pg_temp.refusal($$SELECT sacrosanct.open_item('X', 'y')$$),
          'SC004: role tap_nobody owns no stage', 'open_item() by a role in no stage is refused');
SET ROLE tap_both;
SELECT is(pg_temp.refusal($$SELECT sacrosanct.open_item('X', 'y')$$),
          'SC004: role tap_both works in several stages: marketing, sales',
          'open_item() by a member of two stages must choose one');
SET ROLE sacrosanct_sales;
SELECT sacrosanct.open_item('BothCo', 'acting as sales') AS i_both \gset
SELECT is((SELECT stage FROM sacrosanct.work_item WHERE id = :i_both), 'sales',
          'SET ROLE to one stage''s role chooses it');
RESET ROLE;
SET ROLE tap_both;
SELECT lives_ok($$INSERT INTO sacrosanct.work_item (customer, title, stage) VALUES ('BothCo', 'named', 'marketing')$$,
                'an INSERT names the stage');

--------------------------------------------------------------------------------
-- Handing off: members of the owning stage, allowed transitions, context
--------------------------------------------------------------------------------
SET ROLE tap_sam;
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L)', :i1, 'sales')),
          'SC004: only members of sacrosanct_marketing may hand off work items in stage "marketing"',
          'hand_off() by a non-member of the owning stage is refused');
SELECT is(pg_temp.refusal(format('INSERT INTO sacrosanct.handoff (item, to_stage) VALUES (%s, %L)', :i1, 'sales')),
          'SC004: only members of sacrosanct_marketing may hand off work items in stage "marketing"',
          'INSERT INTO handoff by a non-member is refused');
SET ROLE tap_mia;
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L)', :i1, 'engineering')),
          'SC004: no handoff from stage "marketing" to stage "engineering"',
          'hand_off() outside the transitions is refused');
SELECT is(pg_temp.refusal(format('INSERT INTO sacrosanct.handoff (item, to_stage) VALUES (%s, %L)', :i1, 'operations')),
          'SC004: no handoff from stage "marketing" to stage "operations"',
          'INSERT outside the transitions is refused');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L)', :i1, 'marketing')),
          'SC004: work item ' || :i1 || ' is in stage "marketing" already',
          'an item is not handed to its own stage');
SELECT sacrosanct.hand_off(:i1, 'sales', '{"contact": "Jo"}') AS h1 \gset
SELECT is((SELECT stage FROM sacrosanct.work_item WHERE id = :i1), 'marketing',
          'while offered, the sender''s stage owns the item');
SELECT is((SELECT due_at - offered_at FROM sacrosanct.handoff WHERE id = :h1), interval '4 hours',
          'due_at = offered_at + the target stage''s accept_within');
SELECT is((SELECT from_stage || '>' || to_stage || ' ' || state || ' ' || offered_by FROM sacrosanct.handoff WHERE id = :h1),
          'marketing>sales offered tap_mia', 'the handoff row records from, to, state and who');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L)', :i1, 'sales')),
          'SC004: work item ' || :i1 || ' already has an open handoff',
          'a second offer of one item is refused');
SELECT is(pg_temp.refusal(format('INSERT INTO sacrosanct.handoff (item, to_stage) VALUES (%s, %L)', :i1, 'sales')),
          'SC004: work item ' || :i1 || ' already has an open handoff',
          'a second INSERT of an offer is refused');
SELECT lives_ok(format('INSERT INTO sacrosanct.handoff (item, to_stage, context) VALUES (%s, %L, %L)',
                       :i_dml, 'sales', '{"contact": "CRM"}'),
                'a CRM offers with INSERT');
SELECT id AS h_dml FROM sacrosanct.handoff WHERE item = :i_dml \gset
SELECT is((SELECT from_stage || ' ' || offered_by FROM sacrosanct.handoff WHERE id = :h_dml),
          'marketing tap_mia', 'the INSERT gets from_stage and offered_by from sacrosanct');
SELECT is(pg_temp.refusal(format('INSERT INTO sacrosanct.handoff (item, to_stage, from_stage) VALUES (%s, %L, %L)',
                                 :i_both, 'sales', 'sales')),
          'SC004: only members of sacrosanct_sales may hand off work items in stage "sales"',
          'from_stage cannot be faked');

--------------------------------------------------------------------------------
-- Accepting: only members of the target stage; exactly once
--------------------------------------------------------------------------------
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.accept(%s)', :h1)),
          'SC004: only members of sacrosanct_sales may accept handoffs to stage "sales"',
          'the sender cannot accept its own offer');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.handoff SET state = %L WHERE id = %s', 'accepted', :h1)),
          'SC004: only members of sacrosanct_sales may accept handoffs to stage "sales"',
          'nor with an UPDATE');
SET ROLE tap_eve;
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.accept(%s)', :h1)),
          'SC004: only members of sacrosanct_sales may accept handoffs to stage "sales"',
          'a member of another stage cannot accept (the row is hidden from it, the function says why)');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.handoff SET state = %L WHERE id = %s', 'accepted', :h1)),
          'no error', 'an UPDATE by a member of another stage finds no row (row-level security)');
SELECT is((SELECT state FROM sacrosanct.handoff WHERE id = :h1), NULL, '... and cannot read it either');
SET ROLE tap_sam;
SELECT lives_ok(format('SELECT sacrosanct.accept(%s)', :h1), 'a member of the target stage accepts');
SELECT is((SELECT stage || ' ' || coalesce(open_handoff::text, 'none') FROM sacrosanct.work_item WHERE id = :i1),
          'sales none', 'ownership moves on accept');
SELECT is((SELECT accepted_by::text FROM sacrosanct.handoff WHERE id = :h1), 'tap_sam', 'accepted_by is recorded');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.accept(%s)', :h1)),
          'SC004: handoff ' || :h1 || ' was accepted already', 'a handoff is accepted once');
SET ROLE tap_sue;
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.handoff SET state = %L WHERE id = %s', 'accepted', :h1)),
          'SC004: handoff ' || :h1 || ' was accepted already', 'also through UPDATE');
SELECT lives_ok(format('UPDATE sacrosanct.handoff SET state = %L WHERE id = %s', 'accepted', :h_dml),
                'a CRM accepts with UPDATE');
SELECT is((SELECT stage FROM sacrosanct.work_item WHERE id = :i_dml), 'sales', '... and the item moves');

--------------------------------------------------------------------------------
-- Required context
--------------------------------------------------------------------------------
SET ROLE tap_sam;
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L)', :i1, 'engineering')),
          'SC004: a handoff from "sales" to "engineering" needs context requirements',
          'sales -> engineering needs requirements');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L, %L)', :i1, 'engineering', '{"requirements": " "}')),
          'SC004: a handoff from "sales" to "engineering" needs context requirements',
          'a blank value is missing');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L, %L)', :i1, 'engineering', '{"requirements": []}')),
          'SC004: a handoff from "sales" to "engineering" needs context requirements',
          'an empty array is missing');
SELECT is(pg_temp.refusal(format('INSERT INTO sacrosanct.handoff (item, to_stage, context) VALUES (%s, %L, %L)',
                                 :i1, 'engineering', '{"requirements": null}')),
          'SC004: a handoff from "sales" to "engineering" needs context requirements',
          'a null value is missing, through INSERT too');
SELECT sacrosanct.hand_off(:i1, 'engineering', '{"requirements": "400 mm"}') AS h2 \gset
SELECT ok(:h2 > :h1, 'with the requirements, the offer is made');

--------------------------------------------------------------------------------
-- Returning: a reason is needed; the sender keeps the item
--------------------------------------------------------------------------------
SET ROLE tap_eve;
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.send_back(%s, NULL)', :h2)),
          '22004: reason must not be NULL', 'send_back() without a reason: 22004');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.send_back(%s, %L)', :h2, '')),
          '22023: reason must not be empty', 'send_back() with an empty reason: 22023');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.handoff SET state = %L WHERE id = %s', 'returned', :h2)),
          'SC004: a returned handoff needs a reason', 'a return through UPDATE needs a reason');
SET ROLE tap_sam;
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.send_back(%s, %L)', :h2, 'changed my mind')),
          'SC004: only members of sacrosanct_engineering may send back handoffs to stage "engineering"',
          'only the receiving stage sends back');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.handoff SET state = %L, returned_reason = %L WHERE id = %s',
                                 'returned', 'changed my mind', :h2)),
          'SC004: only members of sacrosanct_engineering may send back handoffs to stage "engineering"',
          'nor through UPDATE');
SET ROLE tap_eve;
SELECT lives_ok(format('SELECT sacrosanct.send_back(%s, %L)', :h2, 'which steel?'), 'a return with a reason');
SELECT is((SELECT stage || ' ' || coalesce(open_handoff::text, 'none') FROM sacrosanct.work_item WHERE id = :i1),
          'sales none', 'the sender keeps the item after a return (engineering still sees it: it touched it)');
RESET ROLE;
SELECT is((SELECT stage || ' ' || coalesce(open_handoff::text, 'none') FROM sacrosanct.work_item WHERE id = :i1),
          'sales none', 'the sender keeps the item after a return');
SELECT is((SELECT state || ' ' || returned_by || ' ' || returned_reason FROM sacrosanct.handoff WHERE id = :h2),
          'returned tap_eve which steel?', 'the return is recorded with who and why');
SET ROLE tap_sam;
SELECT sacrosanct.hand_off(:i1, 'engineering', '{"requirements": "400 mm, 42CrMo4"}') AS h3 \gset
SET ROLE tap_eve;
SELECT lives_ok(format('UPDATE sacrosanct.handoff SET state = %L, returned_reason = %L WHERE id = %s',
                       'returned', 'still unclear', :h3), 'a CRM returns with UPDATE and a reason');
SET ROLE tap_sam;
SELECT sacrosanct.hand_off(:i1, 'engineering', '{"requirements": "400 mm, 42CrMo4, drawing 7"}') AS h4 \gset
SET ROLE tap_eve;
SELECT sacrosanct.accept(:h4);
SELECT sacrosanct.hand_off(:i1, 'sales', '{"proposal": "P-1"}') AS h5 \gset
SET ROLE tap_sam;
SELECT sacrosanct.accept(:h5);

--------------------------------------------------------------------------------
-- History is never overwritten or deleted
--------------------------------------------------------------------------------
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.handoff SET state = %L WHERE id = %s', 'returned', :h1)),
          'SC004: handoff ' || :h1 || ' was accepted already', 'an answered handoff cannot be changed');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.handoff SET context = %L WHERE id = %s', '{}', :h3)),
          'SC004: handoff ' || :h3 || ' was returned already', 'nor its context');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.work_item SET stage = %L WHERE id = %s', 'scheduling', :i1)),
          'SC004: the stage of work item ' || :i1 || ' changes only when a handoff is accepted',
          'ownership cannot be moved with an UPDATE');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.work_item SET customer = %L WHERE id = %s', 'Other', :i1)),
          'SC004: column "customer" of a work item cannot be changed', 'a work item''s facts are history');
SELECT is(pg_temp.refusal(format('DELETE FROM sacrosanct.handoff WHERE id = %s', :h1)),
          '42501: permission denied for table handoff', 'members may not DELETE');
RESET ROLE;
SELECT is(pg_temp.refusal(format('DELETE FROM sacrosanct.handoff WHERE id = %s', :h1)),
          'SC004: rows of sacrosanct.handoff are never deleted', 'nobody deletes a handoff, the owner neither');
SELECT is(pg_temp.refusal(format('DELETE FROM sacrosanct.work_item WHERE id = %s', :i1)),
          'SC004: rows of sacrosanct.work_item are never deleted', 'nor a work item');
SELECT is(pg_temp.refusal('INSERT INTO sacrosanct.item_event (id, item, event, stage, at, session_user_name, current_user_name) VALUES (0, 1, ''opened'', ''sales'', now(), ''x'', ''y'')'),
          'SC004: table sacrosanct.item_event is written only by sacrosanct', 'item_event is written by sacrosanct only');
SELECT is(pg_temp.refusal('UPDATE sacrosanct.stage_visit SET left_at = NULL'),
          'SC004: table sacrosanct.stage_visit is written only by sacrosanct', 'so is stage_visit');
SELECT is(pg_temp.refusal('TRUNCATE sacrosanct.handoff, sacrosanct.work_item, sacrosanct.stage_visit, sacrosanct.item_event'),
          'SC004: cannot truncate sacrosanct.handoff', 'nothing is truncated');
SELECT is((SELECT string_agg(event || '@' || stage || ' by ' || current_user_name || '/' || session_user_name, ', ' ORDER BY id)
             FROM sacrosanct.item_event WHERE item = :i1 AND id <= (SELECT min(id) FROM sacrosanct.item_event WHERE handoff = :h3)),
          'opened@marketing by tap_mia/postgres, offered@sales by tap_mia/postgres, accepted@sales by tap_sam/postgres, offered@engineering by tap_sam/postgres, returned@sales by tap_eve/postgres, offered@engineering by tap_sam/postgres',
          'every change is journaled with current_user and session_user');
SELECT is((SELECT string_agg(stage || coalesce('<' || via_handoff::text, '') || CASE WHEN left_at IS NULL THEN '' ELSE ']' END, ' ' ORDER BY id)
             FROM sacrosanct.stage_visit WHERE item = :i1),
          'marketing] sales<' || :h1 || '] engineering<' || :h4 || '] sales<' || :h5,
          'the stays: each accept closes one and opens the next');

--------------------------------------------------------------------------------
-- WIP limits refuse accepts; offers still queue
--------------------------------------------------------------------------------
RESET ROLE;
UPDATE sacrosanct.stage SET wip_limit = 1 WHERE code = 'engineering';
SET ROLE tap_sam;
SELECT sacrosanct.open_item('W1', 'first') AS w1 \gset
SELECT sacrosanct.open_item('W2', 'second') AS w2 \gset
SELECT sacrosanct.hand_off(:w1, 'engineering', '{"requirements": "a"}') AS hw1 \gset
SELECT sacrosanct.hand_off(:w2, 'engineering', '{"requirements": "b"}') AS hw2 \gset
SELECT ok(:hw2 > 0, 'offers are made whatever the WIP');
SET ROLE tap_eve;
SELECT sacrosanct.accept(:hw1);
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.accept(%s)', :hw2)),
          'SC004: stage "engineering" is at its WIP limit', 'an accept beyond the WIP limit is refused');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.handoff SET state = %L WHERE id = %s', 'accepted', :hw2)),
          'SC004: stage "engineering" is at its WIP limit', 'also through UPDATE');
SELECT is(pg_temp.refusal_detail(format('SELECT sacrosanct.accept(%s)', :hw2)),
          'Stage "engineering" holds 1 open work items and its WIP limit is 1; accepting one more would make 2.',
          'the refusal names the stage''s count and limit');
SELECT is((SELECT items || ' queued ' || queued || ' ' || over_wip_limit FROM sacrosanct.pipeline_wip WHERE stage = 'engineering'),
          '1 queued 1 false', 'pipeline_wip shows the queue in front of the stage');
SELECT sacrosanct.hand_off(:w1, 'sales', '{"proposal": "W"}') AS hw1b \gset
SET ROLE tap_sam;
SELECT sacrosanct.accept(:hw1b);
SET ROLE tap_eve;
SELECT lives_ok(format('SELECT sacrosanct.accept(%s)', :hw2), 'once a place is free, the queued offer is accepted');
RESET ROLE;
UPDATE sacrosanct.stage SET wip_limit = 0 WHERE code = 'engineering';
SELECT is((SELECT over_wip_limit FROM sacrosanct.pipeline_wip WHERE stage = 'engineering'), true,
          'a limit lowered under the stage shows as over_wip_limit');
UPDATE sacrosanct.stage SET wip_limit = 0 WHERE code = 'marketing';
SET ROLE tap_mia;
SELECT is(pg_temp.refusal($$SELECT sacrosanct.open_item('Z', 'one too many')$$),
          'SC004: stage "marketing" is at its WIP limit', 'opening into a full stage is refused too');
RESET ROLE;
UPDATE sacrosanct.stage SET wip_limit = NULL WHERE code IN ('engineering', 'marketing');

--------------------------------------------------------------------------------
-- Into operations only with a backed order, recorded on the item
--------------------------------------------------------------------------------
SET ROLE tap_sam;
SELECT sacrosanct.hand_off(:i1, 'scheduling', '{"proposal": "P-1"}') AS h6 \gset
SET ROLE tap_stan;
SELECT sacrosanct.accept(:h6);
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L)', :i1, 'operations')),
          'SC004: a handoff from "scheduling" to "operations" needs context order_key',
          'scheduling -> operations needs an order_key');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L, %L)', :i1, 'operations', '{"order_key": "NOPE"}')),
          'SC004: order "NOPE" is not an open order the schedule backs', 'an unknown order is refused');
SELECT is(pg_temp.refusal_detail(format('SELECT sacrosanct.hand_off(%s, %L, %L)', :i1, 'operations', '{"order_key": "T-DONE"}')),
          'No open order of a guarded table has the key "T-DONE".', 'a done order is not open');
SELECT is(pg_temp.refusal_detail(format('INSERT INTO sacrosanct.handoff (item, to_stage, context) VALUES (%s, %L, %L)',
                                        :i1, 'operations', '{"order_key": "T-1", "order_table": "pg_catalog.pg_class"}')),
          'Order "T-1" is an order of orders, not of pg_class.', 'order_table must be the order''s guarded table');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L, %L)', :i1, 'operations',
                                 '{"order_key": "T-1", "order_table": "no_such_table"}')),
          '42P01: order_table "no_such_table" of the handoff''s context does not exist', 'an order_table that does not exist');
RESET ROLE;
SET LOCAL sacrosanct.today = '2026-03-11';
SET ROLE tap_stan;
SELECT is(pg_temp.refusal_detail(format('SELECT sacrosanct.hand_off(%s, %L, %L)', :i1, 'operations', '{"order_key": "T-1"}')),
          'Order "T-1" is late: it was promised for 2026-03-10 and today is 2026-03-11.', 'a late order is refused');
RESET ROLE;
SET LOCAL sacrosanct.today = '2026-03-02';
SET ROLE tap_stan;
SELECT sacrosanct.hand_off(:i1, 'operations', '{"order_key": "T-1", "order_table": "sacrosanct.orders"}') AS h7 \gset
SELECT is((SELECT order_key || ' ' || order_table::text FROM sacrosanct.work_item WHERE id = :i1),
          'T-1 sacrosanct.orders', 'the order is recorded on the item');
RESET ROLE;
SET LOCAL sacrosanct.today = '2026-03-11';
SET ROLE tap_oli;
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.accept(%s)', :h7)),
          'SC004: order "T-1" is not an open order the schedule backs',
          'operations accepts only while the order is still backed');
RESET ROLE;
SET LOCAL sacrosanct.today = '2026-03-02';
SET ROLE tap_oli;
SELECT lives_ok(format('SELECT sacrosanct.accept(%s)', :h7), 'a backed order is accepted into operations');
SET ROLE tap_sam;
SELECT sacrosanct.hand_off(:w1, 'scheduling', '{}') AS hw1c \gset
SET ROLE tap_stan;
SELECT sacrosanct.accept(:hw1c);
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L, %L)', :w1, 'operations', '{"order_key": "T-1"}')),
          'SC004: order "T-1" is already on work item ' || :i1, 'one open work item carries an order');
SELECT lives_ok(format('INSERT INTO sacrosanct.handoff (item, to_stage, context) VALUES (%s, %L, %L)',
                       :w1, 'operations', '{"order_key": "T-2"}'), 'a CRM offers into operations with a backed order');

--------------------------------------------------------------------------------
-- Closing: the owning stage, nothing open; a closed item accepts nothing
--------------------------------------------------------------------------------
SET ROLE tap_oli;
SELECT sacrosanct.hand_off(:i1, 'customer_service', '{"invoice": "I-1"}') AS h8 \gset
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.close_item(%s, %L)', :i1, 'delivered')),
          'SC004: work item ' || :i1 || ' has an open handoff', 'no closing while a handoff is open');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.work_item SET outcome = %L WHERE id = %s', 'delivered', :i1)),
          'SC004: work item ' || :i1 || ' has an open handoff', 'nor through UPDATE');
SET ROLE tap_cas;
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.close_item(%s, %L)', :i1, 'delivered')),
          'SC004: only members of sacrosanct_operations may close work items in stage "operations"',
          'only the owning stage closes');
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.work_item SET outcome = %L WHERE id = %s', 'delivered', :i1)),
          'SC004: only members of sacrosanct_operations may close work items in stage "operations"',
          'also through UPDATE');
SELECT sacrosanct.accept(:h8);
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.work_item SET outcome = %L WHERE id = %s', 'delivered', :i_dml)),
          'no error', 'an UPDATE of an item the role cannot see changes nothing');
SELECT lives_ok(format('SELECT sacrosanct.close_item(%s, %L)', :i1, 'delivered'), 'the owning stage closes');
SELECT is((SELECT outcome || ' ' || closed_by FROM sacrosanct.work_item WHERE id = :i1), 'delivered tap_cas',
          'closed_by is recorded');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.close_item(%s, %L)', :i1, 'again')),
          'SC004: work item ' || :i1 || ' is closed', 'a closed item is not closed again');
SELECT is(pg_temp.refusal(format('SELECT sacrosanct.hand_off(%s, %L)', :i1, 'scheduling')),
          'SC004: work item ' || :i1 || ' is closed', 'a closed item accepts no handoff');
SELECT is(pg_temp.refusal(format('INSERT INTO sacrosanct.handoff (item, to_stage) VALUES (%s, %L)', :i1, 'sales')),
          'SC004: work item ' || :i1 || ' is closed', 'nor an INSERT');
SET ROLE tap_sue;
SELECT lives_ok(format('UPDATE sacrosanct.work_item SET outcome = %L WHERE id = %s', 'lost', :i_dml),
                'a CRM closes with UPDATE');
SELECT is((SELECT closed_by::text FROM sacrosanct.work_item WHERE id = :i_dml), 'tap_sue', '... recorded');
SELECT is((SELECT left_at IS NOT NULL FROM sacrosanct.stage_visit WHERE item = :i_dml AND via_handoff = :h_dml), true,
          'closing ends the last stay');

--------------------------------------------------------------------------------
-- Accountable: stays through every handoff; changed only by the owners
--------------------------------------------------------------------------------
SET ROLE tap_mia;
SELECT sacrosanct.open_item('Acc Co', 'account', '{}', 'sacrosanct_operations') AS ia \gset
SELECT sacrosanct.hand_off(:ia, 'sales') AS ha \gset
SET ROLE tap_sam;
SELECT sacrosanct.accept(:ha);
SELECT is((SELECT accountable::text FROM sacrosanct.work_item WHERE id = :ia), 'sacrosanct_operations',
          'accountable stays through handoffs');
SET ROLE tap_oli;
SELECT is((SELECT stage FROM sacrosanct.work_item WHERE id = :ia), 'sales', 'the accountable role sees the item');
SET ROLE tap_sam;
SELECT lives_ok(format('UPDATE sacrosanct.work_item SET accountable = %L WHERE id = %s', 'sacrosanct_customer_service', :ia),
                'the owning stage may change who is accountable');
SET ROLE tap_oli;
SELECT is((SELECT count(*) FROM sacrosanct.work_item WHERE id = :ia), 0::bigint,
          'the former accountable role no longer sees the item');
SET ROLE tap_cas;
SELECT lives_ok(format('UPDATE sacrosanct.work_item SET accountable = %L WHERE id = %s', 'tap_cas', :ia),
                'the accountable role may name a person accountable');
SET ROLE tap_eve;
SELECT is(pg_temp.refusal(format('UPDATE sacrosanct.work_item SET accountable = %L WHERE id = %s', 'sacrosanct_engineering', :w1)),
          'SC004: only members of the owning stage''s role or of the accountable role may change who is accountable',
          'others may not');
RESET ROLE;
SELECT is((SELECT string_agg(detail::text, ' ' ORDER BY id) FROM sacrosanct.item_event WHERE item = :ia AND event = 'accountable'),
          '{"to": "sacrosanct_customer_service", "from": "sacrosanct_operations"} {"to": "tap_cas", "from": "sacrosanct_customer_service"}',
          'each change is journaled');

--------------------------------------------------------------------------------
-- escalate(): late offers and stays past complete_within, once each
--------------------------------------------------------------------------------
SELECT count(*) AS before FROM sacrosanct.escalate() \gset
UPDATE sacrosanct.stage SET accept_within = '1 microsecond' WHERE code = 'marketing';
UPDATE sacrosanct.stage SET complete_within = '1 microsecond' WHERE code = 'scheduling';
SET ROLE tap_sam;
SELECT sacrosanct.open_item('Late Co', 'nurture') AS il \gset
SELECT sacrosanct.hand_off(:il, 'marketing') AS hl \gset
RESET ROLE;
-- escalate() compares with the start of its own statement
SELECT pg_sleep(0.002);
SET ROLE tap_stan;
SELECT is(array(SELECT sacrosanct.escalate()), ARRAY[:hl, :w1]::bigint[],
          'escalate() returns the late offer and the item past complete_within in scheduling');
SELECT is(array(SELECT sacrosanct.escalate()), '{}'::bigint[], 'once each');
SELECT is((SELECT escalated_at IS NOT NULL FROM sacrosanct.handoff WHERE id = :hl), true, 'the offer is marked');
SELECT is((SELECT string_agg(event || '@' || stage || ' by ' || current_user_name, ', ' ORDER BY id)
             FROM sacrosanct.item_event WHERE event IN ('escalated', 'overdue') AND item IN (:hl, :il, :w1)),
          'escalated@marketing by tap_stan, overdue@scheduling by tap_stan', 'escalations are journaled');
SELECT is((SELECT string_agg(clock || ' ' || stage, ', ' ORDER BY clock) FROM sacrosanct.sla_breach WHERE escalated_at IS NOT NULL),
          'accept marketing, complete scheduling', 'sla_breach shows both clocks');
SET ROLE tap_mia;
SELECT is(pg_temp.refusal('SELECT sacrosanct.escalate()'),
          '42501: permission denied for function escalate', 'escalate() is the scheduler''s (and pg_cron''s)');
SELECT is(:before::int, 0, 'nothing was late before');

SELECT * FROM finish();
ROLLBACK;
