-- bench/pipeline_gen.sql: a pipeline with a history, for bench/pipeline.sh.
--
--   psql -v items=100000 -f bench/pipeline_gen.sql
--
-- :items work items with ten handoffs each (1,000,000 handoff rows at
-- 100,000 items), their stays and their journal, written in bulk by a
-- superuser with session_replication_role = replica, so that the triggers
-- (which would take an hour to replay the history one handoff at a time)
-- stand aside: the rows are what the triggers would have written.  Every
-- journey is the same ten hops over 20 hours, 25 days ago:
--
--    1 marketing -> sales        accepted   6 marketing -> sales       accepted
--    2 sales -> engineering      returned   7 sales -> engineering     accepted
--    3 sales -> engineering      accepted   8 engineering -> sales     accepted
--    4 engineering -> sales      accepted   9 sales -> scheduling      returned
--    5 sales -> marketing        accepted  10 sales -> scheduling      (by class)
--
-- and the tenth decides where the item is now (by id modulo 20):
--    0-11  returned: in sales, nothing open (60%: what hand_off() takes)
--   12-15  accepted: in scheduling, escalated long ago past complete_within,
--          but 200 of them not yet (escalate() has those to do)
--   16-18  offered an hour ago, due in three (15%), but 1,000 of them
--          offered five hours ago: late, not yet escalated
--      19  accepted and closed (won)
\set ON_ERROR_STOP 1
SET session_replication_role = replica;
SET synchronous_commit = off;

CREATE TEMP TABLE hop (k int PRIMARY KEY, from_stage text, to_stage text, state text);
INSERT INTO hop VALUES
    (1, 'marketing', 'sales', 'accepted'), (2, 'sales', 'engineering', 'returned'),
    (3, 'sales', 'engineering', 'accepted'), (4, 'engineering', 'sales', 'accepted'),
    (5, 'sales', 'marketing', 'accepted'), (6, 'marketing', 'sales', 'accepted'),
    (7, 'sales', 'engineering', 'accepted'), (8, 'engineering', 'sales', 'accepted'),
    (9, 'sales', 'scheduling', 'returned'), (10, 'sales', 'scheduling', NULL);

CREATE TEMP TABLE cls AS
SELECT i,
       CASE WHEN i % 20 < 12 THEN 'sales' WHEN i % 20 < 16 THEN 'scheduling'
            WHEN i % 20 < 19 THEN 'offered' ELSE 'closed' END AS cls,
       now() - interval '25 days' + (i % 1440) * interval '1 minute' AS t0
  FROM generate_series(1, :items) i;
ALTER TABLE cls ADD PRIMARY KEY (i);
-- the late offers and the overdue stays escalate() will find
CREATE TEMP TABLE late AS SELECT i FROM cls WHERE cls = 'offered' ORDER BY i LIMIT 1000;
CREATE TEMP TABLE overdue AS SELECT i FROM cls WHERE cls = 'scheduling' ORDER BY i LIMIT 200;

-- handoff k of item i has id :items + (i - 1) * 10 + k
CREATE TEMP TABLE h AS
SELECT :items + (c.i - 1) * 10 + p.k AS id, c.i AS item, p.k, p.from_stage, p.to_stage,
       CASE WHEN p.k < 10 THEN p.state
            WHEN c.cls = 'sales' THEN 'returned'
            WHEN c.cls = 'offered' THEN 'offered'
            ELSE 'accepted' END AS state,
       CASE WHEN p.k = 10 AND c.cls = 'offered'
            THEN now() - CASE WHEN c.i IN (SELECT i FROM late) THEN interval '5 hours' ELSE interval '1 hour' END
            ELSE c.t0 + p.k * interval '2 hours' END AS offered_at,
       c.cls, c.t0
  FROM cls c CROSS JOIN hop p;

INSERT INTO sacrosanct.work_item
    (id, customer, title, stage, accountable, context, opened_at, opened_by, entered_at, open_handoff,
     visited, closed_at, closed_by, outcome)
SELECT c.i, 'customer ' || (c.i % 5000), 'case ' || c.i,
       CASE c.cls WHEN 'sales' THEN 'sales' WHEN 'offered' THEN 'sales' ELSE 'scheduling' END,
       NULL, '{}', c.t0, 'bench_mia',
       CASE WHEN c.cls IN ('sales', 'offered') THEN c.t0 + 8 * interval '2 hours' + interval '30 minutes'
            ELSE c.t0 + 10 * interval '2 hours' + interval '30 minutes' END,
       CASE WHEN c.cls = 'offered' THEN :items + (c.i - 1) * 10 + 10 END,
       '{marketing,sales,engineering,scheduling}',
       CASE WHEN c.cls = 'closed' THEN c.t0 + interval '1 day' END,
       CASE WHEN c.cls = 'closed' THEN 'bench_stan' END,
       CASE WHEN c.cls = 'closed' THEN 'won' END
  FROM cls c;

