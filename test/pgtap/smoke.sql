BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS sacrosanct;
SELECT plan(3);
SELECT has_schema('sacrosanct');
SELECT has_table('sacrosanct', 'orders', 'the guarded order table exists');
SELECT is(sacrosanct.today(), current_date, 'today() is current_date when not pinned');
SELECT * FROM finish();
ROLLBACK;
