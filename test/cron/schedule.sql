-- test/cron/schedule.sql: run by test/run right after the throw-away
-- cluster starts (pg_cron preloaded, cron.database_name = sacrosanct_cron):
-- one handoff that is late at once, and the pg_cron line of the README,
-- exactly.  test/cron/escalate.sql checks, at the end of make test, that
-- pg_cron ran it: by then the next minute boundary has passed.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION pg_cron;
CREATE EXTENSION sacrosanct;
SELECT sacrosanct.default_pipeline();
SELECT sacrosanct.create_roles();
DROP ROLE IF EXISTS cron_sam;
CREATE ROLE cron_sam LOGIN IN ROLE sacrosanct_sales;
-- marketing takes offers within a microsecond: the nurture offer below is late at once
UPDATE sacrosanct.stage SET accept_within = '1 microsecond' WHERE code = 'marketing';
SET ROLE cron_sam;
SELECT sacrosanct.open_item('Cron Co', 'not ready to buy');
SELECT sacrosanct.hand_off(id, 'marketing', '{"nurture": "call again in spring"}')
  FROM sacrosanct.work_item WHERE customer = 'Cron Co';
RESET ROLE;

-- README, "Escalation every minute with pg_cron":
SELECT cron.schedule('sacrosanct-escalate', '* * * * *', 'SELECT sacrosanct.escalate()');
