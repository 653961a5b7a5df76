#!/usr/bin/env bash
# bench/pipeline.sh: the pipeline's speed targets (issue 10).  Builds and
# installs the extension, starts a throw-away cluster with default
# durability (fsync and synchronous_commit on), writes a pipeline with a
# history (bench/pipeline_gen.sql: 100,000 work items, 1,000,000 handoffs),
# then measures, as real members of the stage roles:
#
#   hand_off()   a member of sales offers the next case to engineering
#   accept()     a member of engineering accepts the next offer
#   send_back()  a member of engineering returns the next offer, with a reason
#                (each: pgbench, 2 clients, one call per transaction; p50 of
#                the transactions' latency, commit included; target <= 1 ms)
#   escalate()   with 1,000 late offers and 200 overdue stays to mark, then
#                with nothing new (what pg_cron's every-minute run meets)
#                (target <= 100 ms)
#
# and prints the figures with PASS or MISS; the pipeline views' times at
# that size are printed for information.
#
#   bash bench/pipeline.sh               the run above (~3 minutes)
#   bash bench/pipeline.sh --smoke       1,000 items, a few transactions: the
#                                        scripts still work (make test)
#   BENCH_PIPELINE_ITEMS=100000          work items (ten handoffs each)
#   BENCH_PIPELINE_TX=3000               transactions per client and operation
#   SC_NO_BUILD=1                        use the extension as installed already
#   PG_CONFIG=/path/to/pg_config         another PostgreSQL installation
#
# Everything a run writes is kept in bench/out/pipeline-<date-time>/.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

smoke=0
case "${1:-}" in
--smoke) smoke=1 ;;
"") ;;
*) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
if [ $smoke -eq 1 ]; then
	items=${BENCH_PIPELINE_ITEMS:-1000}
	tx=${BENCH_PIPELINE_TX:-20}
else
	items=${BENCH_PIPELINE_ITEMS:-100000}
	tx=${BENCH_PIPELINE_TX:-3000}
fi

out=$top/bench/out/pipeline-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
failures=0
say() { echo "$@" | tee -a "$out/summary.txt"; }
fail() { failures=$((failures + 1)); say "FAILED: $*"; }

bash test/deps || exit 1
PG_CONFIG=${PG_CONFIG:-pg_config}
export PG_CONFIG
if [ -z "${SC_NO_BUILD:-}" ]; then
	echo "== build and install"
	if ! make -s >"$out/build.log" 2>&1 || ! make -s install >>"$out/build.log" 2>&1; then
		cat "$out/build.log"; echo "bench: build failed" >&2; exit 1
	fi
fi
PATH=$("$PG_CONFIG" --bindir):$PATH

source test/cluster.sh
cluster_start "lc_messages = 'C'" "shared_buffers = 1GB" "max_wal_size = 8GB" \
	"checkpoint_timeout = 30min" "jit = off" || exit 1
db=bench_pipeline
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$db")
createdb "$db" || exit 1

# milliseconds of one statement, as psql's \timing reports it
ms() {
	"${PSQL[@]}" -c '\timing on' -c "$1" 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1
}
# percentiles (ms) of column 3 (latency, us) of pgbench logs: "p50 p90 n"
percentiles() {
	awk '{print $3}' "$@" | sort -n | awk '{ a[NR] = $1 }
		END { if (NR == 0) { print "- - 0"; exit }
			  printf "%.3f %.3f %d\n", a[int((NR + 1) / 2)] / 1000, a[int((NR * 9 + 9) / 10)] / 1000, NR }'
}
verdict() {	# verdict VALUE TARGET: PASS when VALUE <= TARGET
	awk -v v="$1" -v t="$2" 'BEGIN { print (v != "" && v != "-" && v + 0 <= t + 0) ? "PASS" : "MISS" }'
}

