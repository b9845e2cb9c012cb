#!/usr/bin/env bash
# The scale benchmark (benchmarks/scale.py) against a throwaway PostgreSQL started here on
# loopback and stopped afterwards. Unlike scripts/test.sh the server keeps PostgreSQL's shipped
# settings (JIT, fsync, autovacuum as installed): the figures are about a real server's plans.
# Extra arguments go to benchmarks/scale.py, e.g. --sizes 1000 10000 100000.
# With DATABASE_URL set, that server is used instead (its user needs CREATEDB).
source "$(dirname "$0")/_python.sh"

export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
if [ -n "${DATABASE_URL:-}" ]; then
  exec .venv/bin/python benchmarks/scale.py "$@"
fi

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)"; exit 1; }

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RUN_DIR="$(mktemp -d /tmp/fjc-bench.XXXXXX)"
chmod 755 "$RUN_DIR"
PG_PORT="$(free_port)"
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then mkdir -p "$RUN_DIR/pg" && chown postgres "$RUN_DIR/pg"; fi

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$RUN_DIR/pg" -U postgres --auth=trust -E UTF8 >/dev/null
# Only where it listens is set: every other setting is the shipped default.
as_pg "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -l "$RUN_DIR/pg/log" -w start -o \
  "-p $PG_PORT -k $RUN_DIR/pg -c listen_addresses=127.0.0.1" >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/fjc"
started=$SECONDS
status=0
.venv/bin/python benchmarks/scale.py "$@" || status=$?
echo "Benchmark finished in $((SECONDS - started)) s."
exit "$status"
