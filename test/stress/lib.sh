# test/stress/lib.sh: what test/stress/run and test/stress/crash share.
# Sourced after test/cluster.sh, with $top the checkout and PATH holding
# the server's binaries.

PSQL=(psql -X -q -v ON_ERROR_STOP=1)

# q SQL: the result, unaligned, on database stress
q() { "${PSQL[@]}" -d stress -Atc "$1"; }

# A throw-away cluster with default durability (fsync, synchronous_commit
# and full_page_writes on) and the planning day of bench/gen.sql; its
# server log is copied to $out when the script ends.
stress_cluster_start() {
	cluster_start "sacrosanct.today = '2026-01-05'" "lc_messages = 'C'" \
		"shared_buffers = 256MB" "max_wal_size = 4GB" "jit = off" \
		"max_locks_per_transaction = 256" "log_line_prefix = '%m [%p] %q%a '" \
		"$@" || return 1
	trap 'stress_cleanup' EXIT
	trap 'stress_cleanup; exit 130' INT TERM HUP
}

stress_cleanup() {
	[ -n "$CLUSTER_DIR" ] && [ -f "$CLUSTER_DIR/server.log" ] && cp "$CLUSTER_DIR/server.log" "$out/server.log"
	cluster_stop
}

# stress_make_plant N SEED OUT: database stress with bench/gen.sql's plant
# (grown with N as bench/run grows it), N orders loaded through the guard,
# the harness and the recount; verify() must be clean before the run
stress_make_plant() {
	local n=$1 seed=$2 o=$3 nres np t0 v
	nres=$((n / 400 > 50 ? n / 400 : 50))
	np=$((nres > 50 ? nres / 5 : 40))
	t0=$(date +%s%N)
	if ! "${PSQL[@]}" -d postgres -c "CREATE DATABASE stress" >"$o/setup.out" 2>&1 ||
		! "${PSQL[@]}" -d stress -c "CREATE EXTENSION sacrosanct" -f bench/gen.sql \
			-c "SELECT bench.make_plant($seed, $nres, $np)" -c "SELECT bench.make_orders($n, $seed)" \
			-c "CALL bench.load('sacrosanct.orders')" -f test/stress/harness.sql \
			-c "SELECT stress.setup($n)" -f test/stress/recount.sql >>"$o/setup.out" 2>&1; then
		cat "$o/setup.out"; echo "stress: setting up the plant failed" >&2; return 1
	fi
	v=$(q "SELECT count(*) FROM sacrosanct.verify()")
	echo "-- plant: $nres work centers, $np products, $(q "SELECT count(*) FROM sacrosanct.orders") open orders" \
		"loaded in $(( ($(date +%s%N) - t0) / 1000000 )) ms; utilization $(q "SELECT bench.utilization()")% of the year;" \
		"verify(): $v rows"
	[ "$v" = "0" ] || { echo "stress: verify() is not clean before the run" >&2; return 1; }
}

# pgbench's figures summed over its output files: processed failed
# serialization deadlock aborted tps
pgbench_totals() {
	awk '
		/^number of transactions actually processed:/ { p += $6 }
		/^number of failed transactions:/ { f += $5 }
		/^number of serialization failures:/ { s += $5 }
		/^number of deadlock failures:/ { d += $5 }
		/aborted in command|Run was aborted/ { a++ }
		/^tps = / { t += $3 }
		END { printf "%d %d %d %d %d %.1f\n", p, f, s, d, a, t }' "$@"
}

