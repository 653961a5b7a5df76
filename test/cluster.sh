# test/cluster.sh: a throw-away PostgreSQL cluster, sourced by test/run,
# test/demo and bench/run.
#
#   cluster_start [setting=value ...]   initdb + pg_ctl start on a free
#                                       loopback port under a temp dir;
#                                       exports PGHOST PGPORT PGUSER PGDATABASE
#   cluster_stop                        stop it and remove the directory
#
# cluster_start arms a trap so the cluster is stopped on exit, error or
# Ctrl-C.  As root the server runs as user postgres (initdb refuses root).
# SC_SERVER_ENV="VAR=value ..." goes into the server's environment only
# (test/asan preloads the sanitizer runtime that way).

PG_CONFIG=${PG_CONFIG:-pg_config}
PGBIN=$("$PG_CONFIG" --bindir)
CLUSTER_DIR=""

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	local port
	# in a random order, so that runs side by side rarely pick the same one
	for port in $(shuf -i 54320-54999); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"; return 0
		fi
	done
	echo "sacrosanct: no free port in 54320-54999" >&2
	return 1
}

cluster_stop() {
	if [ -n "$CLUSTER_DIR" ] && [ -d "$CLUSTER_DIR" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
		rm -rf "$CLUSTER_DIR"
	fi
	CLUSTER_DIR=""
}

cluster_start() {
	CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sacrosanct.XXXXXX")
	trap 'cluster_stop' EXIT
	trap 'cluster_stop; exit 130' INT TERM HUP
	chmod 755 "$CLUSTER_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$CLUSTER_DIR"

	local port
	port=$(free_port)
	if ! as_owner "$PGBIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1; then
		cat "$CLUSTER_DIR/initdb.log" >&2
		echo "sacrosanct: initdb failed" >&2
		return 1
	fi
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $port"
		echo "unix_socket_directories = '$CLUSTER_DIR'"
		echo "max_connections = 50"
		echo "max_prepared_transactions = 10"
		for setting in "$@"; do echo "$setting"; done
	} >>"$CLUSTER_DIR/data/postgresql.conf"
	if ! as_owner env ${SC_SERVER_ENV:-} "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" \
		-l "$CLUSTER_DIR/server.log" -w start >/dev/null; then
		cat "$CLUSTER_DIR/server.log" >&2
		echo "sacrosanct: the test server did not start" >&2
		return 1
	fi
	export PGHOST=$CLUSTER_DIR PGPORT=$port PGUSER=postgres PGDATABASE=postgres
}
