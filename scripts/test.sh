#!/usr/bin/env bash
# Run the whole test suite against a real PostgreSQL and Redis, started here on loopback
# in throwaway folders and stopped afterwards. Extra arguments go to pytest.
source "$(dirname "$0")/_python.sh"

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)"; exit 1; }

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RUN_DIR="$(mktemp -d /tmp/fjc-test.XXXXXX)"
chmod 755 "$RUN_DIR"
PG_PORT="$(free_port)"; REDIS_PORT="$(free_port)"
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then mkdir -p "$RUN_DIR/pg" && chown postgres "$RUN_DIR/pg"; fi

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$RUN_DIR/pg" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -l "$RUN_DIR/pg/log" -w start -o \
  "-p $PG_PORT -k $RUN_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off -c autovacuum=off" >/dev/null
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$RUN_DIR" --logfile "$RUN_DIR/redis.log" >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/fjc"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# Two workers: the machine has two cores. FJC_TEST_WORKERS=0 runs in one process.
started=$SECONDS
status=0
${PYTEST_PREFIX:-.venv/bin/python} -m pytest --create-db -n "${FJC_TEST_WORKERS:-2}" "$@" || status=$?
echo "Test suite finished in $((SECONDS - started)) s (the whole script, install and services included: $SECONDS s)."
exit "$status"