echo "== a pipeline of $items work items with ten handoffs each"
"${PSQL[@]}" <<'SQL' >"$out/setup.log" 2>&1 || { cat "$out/setup.log"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION sacrosanct;
SELECT sacrosanct.default_pipeline();
SELECT sacrosanct.create_roles();
DO $$ BEGIN
    DROP ROLE IF EXISTS bench_sam, bench_eve;
    CREATE ROLE bench_sam LOGIN IN ROLE sacrosanct_sales;
    CREATE ROLE bench_eve LOGIN IN ROLE sacrosanct_engineering;
END $$;
SQL
t0=$(date +%s)
"${PSQL[@]}" -v items="$items" -f bench/pipeline_gen.sql >"$out/gen.log" 2>&1 || { cat "$out/gen.log"; exit 1; }
"${PSQL[@]}" -c 'VACUUM ANALYZE' -c 'CHECKPOINT' >>"$out/gen.log" 2>&1
read -r n_items n_handoffs n_visits n_events < <("${PSQL[@]}" -Atc "SELECT
	(SELECT count(*) FROM sacrosanct.work_item), (SELECT count(*) FROM sacrosanct.handoff),
	(SELECT count(*) FROM sacrosanct.stage_visit), (SELECT count(*) FROM sacrosanct.item_event)" | tr '|' ' ')
say "data:     $n_items work items, $n_handoffs handoffs, $n_visits stays, $n_events events (written in $(( $(date +%s) - t0 )) s)"
say "machine:  $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "server:   $("${PSQL[@]}" -Atc 'SELECT version()' | sed 's/ on .*//'); fsync $("${PSQL[@]}" -Atc 'SHOW fsync'), synchronous_commit $("${PSQL[@]}" -Atc 'SHOW synchronous_commit')"
say "commit:   $(git -C "$top" log -1 --format='%h %s' 2>/dev/null | cut -c1-70)$(git -C "$top" diff --quiet HEAD -- src sql 2>/dev/null || echo ' (with local changes)')"

# the pools each operation takes its next case or offer from
"${PSQL[@]}" >>"$out/setup.log" 2>&1 <<SQL || { cat "$out/setup.log"; exit 1; }
CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO PUBLIC;
CREATE TABLE bench.pool_hand_off AS
SELECT row_number() OVER (ORDER BY md5(id::text)) AS n, id AS item
  FROM sacrosanct.work_item WHERE stage = 'sales' AND open_handoff IS NULL AND closed_at IS NULL
 ORDER BY md5(id::text) LIMIT $((4 * tx));
ALTER TABLE bench.pool_hand_off ADD PRIMARY KEY (n);
CREATE SEQUENCE bench.next_hand_off;
CREATE SEQUENCE bench.next_accept;
CREATE SEQUENCE bench.next_send_back;
GRANT SELECT ON ALL TABLES IN SCHEMA bench TO PUBLIC;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA bench TO PUBLIC;
SQL

# run NAME ROLE CLIENT_TX: pgbench, 2 clients; sets P50 P90 N of NAME
declare -A P50 P90 N
run() {
	local name=$1 role=$2 t=$3 log=$out/$1
	pgbench -n -M prepared -c 2 -j 2 -t "$t" -U "$role" -f "bench/pipeline_$name.pgbench" \
		-l --log-prefix="$log" "$db" >"$log.out" 2>&1 || { cat "$log.out"; fail "pgbench $name"; }
	read -r "P50[$name]" "P90[$name]" "N[$name]" < <(percentiles "$log".[0-9]*)
	[ "${N[$name]}" -eq $((2 * t)) ] || fail "$name: ${N[$name]} transactions, expected $((2 * t))"
}

echo "== hand_off(), accept(), send_back(): 2 clients"
run hand_off bench_sam $((2 * tx))
"${PSQL[@]}" >>"$out/setup.log" 2>&1 <<SQL || { cat "$out/setup.log"; exit 1; }
CREATE TABLE bench.offers AS
SELECT row_number() OVER (ORDER BY id) AS k, id AS handoff FROM sacrosanct.handoff
 WHERE state = 'offered' AND to_stage = 'engineering' AND offered_by = 'bench_sam';
CREATE TABLE bench.pool_accept AS SELECT (k + 1) / 2 AS n, handoff FROM bench.offers WHERE k % 2 = 1;
CREATE TABLE bench.pool_send_back AS SELECT k / 2 AS n, handoff FROM bench.offers WHERE k % 2 = 0;
ALTER TABLE bench.pool_accept ADD PRIMARY KEY (n);
ALTER TABLE bench.pool_send_back ADD PRIMARY KEY (n);
GRANT SELECT ON ALL TABLES IN SCHEMA bench TO PUBLIC;
ANALYZE bench.pool_accept, bench.pool_send_back;
SQL
run accept bench_eve "$tx"
run send_back bench_eve "$tx"

echo "== escalate()"
esc_first=$(ms 'SELECT count(*) FROM sacrosanct.escalate()')
marked=$("${PSQL[@]}" -Atc "SELECT (SELECT count(*) FROM sacrosanct.handoff WHERE escalated_at > now() - interval '1 hour')
	|| ' offers, ' || (SELECT count(*) FROM sacrosanct.stage_visit WHERE escalated_at > now() - interval '1 hour') || ' stays'")
steady=()
for i in 1 2 3 4 5; do steady+=("$(ms 'SELECT count(*) FROM sacrosanct.escalate()')"); done
esc_steady=$(printf '%s\n' "${steady[@]}" | sort -g | sed -n 3p)
expect_marked="$([ "$items" -ge 20000 ] && echo '1000 offers, 200 stays')"
[ -z "$expect_marked" ] || [ "$marked" = "$expect_marked" ] || fail "escalate() marked $marked, expected $expect_marked"

views=""
for v in pipeline_wip handoff_latency sla_breach item_journey; do
	views+="$v $(ms "SELECT count(*) FROM sacrosanct.$v") ms, "
done

say ""
say "| operation ($items items, $n_handoffs handoffs) | p50 | p90 | n | target | |"
say "|---|---|---|---|---|---|"
for op in hand_off accept send_back; do
	say "| $op() at 2 clients | ${P50[$op]} ms | ${P90[$op]} ms | ${N[$op]} | <= 1 ms p50 | $(verdict "${P50[$op]}" 1) |"
done
say "| escalate() marking $marked | $esc_first ms | | 1 | <= 100 ms | $(verdict "$esc_first" 100) |"
say "| escalate() with nothing new (median of 5) | $esc_steady ms | | 5 | <= 100 ms | $(verdict "$esc_steady" 100) |"
say ""
say "views (count(*) as a superuser, for information): ${views%, }"
say "output: $out"

cluster_stop
[ "$failures" -eq 0 ]
