-- test/stress/crash.sql: the crash test's clients and its checks (test
-- harness code, read after test/stress/harness.sql by test/stress/crash).
--
-- Each crash client owns its orders (keys K<client>-<seq>, which no other
-- operation of the stress mix picks) and runs stress.c_op(client, seq) for
-- seq = 1, 2, ... in autocommit, printing each result line: psql prints it
-- only after the server has answered, that is after the COMMIT (with
-- synchronous_commit on, after the commit's WAL was flushed).  The lines
-- a client printed are what it saw committed (stress.ack, loaded after the
-- crash).  In the same transaction as the operation, c_op writes
-- stress.journal: the operation and the state of the order after it.
--
-- After the restart (stress.crash_check()):
--   missing     an acknowledged operation whose journal row is gone: a
--               commit the client saw is lost
--   unexplained a journal row that was neither acknowledged nor the one
--               operation each client had in flight when the server died
--   half there  an order of a crash client whose row differs from the state
--               its last journaled operation left (the operation and its
--               journal row are one transaction: either both or neither)
--   capacity    an acknowledged add_capacity whose capacity_change row is gone
-- and sacrosanct.verify() and the recount must find nothing.

CREATE TABLE stress.journal (
    client    int NOT NULL,
    seq       int NOT NULL,
    op        text NOT NULL,
    order_key text,
    sqlstate  text NOT NULL,
    qty       numeric,          -- the order after the operation (NULL: no row)
    promised  date,
    status    text,
    cap_id    bigint,           -- the capacity_change add_capacity made
    PRIMARY KEY (client, seq)
);

-- what the clients printed, loaded after the crash
CREATE TABLE stress.ack (
    line text NOT NULL
);

-- a random open order of the client, or NULL
CREATE FUNCTION stress.c_pick(client int) RETURNS text
    LANGUAGE sql VOLATILE AS $$
    SELECT order_key FROM sacrosanct.orders
     WHERE order_key >= 'K' || client || '-' || stress.rnd(1, 1000000) AND order_key < 'K' || client || '.'
       AND status = 'open'
     ORDER BY order_key LIMIT 1
$$;

CREATE FUNCTION stress.c_op(client int, seq int) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    r float8 := random();
    op text;
    k text;
    st text := '00000';
    p text;
    nb date;
    cap bigint;
    o record;
BEGIN
    op := CASE WHEN r < 0.45 THEN 'insert' WHEN r < 0.60 THEN 'update_qty' WHEN r < 0.72 THEN 'update_promise'
               WHEN r < 0.82 THEN 'cancel' WHEN r < 0.92 THEN 'delete' ELSE 'add_capacity' END;
    IF op IN ('update_qty', 'update_promise', 'cancel', 'delete') THEN
        k := stress.c_pick(client);
        IF k IS NULL THEN
            op := 'insert';
        END IF;
    END IF;
    IF op = 'insert' THEN
        -- seq sorts after the keys the client made before
        k := 'K' || client || '-' || lpad(seq::text, 7, '0');
    END IF;
    BEGIN
        CASE op
        WHEN 'insert' THEN
            p := stress.product();
            nb := stress.release();
            INSERT INTO sacrosanct.orders (order_key, customer, product, qty, not_before, promised)
            VALUES (k, 'crash', p, stress.qty(), nb, stress.promise(nb, p));
        WHEN 'update_qty' THEN
            UPDATE sacrosanct.orders SET qty = greatest(1, round(qty * (0.5 + random())::numeric))
             WHERE order_key = k;
        WHEN 'update_promise' THEN
            UPDATE sacrosanct.orders SET promised = greatest(sacrosanct.today(), promised + stress.rnd(-20, 20))
             WHERE order_key = k;
        WHEN 'cancel' THEN
            UPDATE sacrosanct.orders SET status = 'cancelled' WHERE order_key = k;
        WHEN 'delete' THEN
            DELETE FROM sacrosanct.orders WHERE order_key = k;
        WHEN 'add_capacity' THEN
            cap := sacrosanct.add_capacity(stress.resource(), stress.days(), stress.rnd(60, 240), 'crash: overtime');
        END CASE;
    EXCEPTION WHEN OTHERS THEN
        st := SQLSTATE;
    END;
    SELECT qty, promised, status INTO o FROM sacrosanct.orders WHERE order_key = k;
    INSERT INTO stress.journal (client, seq, op, order_key, sqlstate, qty, promised, status, cap_id)
    VALUES (client, seq, op, k, st, o.qty, o.promised, o.status, cap);
    -- client|seq|op|order_key|sqlstate|capacity_change id (empty fields kept)
    RETURN concat_ws('|', client, seq, op, coalesce(k, ''), st, coalesce(cap::text, ''));
END $$;

-- The checks after a crash: one row per kind of finding, with its count.
CREATE FUNCTION stress.crash_check()
    RETURNS TABLE (finding text, n bigint, example text)
    LANGUAGE sql AS $$
    WITH ack AS (
        SELECT split_part(line, '|', 1)::int AS client, split_part(line, '|', 2)::int AS seq,
               split_part(line, '|', 3) AS op, nullif(split_part(line, '|', 6), '')::bigint AS cap_id
          FROM stress.ack WHERE line ~ '^\d+\|\d+\|'
    ), last_ack AS (
        SELECT client, max(seq) AS seq FROM ack GROUP BY client
    ), last_op AS (      -- per order of a crash client, its last journaled state
        SELECT DISTINCT ON (order_key) order_key, qty, promised, status
          FROM stress.journal WHERE order_key IS NOT NULL
         ORDER BY order_key, client, seq DESC
    ), actual AS (
        SELECT order_key, qty, promised, status FROM sacrosanct.orders WHERE order_key LIKE 'K%'
    )
    SELECT 'acknowledged', count(*), NULL FROM ack
    UNION ALL
    SELECT 'journaled', count(*), NULL FROM stress.journal
    UNION ALL
    SELECT 'missing', count(*), min(a.client || '|' || a.seq)
      FROM ack a LEFT JOIN stress.journal j USING (client, seq) WHERE j.client IS NULL
    UNION ALL
    SELECT 'unexplained', count(*), min(j.client || '|' || j.seq)
      FROM stress.journal j LEFT JOIN ack a USING (client, seq) LEFT JOIN last_ack l USING (client)
     WHERE a.client IS NULL AND j.seq <> coalesce(l.seq, 0) + 1
    UNION ALL
    SELECT 'in flight, committed', count(*), min(j.client || '|' || j.seq)
      FROM stress.journal j LEFT JOIN ack a USING (client, seq) JOIN last_ack l USING (client)
     WHERE a.client IS NULL AND j.seq = l.seq + 1
    UNION ALL
    SELECT 'orders checked', count(*), NULL FROM last_op
    UNION ALL
    SELECT 'half there', count(*), min(coalesce(l.order_key, a.order_key))
      FROM last_op l FULL JOIN actual a USING (order_key)
     WHERE (l.qty, l.promised, l.status) IS DISTINCT FROM (a.qty, a.promised, a.status)
    UNION ALL
    SELECT 'capacity missing', count(*), min(a.cap_id::text)
      FROM ack a WHERE a.cap_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM sacrosanct.capacity_change c WHERE c.id = a.cap_id)
$$;

-- The checks can fail (test/stress/crash runs this last): n of a finding
-- after a corruption made in the caller's transaction, which rolls back.
CREATE FUNCTION stress.crash_finding(what text) RETURNS bigint
    LANGUAGE sql AS $$ SELECT n FROM stress.crash_check() WHERE finding = what $$;

-- Without gdb (test/stress/crash): wait until backend 'target' runs a
-- replan holding every resource lock (nres of them); false when it ended
-- first.  Polls every millisecond, in the server, so that the caller can
-- stop the backend (SIGSTOP) within a few milliseconds of the moment.
CREATE FUNCTION stress.wait_in_replan(target int, nres int) RETURNS boolean
    LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..30000 LOOP
        PERFORM pg_stat_clear_snapshot();
        IF NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = target) THEN
            RETURN false;
        END IF;
        IF (SELECT count(*) FROM pg_locks l
             WHERE l.pid = target AND l.granted AND l.locktype = 'advisory' AND l.classid = 23232) = nres
           AND EXISTS (SELECT FROM pg_stat_activity
                        WHERE pid = target AND state = 'active' AND query LIKE '%sacrosanct.replan(%') THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.001);
    END LOOP;
    RETURN false;
END $$;
