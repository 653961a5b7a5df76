#!/usr/bin/env bash
# bench/mixed_cpu.sh: is the refusing client's harm to the fitting clients
# (issue 11's mixed load, bench/run) its CPU share, or waiting?  On the
# N = 20,000 plant of bench/run, two clients insert orders that fit for 8 s:
# alone, beside one client refused without pause (bench/refused_guarded.pgbench),
# and beside one client that only burns CPU in SQL (a generate_series count,
# a full core, no lock and no write).  Each case on a fresh copy of the plant,
# the three cases twice, taking turns.
#
#   bash bench/mixed_cpu.sh           uses the extension as installed
#                                     (make install, or make bench, first)
set -uo pipefail
cd "$(dirname "$0")/.."
PG_CONFIG=${PG_CONFIG:-pg_config}
PATH=$("$PG_CONFIG" --bindir):$PATH
secs=${BENCH_SECONDS:-8}
source test/cluster.sh
cluster_start "sacrosanct.today = '2026-01-05'" "lc_messages = 'C'" "shared_buffers = 1GB" \
	"max_wal_size = 8GB" "checkpoint_timeout = 30min" "jit = off" "max_locks_per_transaction = 256" || exit 1
trap cluster_stop EXIT
work=$(mktemp -d "${TMPDIR:-/tmp}/sacrosanct-mixed.XXXXXX")
trap 'cluster_stop; rm -rf "$work"' EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

echo "== mixed_cpu: building the N = 20,000 plant (bench/gen.sql, seed 42)"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE plant" &&
	"${PSQL[@]}" -d plant -c "CREATE EXTENSION sacrosanct" -f bench/gen.sql \
		-c "SELECT bench.make_plant(42, 50, 40)" -c "SELECT bench.make_orders(20000, 42)" \
		-c "CALL bench.load('sacrosanct.orders')" -c "VACUUM ANALYZE" >"$work/gen.out" 2>&1 ||
	{ tail "$work/gen.out"; exit 1; }
IFS='|' read -r ilo ihi mlo mhi < <(psql -X -At -d plant -c "
	SELECT round(bench.qbar(1000000) * 0.5), round(bench.qbar(1000000) * 1.5),
	       round(bench.qbar(20000) * 0.5), round(bench.qbar(20000) * 1.5)")
defs=(-D today=2026-01-05 -D np=40 -D pw=2)
echo "SELECT count(*) FROM generate_series(1, 200000);" >"$work/burn.sql"

fresh() {
	"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS w" \
		-c "CREATE DATABASE w TEMPLATE plant STRATEGY = FILE_COPY" && "${PSQL[@]}" -d w -c "CHECKPOINT"
}
# fit NAME: the two fitting clients for $secs s; prints tps, p50 and p99 (ms)
fit() {
	local tps
	rm -f "$work"/fit.*
	tps=$(pgbench -n -M prepared -c 2 -j 2 -T "$secs" -f bench/insert_guarded.pgbench "${defs[@]}" \
		-D qlo="$ilo" -D qhi="$ihi" --random-seed=42 -l --log-prefix="$work/fit" w 2>&1 |
		sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p')
	cat "$work"/fit.* | awk '{ print $3 / 1000 }' | sort -n |
		awk -v name="$1" -v tps="$tps" '{ a[NR] = $1 } END {
			printf "  %-26s %8.1f tps  p50 %5.2f ms  p99 %5.2f ms\n", name, tps, a[int(NR * 0.5)], a[int(NR * 0.99)] }'
}

echo "== mixed_cpu: 2 fitting clients (qty $ilo-$ihi), $secs s each; the refusing client's orders qty $mlo-$mhi"
for round in 1 2; do
	echo "-- round $round"
	fresh >/dev/null && fit "alone"
	fresh >/dev/null
	pgbench -n -M prepared -c 1 -T "$secs" -f bench/refused_guarded.pgbench "${defs[@]}" \
		-D qlo="$mlo" -D qhi="$mhi" --random-seed=42 w >"$work/refused.out" 2>&1 &
	fit "beside a refusing client"
	wait
	fresh >/dev/null
	pgbench -n -c 1 -T "$secs" -f "$work/burn.sql" w >"$work/burn.out" 2>&1 &
	fit "beside a CPU burner"
	wait
	echo "   (the burner ran $(sed -n 's/^number of transactions actually processed: //p' "$work/burn.out") counts of $(sed -n 's/^latency average = //p' "$work/burn.out") each)"
done