# stress_report OUT SECONDS: the table of operations, and the totals
stress_report() {
	local o=$1 secs=$2
	read -r PG_PROCESSED PG_FAILED PG_SERIAL PG_DEADLOCK PG_ABORTED PG_TPS < <(pgbench_totals "$o"/pgbench.*.out)
	"${PSQL[@]}" -d stress -P footer=off -f - <<-EOF
		\pset border 0
		WITH o AS (
		    SELECT op, sqlstate, ms FROM stress.outcome
		), refused AS (
		    SELECT op, string_agg(sqlstate || ' ' || n, ', ' ORDER BY sqlstate) AS refused
		      FROM (SELECT op, sqlstate, count(*) AS n FROM o
		             WHERE sqlstate NOT IN ('00000', 'noop') GROUP BY 1, 2) x
		     GROUP BY op
		), per_op AS (
		    SELECT op, count(*) AS run,
		           count(*) FILTER (WHERE sqlstate = '00000') AS committed,
		           count(*) FILTER (WHERE sqlstate = 'noop') AS noop,
		           count(*) FILTER (WHERE sqlstate NOT IN ('00000', 'noop')) AS n_refused,
		           percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50_ms,
		           max(ms) AS max_ms
		      FROM o GROUP BY op
		)
		SELECT * FROM (
		SELECT p.op AS operation, p.run, p.committed, p.noop, p.n_refused AS refused,
		       coalesce(r.refused, '') AS "refused by SQLSTATE", p.p50_ms AS "p50 ms", p.max_ms AS "max ms"
		  FROM per_op p LEFT JOIN refused r USING (op)
		UNION ALL
		SELECT 'total', sum(run), sum(committed), sum(noop), sum(n_refused), '', NULL, max(max_ms) FROM per_op
		) t ORDER BY operation = 'total', operation;
	EOF
	echo "   (committed: done and committed; noop: nothing to do, the row it picked had gone; refused: the"
	echo "   statement failed with that SQLSTATE, caught in its subtransaction, and the outcome committed)"
	echo "-- pgbench: $PG_PROCESSED transactions in $secs s, $PG_TPS tps; failed at the transaction level:" \
		"$PG_FAILED ($PG_SERIAL serialization, $PG_DEADLOCK deadlock); clients aborted: $PG_ABORTED"
	DEADLOCKS=$(( $(q "SELECT count(*) FROM stress.outcome WHERE sqlstate = '40P01'") + PG_DEADLOCK ))
	SERIAL=$(( $(q "SELECT count(*) FROM stress.outcome WHERE sqlstate = '40001'") + PG_SERIAL ))
	echo "-- deadlocks (40P01): $DEADLOCKS; serialization failures (40001): $SERIAL" \
		"(caught in the operations: $(q "SELECT coalesce(string_agg(n || ' at ' || iso, ', '), 'none') FROM (SELECT iso, count(*) n FROM stress.outcome WHERE sqlstate = '40001' GROUP BY 1 ORDER BY 1) x");" \
		"at commit: $PG_SERIAL)"
}

# stress_check OUT: verify(), the recount, their agreement, the refusals'
# SQLSTATEs, deadlocks, aborted clients.  0 when all hold.
stress_check() {
	local o=$1 fail=0 v r d u
	v=$(q "SELECT count(*) FROM sacrosanct.verify()")
	r=$(q "SELECT count(*) FROM stress.recount")
	d=$(q "SELECT count(*) FROM stress.disagreements()")
	u=$(q "SELECT count(*) FROM stress.unexpected")
	echo "-- verify(): $v rows; recount (test/stress/recount.sql): $r rows; disagreements between them: $d"
	[ "$v" = "0" ] || { fail=1; "${PSQL[@]}" -d stress -c "SELECT * FROM sacrosanct.verify() LIMIT 20"; }
	[ "$r" = "0" ] || { fail=1; "${PSQL[@]}" -d stress -c "SELECT * FROM stress.recount LIMIT 20"; }
	[ "$d" = "0" ] || { fail=1; "${PSQL[@]}" -d stress -c "SELECT * FROM stress.disagreements() LIMIT 20"; }
	if [ "$u" != "0" ]; then
		fail=1
		echo "not ok - $u refusals with a SQLSTATE their operation may not have:"
		"${PSQL[@]}" -d stress -c "SELECT op, sqlstate, count(*), min(message) AS message, min(detail) AS detail
		    FROM stress.unexpected GROUP BY 1, 2 ORDER BY 1, 2"
	fi
	if [ "$DEADLOCKS" != "0" ]; then
		fail=1
		echo "not ok - $DEADLOCKS deadlocks:"
		"${PSQL[@]}" -d stress -c "SELECT op, iso, message, detail FROM stress.outcome WHERE sqlstate = '40P01'"
		grep -A3 'deadlock detected' "$CLUSTER_DIR/server.log" | head -n 40
	fi
	if [ "$PG_ABORTED" != "0" ] || [ "$PG_PROCESSED" = "0" ]; then
		fail=1
		echo "not ok - pgbench clients aborted ($PG_ABORTED) or nothing ran:"
		grep -h -E 'aborted|error' "$o"/pgbench.*.out | head -n 10
	fi
	if [ "$(q "SELECT count(*) FROM stress.outcome WHERE iso = 'read committed' AND sqlstate = '40001'")" != "0" ]; then
		fail=1; echo "not ok - a serialization failure at READ COMMITTED"
	fi
	[ $fail -eq 0 ] && echo "ok - verify() and the recount find nothing and agree; no deadlock; every refusal expected"
	return $fail
}

# stress_prove OUT: every check above can fail.  In transactions that roll
# back, the schedule is corrupted by hand (the guard's and the schedule's
# triggers disabled: ALTER TABLE ... DISABLE TRIGGER USER, superuser only)
# and verify() and the recount must each see it.
stress_prove() {
	local o=$1
	"${PSQL[@]}" -d stress -At -f test/stress/prove.sql 2>&1 | tee "$o/prove.txt"
	! grep -q '^not ok' "$o/prove.txt" && grep -q '^ok' "$o/prove.txt"
}
