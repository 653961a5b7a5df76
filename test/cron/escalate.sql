-- test/cron/escalate.sql: pg_cron ran the README's line, and escalate()
-- escalated the late offer of test/cron/schedule.sql, once.  pg_cron 1.4
-- runs a '* * * * *' job at the next minute boundary: make test gets here
-- more than a minute after schedule.sql, so this rarely waits; run alone
-- (SUITES=cron) it waits up to a minute.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
DO $$
BEGIN
    FOR i IN 1..150 LOOP
        EXIT WHEN EXISTS (SELECT FROM cron.job_run_details WHERE status IN ('succeeded', 'failed'));
        PERFORM pg_sleep(0.5);
    END LOOP;
END
$$;

SELECT plan(7);
SELECT is((SELECT schedule || ' | ' || command FROM cron.job WHERE jobname = 'sacrosanct-escalate'),
          '* * * * * | SELECT sacrosanct.escalate()', 'the README''s job is scheduled');
SELECT is((SELECT string_agg(DISTINCT status, ',') FROM cron.job_run_details), 'succeeded',
          'pg_cron ran it, and it succeeded');
SELECT is((SELECT return_message FROM cron.job_run_details ORDER BY runid LIMIT 1), 'SELECT 1',
          'the first run escalated one handoff');
SELECT is((SELECT count(*)::int FROM sacrosanct.handoff WHERE escalated_at IS NOT NULL), 1,
          'the late offer is marked escalated');
SELECT is((SELECT count(*)::int FROM sacrosanct.item_event WHERE event = 'escalated'), 1,
          'once, however many times the job ran');
SELECT is((SELECT session_user_name::text FROM sacrosanct.item_event WHERE event = 'escalated'),
          (SELECT username::text FROM cron.job WHERE jobname = 'sacrosanct-escalate'),
          'the journal names the role the job runs as');
SELECT is((SELECT count(*)::int FROM sacrosanct.escalate()), 0, 'nothing is left to escalate');
SELECT * FROM finish();
