#!/usr/bin/env bash
# PostgreSQL for the host infrastructure mode: initdb on first start, then the server in the foreground.
# Env: PG_DATA_DIR (cluster directory), PGPORT (port to listen on), PG_PASSWORD (password of user postgres).
set -euo pipefail
: "${PG_DATA_DIR:?}" "${PGPORT:?}" "${PG_PASSWORD:?}"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
  echo "PostgreSQL server binaries not found: install the Debian package 'postgresql' (or run eng/install-deps.sh), or use Docker (--infra containers)." >&2
  exit 127
fi

mkdir -p "$PG_DATA_DIR"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: drop to the postgres user, which must be able to reach the directory.
  chown postgres:postgres "$PG_DATA_DIR"
  if ! setpriv --reuid=postgres --regid=postgres --init-groups test -w "$PG_DATA_DIR"; then
    echo "User postgres cannot reach $PG_DATA_DIR (a parent directory is private); choose a data directory it can reach." >&2
    exit 1
  fi
  run_as=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi

if [ ! -s "$PG_DATA_DIR/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$PG_PASSWORD" > "$pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres "$pwfile"
  "${run_as[@]}" "$bin/initdb" -D "$PG_DATA_DIR" -U postgres --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
fi

# Stopped by the orchestrator (SIGTERM), the server shuts down "fast": it closes its clients' sessions instead of
# waiting for them to leave (PostgreSQL's own SIGTERM is a smart shutdown): a server still waiting for the services'
# pooled connections would hold the data directory when the next run starts.
# pg_stat_statements is preloaded so that the flash-sale benchmark can read what each order costs the server.
"${run_as[@]}" "$bin/postgres" -D "$PG_DATA_DIR" -p "$PGPORT" \
  -c listen_addresses=127.0.0.1 -c unix_socket_directories="$PG_DATA_DIR" \
  -c max_connections=400 -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off \
  -c full_page_writes=off -c log_min_messages=warning -c log_checkpoints=off \
  -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top &
server=$!
trap 'kill -INT "$server" 2>/dev/null' TERM INT
status=0
wait "$server" || status=$?
# A trapped signal ends the first wait early (status 128 + signal): wait again for the server to finish shutting down.
if [ "$status" -gt 128 ] && kill -0 "$server" 2>/dev/null; then
  status=0
  wait "$server" || status=$?
fi
exit "$status"
