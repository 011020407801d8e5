#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1 for the ledger's PostgreSQL test, and exports
# JUNCTION_TEST_PG_URL for it. Source it (". .ci/postgres.sh"); call junction_pg_stop to stop it.
# Installs Debian's postgresql package when it is missing (needs root, as on CI). Never fatal: when
# PostgreSQL cannot be had, it says so loudly and the test reports itself skipped.

junction_pg_start() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bindir" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "CI: installing PostgreSQL (Debian package) for the ledger test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/tmp/junction-pg-install.log 2>&1 \
      || { echo "CI: WARNING: apt-get install postgresql failed (see /tmp/junction-pg-install.log)"; }
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  if [ -z "$bindir" ]; then
    echo "CI: WARNING: no PostgreSQL server: the ledger's PostgreSQL test will be SKIPPED"
    return 0
  fi
  local runas=()
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runas=(runuser -u postgres --)
  fi
  JUNCTION_PG_DIR=$(mktemp -d /tmp/junction-pg.XXXXXX)
  [ "$(id -u)" = "0" ] && chown postgres "$JUNCTION_PG_DIR"
  if ! "${runas[@]}" "$bindir/initdb" -D "$JUNCTION_PG_DIR/data" -U postgres --auth=trust -E UTF8 >"$JUNCTION_PG_DIR/initdb.log" 2>&1; then
    echo "CI: WARNING: initdb failed (see $JUNCTION_PG_DIR/initdb.log): the PostgreSQL test will be SKIPPED"
    return 0
  fi
  local port started=""
  for port in 55432 55433 55434 55435 55436; do
    if "${runas[@]}" "$bindir/pg_ctl" -D "$JUNCTION_PG_DIR/data" -l "$JUNCTION_PG_DIR/server.log" -w -t 30 \
        -o "-p $port -h 127.0.0.1 -k $JUNCTION_PG_DIR" start >/dev/null 2>&1; then
      started=$port
      break
    fi
  done
  if [ -z "$started" ]; then
    echo "CI: WARNING: PostgreSQL did not start (see $JUNCTION_PG_DIR/server.log): the test will be SKIPPED"
    return 0
  fi
  "${runas[@]}" "$bindir/psql" -h 127.0.0.1 -p "$started" -U postgres -qc "CREATE DATABASE junction_test" >/dev/null || true
  export JUNCTION_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$started/junction_test?user=postgres"
  JUNCTION_PG_BIN=$bindir
  JUNCTION_PG_RUNAS="${runas[*]}"
  echo "CI: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$started for the ledger test"
}

# Never fails: it runs from the EXIT trap, where a failing command would turn a green run red.
junction_pg_stop() {
  if [ -n "${JUNCTION_PG_DIR:-}" ] && [ -n "${JUNCTION_PG_BIN:-}" ]; then
    $JUNCTION_PG_RUNAS "$JUNCTION_PG_BIN/pg_ctl" -D "$JUNCTION_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$JUNCTION_PG_DIR" 2>/dev/null || true
  fi
  return 0
}

# Called in an || list, so `set -e` of the caller cannot abort CI halfway through: any failure here
# only means the PostgreSQL test is skipped.
junction_pg_start || echo "CI: WARNING: PostgreSQL setup failed: the ledger's PostgreSQL test will be SKIPPED"
