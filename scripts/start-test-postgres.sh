#!/usr/bin/env bash
# start-test-postgres.sh: start a throwaway PostgreSQL cluster on loopback
# for the store tests, and print the shell lines that point the tests at
# it:  eval "$(bash scripts/start-test-postgres.sh)"
#
# Installs Debian's postgresql package when it is missing and apt-get can
# run. initdb refuses to run as root, so as root the cluster belongs to the
# postgres user (runuser). The cluster lives in a temporary folder, listens
# on 127.0.0.1 on a free port with trust authentication for its one user,
# and is removed by:  bash scripts/start-test-postgres.sh stop
# (which reads SDKVET_TEST_POSTGRES_DIR). Prints nothing, and the
# PostgreSQL tests skip, when no server can be started; a message on
# standard error says why.
set -euo pipefail

if [ "${1:-}" = stop ]; then
	dir=${SDKVET_TEST_POSTGRES_DIR:-}
	[ -n "$dir" ] && [ -d "$dir" ] || exit 0
	bin=$(cat "$dir/.bindir" 2>/dev/null || true)
	if [ -n "$bin" ]; then
		if [ "$(id -u)" = 0 ]; then
			runuser -u postgres -- "$bin/pg_ctl" -D "$dir/db" -m immediate stop >/dev/null 2>&1 || true
		else
			"$bin/pg_ctl" -D "$dir/db" -m immediate stop >/dev/null 2>&1 || true
		fi
	fi
	rm -rf "$dir"
	exit 0
fi

if [ -n "${SDKVET_TEST_POSTGRES_URL:-}" ]; then
	echo "start-test-postgres: using SDKVET_TEST_POSTGRES_URL from the environment" >&2
	exit 0
fi

# (|| true: with pipefail, a failed glob would end the script here.)
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true; }
bin=$(find_bin)
if [ -z "$bin" ]; then
	if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
		echo "start-test-postgres: installing postgresql" >&2
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get install -y --no-install-recommends postgresql || { apt-get update && apt-get install -y --no-install-recommends postgresql; }; } >&2
		bin=$(find_bin)
	fi
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
	echo "start-test-postgres: PostgreSQL not available; the PostgreSQL store tests will skip" >&2
	exit 0
fi

dir=$(mktemp -d /tmp/sdkvet-pg.XXXXXX)
echo "$bin" >"$dir/.bindir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
as_owner=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
	chown postgres "$dir"
	as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$bin/initdb" -D "$dir/db" -U sdkvet -A trust -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 || {
	cat "$dir/initdb.log" >&2; echo "start-test-postgres: initdb failed" >&2; rm -rf "$dir"; exit 0; }
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/db" -l "$dir/db/server.log" -w -t 60 \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $dir/db -c fsync=off -c full_page_writes=off -c max_connections=200" start >&2 || {
	cat "$dir/db/server.log" >&2 || true; echo "start-test-postgres: server did not start" >&2; rm -rf "$dir"; exit 0; }
echo "start-test-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
echo "export SDKVET_TEST_POSTGRES_URL='postgres://sdkvet@127.0.0.1:$port/postgres?sslmode=disable'"
echo "export SDKVET_TEST_POSTGRES_DIR='$dir'"
