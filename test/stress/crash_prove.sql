-- test/stress/crash_prove.sql: the crash test's checks can fail.  After
-- the last scenario, each case fakes what a crash could have done wrong, in
-- a transaction that rolls back, and the finding must count it.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- a commit the client saw, lost: its journal row gone
\set finding 'missing'
BEGIN;
SELECT stress.crash_finding(:'finding') AS before \gset
DELETE FROM stress.journal WHERE (client, seq) = (SELECT split_part(line, '|', 1)::int, split_part(line, '|', 2)::int
                                                    FROM stress.ack ORDER BY line LIMIT 1);
SELECT CASE WHEN stress.crash_finding('missing') - :before = 1 THEN 'ok' ELSE 'not ok' END
       || ' - an acknowledged operation whose journal row is gone is missing';
ROLLBACK;

-- an operation committed that no client ran or had in flight
\set finding 'unexplained'
BEGIN;
SELECT stress.crash_finding(:'finding') AS before \gset
INSERT INTO stress.journal (client, seq, op, sqlstate) VALUES (9999, 7, 'insert', '00000');
SELECT CASE WHEN stress.crash_finding('unexplained') - :before = 1 THEN 'ok' ELSE 'not ok' END
       || ' - a journal row neither acknowledged nor in flight is unexplained';
ROLLBACK;

-- half there: an order changed without its journal row, and an order
-- row without the operation that made it
\set finding 'half there'
BEGIN;
SELECT stress.crash_finding(:'finding') AS before \gset
ALTER TABLE sacrosanct.orders DISABLE TRIGGER USER;
UPDATE sacrosanct.orders SET qty = qty + 1
 WHERE order_key = (SELECT order_key FROM sacrosanct.orders WHERE order_key LIKE 'K%' AND status = 'open'
                     ORDER BY order_key LIMIT 1);
INSERT INTO sacrosanct.orders (order_key, product, qty, status) VALUES ('K9999-0000001', bench.product_code(1), 1, 'cancelled');
SELECT CASE WHEN stress.crash_finding('half there') - :before = 2 THEN 'ok' ELSE 'not ok' END
       || ' - an order that differs from its last journaled state, and one nobody journaled, are half there';
ROLLBACK;

-- an acknowledged capacity change gone
\set finding 'capacity missing'
BEGIN;
SELECT stress.crash_finding(:'finding') AS before \gset
ALTER TABLE sacrosanct.capacity_change DISABLE TRIGGER USER;
DELETE FROM sacrosanct.capacity_change
 WHERE id = (SELECT min(nullif(split_part(line, '|', 6), '')::bigint) FROM stress.ack);
SELECT CASE WHEN stress.crash_finding('capacity missing') - :before = 1 THEN 'ok' ELSE 'not ok' END
       || ' - an acknowledged add_capacity whose row is gone is missing';
ROLLBACK;
