#!/usr/bin/env bash
# doc/reference.sh (`make reference`): write doc/reference.md, the reference
# of every function, table, view, setting and SQLSTATE, from the catalog of
# a fresh install of the extension as `make install` left it, and from the
# C sources for the SQLSTATEs.  Nothing in the output is written by hand:
# descriptions are the objects' COMMENTs, privileges are what
# sacrosanct.create_roles() grants, SQLSTATEs come from src/sacrosanct.h,
# the errcode() calls of src/*.c and the server's utils/errcodes.h.
# doc/reference.sql does the catalog's part and places each object in its
# section; `make test` (suite "docs") regenerates the file and fails when
# it differs from the one committed.
#
#   doc/reference.sh              a throw-away cluster (test/cluster.sh);
#                                 writes doc/reference.md
#   doc/reference.sh -o FILE      write FILE instead (- for stdout)
#   doc/reference.sh --here       use the server and database the libpq
#                                 environment names (PGHOST, PGPORT, PGUSER,
#                                 PGDATABASE), as a superuser: it creates the
#                                 extension and the group roles if they are
#                                 missing, in one transaction that it rolls
#                                 back, so it leaves nothing behind
set -euo pipefail
cd "$(dirname "$0")/.."

out=doc/reference.md
here=""
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=${2:?-o needs a file}; shift 2 ;;
	--here) here=yes; shift ;;
	*) echo "usage: doc/reference.sh [-o FILE] [--here]" >&2; exit 2 ;;
	esac
done

PG_CONFIG=${PG_CONFIG:-pg_config}
PGBIN=$("$PG_CONFIG" --bindir)
errcodes=$("$PG_CONFIG" --includedir-server)/utils/errcodes.h
[ -r "$errcodes" ] || { echo "doc/reference.sh: no $errcodes (postgresql-server-dev)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sacrosanct-reference.XXXXXX")
trap 'rm -rf "$work"' EXIT

# What the C code says, as tab-separated rows for doc/reference.sql:
#   sc      MACRO  SQLSTATE  the comment above its #define in src/sacrosanct.h
#   raise   MACRO  FILE      the C function around each errcode(MACRO) of src/*.c
#   code    MACRO  SQLSTATE  its class in utils/errcodes.h (the macros raised only)
{
	awk '
	/^\/\*/ { text = ""; incomment = 1 }
	incomment {
		line = $0
		sub(/^[ \t]*\/?\*+\/?[ \t]?/, "", line); sub(/[ \t]*\*\/[ \t]*$/, "", line)
		if (line != "") text = text (text == "" ? "" : " ") line
		if ($0 ~ /\*\//) incomment = 0
		next
	}
	/^#define ERRCODE_SC_/ {
		code = $0; sub(/.*MAKE_SQLSTATE\(/, "", code); gsub(/[^A-Z0-9]/, "", code)
		print "sc\t" $2 "\t" code "\t" text
		text = ""
		next
	}
	{ text = "" }
	' src/sacrosanct.h

	# a function definition starts in column 0 with its name (PostgreSQL style)
	awk '
	FNR == 1 { fn = ""; file = FILENAME; sub(/^.*\//, "", file) }
	/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); if (name != "PG_FUNCTION_INFO_V1") fn = name }
	{
		s = $0
		while (match(s, /errcode\(ERRCODE_[A-Z0-9_]+\)/)) {
			print "raise\t" substr(s, RSTART + 8, RLENGTH - 9) "\t" file "\t" fn
			s = substr(s, RSTART + RLENGTH)
		}
	}
	' src/*.c | sort -u

	awk '
	/^\/\* Class / { class = $0; sub(/^\/\* Class /, "", class); sub(/ *\*\/$/, "", class) }
	/^#define ERRCODE_[A-Z0-9_]+ MAKE_SQLSTATE\(/ {
		code = $3; sub(/^MAKE_SQLSTATE\(/, "", code); gsub(/[^A-Z0-9]/, "", code)
		print "code\t" $2 "\t" code "\t" class
	}
	' "$errcodes"
} >"$work/source.tsv"

if [ -z "$here" ]; then
	# shellcheck source=../test/cluster.sh
	source test/cluster.sh
	cluster_start "lc_messages = 'C'" >/dev/null || exit 1
	trap 'cluster_stop; rm -rf "$work"' EXIT
	trap 'cluster_stop; rm -rf "$work"; exit 130' INT TERM HUP
fi

PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
	-f doc/reference.sql <"$work/source.tsv" >"$work/reference.md"

if [ "$out" = - ]; then
	cat "$work/reference.md"
else
	cp "$work/reference.md" "$out"
fi
