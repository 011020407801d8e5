#!/usr/bin/env bash
# Starts a throwaway Redis server on 127.0.0.1 for the Redis limits-store tests (unit and two-replica
# end-to-end), and exports JUNCTION_TEST_REDIS_URL for it. Source it (". .ci/redis.sh"); call
# junction_redis_stop to stop it. Installs Debian's redis-server package when it is missing (needs
# root, as on CI). No persistence (--save '' --appendonly no). Never fatal: when Redis cannot be had,
# it says so loudly and the tests report themselves skipped.

junction_redis_start() {
  local bin
  bin=$(command -v redis-server || true)
  if [ -z "$bin" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "CI: installing Redis (Debian package) for the limits-store tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/tmp/junction-redis-install.log 2>&1 \
      || { echo "CI: WARNING: apt-get install redis-server failed (see /tmp/junction-redis-install.log)"; }
    bin=$(command -v redis-server || true)
  fi
  if [ -z "$bin" ]; then
    echo "CI: WARNING: no Redis server: the Redis limits-store tests will be SKIPPED"
    return 0
  fi
  JUNCTION_REDIS_DIR=$(mktemp -d /tmp/junction-redis.XXXXXX)
  local port started=""
  for port in 56379 56380 56381 56382 56383; do
    # a port someone already listens on is not free (redis-server would fail to bind anyway)
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    if "$bin" --bind 127.0.0.1 --port "$port" --save '' --appendonly no --protected-mode yes \
        --daemonize yes --pidfile "$JUNCTION_REDIS_DIR/redis.pid" --logfile "$JUNCTION_REDIS_DIR/redis.log" \
        --dir "$JUNCTION_REDIS_DIR" >/dev/null 2>&1; then
      local i
      for i in $(seq 1 50); do
        if [ -s "$JUNCTION_REDIS_DIR/redis.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
          started=$port
          break
        fi
        sleep 0.1
      done
      [ -n "$started" ] && break
    fi
  done
  if [ -z "$started" ]; then
    echo "CI: WARNING: Redis did not start (see $JUNCTION_REDIS_DIR/redis.log): the Redis tests will be SKIPPED"
    return 0
  fi
  export JUNCTION_TEST_REDIS_URL="redis://127.0.0.1:$started"
  echo "CI: Redis $("$bin" --version | awk '{print $3}' | sed 's/^v=//') on 127.0.0.1:$started for the limits-store tests"
}

# Never fails: it runs from the EXIT trap, where a failing command would turn a green run red.
junction_redis_stop() {
  if [ -n "${JUNCTION_REDIS_DIR:-}" ]; then
    local pid=""
    if [ -s "$JUNCTION_REDIS_DIR/redis.pid" ]; then
      pid=$(cat "$JUNCTION_REDIS_DIR/redis.pid" 2>/dev/null || true)
      [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    fi
    # wait (at most 5 s) until it has exited: it may still write into its directory while it stops
    local i
    for i in $(seq 1 50); do
      { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || break
      sleep 0.1
    done
    rm -rf "$JUNCTION_REDIS_DIR" 2>/dev/null || true
    JUNCTION_REDIS_DIR=
  fi
  return 0
}

# Called in an || list, so `set -e` of the caller cannot abort CI halfway through: any failure here
# only means the Redis tests are skipped.
junction_redis_start || echo "CI: WARNING: Redis setup failed: the Redis limits-store tests will be SKIPPED"