INSERT INTO sacrosanct.handoff
    (id, item, from_stage, to_stage, context, state, offered_by, offered_at, due_at,
     accepted_by, accepted_at, returned_by, returned_at, returned_reason, escalated_at, by_sacrosanct)
SELECT h.id, h.item, h.from_stage, h.to_stage,
       CASE WHEN h.to_stage = 'engineering' THEN '{"requirements": "as discussed"}'::jsonb ELSE '{}' END,
       h.state,
       CASE h.from_stage WHEN 'marketing' THEN 'bench_mia' WHEN 'sales' THEN 'bench_sam' ELSE 'bench_eve' END,
       h.offered_at, h.offered_at + s.accept_within,
       CASE WHEN h.state = 'accepted' THEN 'bench_' || left(h.to_stage, 3) END,
       CASE WHEN h.state = 'accepted' THEN h.offered_at + interval '30 minutes' END,
       CASE WHEN h.state = 'returned' THEN 'bench_' || left(h.to_stage, 3) END,
       CASE WHEN h.state = 'returned' THEN h.offered_at + interval '30 minutes' END,
       CASE WHEN h.state = 'returned' THEN 'not yet: ' || h.k END,
       NULL, false
  FROM h JOIN sacrosanct.stage s ON s.code = h.to_stage;

-- stays: the opening one, then one per accepted handoff, each until the next
INSERT INTO sacrosanct.stage_visit (id, item, stage, via_handoff, entered_at, entered_by, left_at, escalated_at)
SELECT nextval('sacrosanct.pipeline_log_id'), v.item, v.stage, v.via, v.entered_at, v.entered_by,
       coalesce(lead(v.entered_at) OVER w, CASE WHEN c.cls = 'closed' THEN c.t0 + interval '1 day' END),
       CASE WHEN v.stage = 'scheduling' AND c.cls <> 'closed' AND v.item NOT IN (SELECT i FROM overdue)
            THEN v.entered_at + interval '2 days' END
  FROM (SELECT i AS item, 'marketing' AS stage, NULL::bigint AS via, t0 AS entered_at, 'bench_mia' AS entered_by
          FROM cls
        UNION ALL
        SELECT item, to_stage, id, offered_at + interval '30 minutes', 'bench_' || left(to_stage, 3)
          FROM h WHERE state = 'accepted') v
  JOIN cls c ON c.i = v.item
WINDOW w AS (PARTITION BY v.item ORDER BY v.entered_at);

-- the journal: opened, offered, answered, closed
INSERT INTO sacrosanct.item_event
    (id, item, handoff, event, stage, at, session_user_name, current_user_name, by_sacrosanct, detail)
SELECT nextval('sacrosanct.pipeline_log_id'), e.item, e.handoff, e.event, e.stage, e.at, 'bench', e.who, false, e.detail
  FROM (SELECT i AS item, NULL::bigint AS handoff, 'opened' AS event, 'marketing' AS stage, t0 AS at,
               'bench_mia' AS who, NULL::jsonb AS detail, 0 AS ord
          FROM cls
        UNION ALL
        SELECT item, id, 'offered', to_stage, offered_at, 'bench_' || left(from_stage, 3),
               jsonb_build_object('from', from_stage), 1
          FROM h
        UNION ALL
        SELECT item, id, state, CASE state WHEN 'accepted' THEN to_stage ELSE from_stage END,
               offered_at + interval '30 minutes', 'bench_' || left(to_stage, 3),
               CASE state WHEN 'accepted' THEN jsonb_build_object('from', from_stage)
                          ELSE jsonb_build_object('to', to_stage, 'reason', 'not yet') END, 2
          FROM h WHERE state <> 'offered'
        UNION ALL
        SELECT i, NULL, 'closed', 'scheduling', t0 + interval '1 day', 'bench_stan', '{"outcome": "won"}', 3
          FROM cls WHERE cls = 'closed') e
 ORDER BY e.item, e.at, e.ord;

SELECT setval('sacrosanct.pipeline_id', :items * 11);
RESET session_replication_role;
