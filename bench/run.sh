#!/usr/bin/env bash
# Junction's load suite (issue #6): the same bounded load against (a) the mock upstream directly,
# (b) nginx as a plain reverse proxy in front of it and (c) Junction with an openai provider pointed at
# it; prints one table per mode. Method, knobs and the latest results: docs/performance.md.
#
#   bench/run.sh                      # throughput, latency, stream, startup (about 15 minutes)
#   bench/run.sh throughput latency   # only these modes
#   bench/run.sh concurrency          # 10,000 slow streams held open (heavy; not in the default set)
#   bench/run.sh profile              # JFR of Junction under load: hot methods, allocation by site
#   bench/run.sh cpuprofile           # async-profiler CPU samples under wrk: share by thread and by Junction frame
#   bench/run.sh syscalls             # system calls, context switches, user/system CPU per request of each proxy
#   bench/run.sh jmh                  # the JMH micro-benchmarks with -prof gc
#   BASE_JAR=<before.jar> bench/run.sh ab  # two Junction builds interleaved: req/s, CPU and bytes per request
#
# Knobs (environment): REPEATS=3 TP_SECONDS=15 LAT_SECONDS=30 LAT_RATE=<half of Junction's max> LAT_LOW_RATE=1000
#   LAT_RATES="1000 4000 7000" (latency mode: these rates instead of the two above)
#   SLOW_US=1000 (latency mode: each run's requests slower than that, with when they were due, in slow-*.tsv)
#   STREAM_RATE=50 STREAM_SECONDS=20 FIRST_TOKEN_MS=50 CHUNK_MS=20 CHUNKS=50
#   STREAM_ARRIVALS="fixed poisson" (stream mode: streams started on a fixed schedule, which at 50/s puts
#   every stream's chunks on the same 20 ms tick, and/or at Poisson arrivals of the same mean rate)
#   CONC_STREAMS=10000 CONC_RAMP=40 CONC_HOLD=30 JUNCTION_JAR=<jar to test> SKIP_BUILD=1
#   JUNCTION_OPTS="-Xmx512m" (keep it when adding options) NETTY_OPTS="-Xmx512m" (the netty target's)
#   LEDGER=sqlite|none LEDGER_BATCH=<ledger.batch_size> ACCESS_LOG=true|false PROFILE_EVENT=cpu|alloc|wall PROFILE_LOAD=wrk|stream
#   PROFILE_INTERVAL=<ns of CPU or bytes allocated per sample> (default: 1 ms; 64 KiB for PROFILE_EVENT=alloc)
#   SYSCALL_RATE=<req/s> SYSCALLS=<names> JUNCTION_LOOPS=<server.event_loop_threads> (default: Junction's, one per core)
#   BASE_JAR=<jar to compare JUNCTION_JAR against> (mode ab; BASE_OPTS: its java options, default JUNCTION_OPTS;
#   AB_RATE=<req/s>: measure at that fixed rate with LoadGen instead of wrk's closed loop)
#   WARMUP_SCRAPES=1 (0: no GETs of /metrics, /health and /ready during Junction's warm-up, as before the
#   fourteenth session)
#   WARMUP_SECONDS=90 (JIT warm-up before measuring) TARGETS="direct nginx junction" (which to measure;
#   add netty for the JVM floor: io.junction.bench.NettyProxy, a plain Netty reverse proxy)
#   RIG_NICE=<n> (run the mock, LoadGen and wrk under `nice -n n`, e.g. -10 as root: the instrument and
#   the stand-in provider ahead of the proxy for the CPU, as if on their own machines; default: all equal)
#   STREAM_TIMELINE=1 (stream mode: each measured stream's times in timeline-<mode>-<target>-<run>.tsv, for
#   bench/probe/timeline.py; with a Junction built with bench/probe/junction-ttft-probe.patch, Junction's too)
#   RIG_JIT=idle|normal (stream mode: the JIT compiler threads of the mock and of each run's load generator
#   at SCHED_IDLE, so that a compile never holds a core a relayed chunk's thread is waiting for; default idle)
#   RIG_CPUS=0 PROXY_CPUS=1 (taskset CPU lists: the mock, LoadGen and wrk on the first, nginx and Junction on
#   the second, so that no process of the rig runs on the proxy's cores; nginx gets one worker per proxy CPU
#   and Junction one event loop per proxy CPU, as each does by itself; default: no pinning)
# Every load is bounded in time; everything listens on 127.0.0.1 only; all processes started here are
# stopped on exit (by their pid).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. .mvn/select-jdk.sh

REPEATS=${REPEATS:-3}
TP_SECONDS=${TP_SECONDS:-15}
WRK_THREADS=${WRK_THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
LAT_SECONDS=${LAT_SECONDS:-30}
LAT_WARMUP=${LAT_WARMUP:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-90}
LAT_LOW_RATE=${LAT_LOW_RATE:-1000}
STREAM_RATE=${STREAM_RATE:-50}
STREAM_ARRIVALS=${STREAM_ARRIVALS:-fixed poisson}
for a in $STREAM_ARRIVALS; do
  case $a in fixed | poisson) ;; *) echo "STREAM_ARRIVALS: fixed and/or poisson, not $a" >&2; exit 2 ;; esac
done
STREAM_SECONDS=${STREAM_SECONDS:-20}
FIRST_TOKEN_MS=${FIRST_TOKEN_MS:-50}
CHUNK_MS=${CHUNK_MS:-20}
CHUNKS=${CHUNKS:-50}
CONC_STREAMS=${CONC_STREAMS:-10000}
CONC_RAMP=${CONC_RAMP:-40}
CONC_HOLD=${CONC_HOLD:-30}
JUNCTION_OPTS=${JUNCTION_OPTS:--Xmx512m}
LEDGER=${LEDGER:-sqlite}          # sqlite (the default config's) or none: what the usage ledger costs
LEDGER_BATCH=${LEDGER_BATCH:-}    # ledger.batch_size for Junction (empty: Junction's default)
ACCESS_LOG=${ACCESS_LOG:-true}    # Junction's default; false: what the access log costs
MOCK_OPTS=${MOCK_OPTS:--Xms256m -Xmx256m}
LOADGEN_OPTS=${LOADGEN_OPTS:--Xms512m -Xmx512m}
RIG_NICE=${RIG_NICE:-}
RIG=()
if [ -n "$RIG_NICE" ]; then
  [ "$(nice -n "$RIG_NICE" nice 2>/dev/null)" = "$RIG_NICE" ] ||
    { echo "RIG_NICE=$RIG_NICE: cannot set that priority here (a negative one needs root)" >&2; exit 2; }
  RIG=(nice -n "$RIG_NICE")
fi
RIG_JIT=${RIG_JIT:-idle}
case $RIG_JIT in idle | normal) ;; *) echo "RIG_JIT: idle or normal, not $RIG_JIT" >&2; exit 2 ;; esac
if [ "$RIG_JIT" = idle ] && ! command -v chrt >/dev/null; then echo "RIG_JIT=idle needs chrt (util-linux)" >&2; exit 2; fi
RIG_CPUS=${RIG_CPUS:-}
PROXY_CPUS=${PROXY_CPUS:-}
PROXY=()
NGINX_WORKERS=2
if [ -n "$RIG_CPUS$PROXY_CPUS" ]; then
  [ -n "$RIG_CPUS" ] && [ -n "$PROXY_CPUS" ] || { echo "RIG_CPUS and PROXY_CPUS go together" >&2; exit 2; }
  command -v taskset >/dev/null || { echo "RIG_CPUS/PROXY_CPUS need taskset (util-linux)" >&2; exit 2; }
  RIG=(taskset -c "$RIG_CPUS" "${RIG[@]}")
  PROXY=(taskset -c "$PROXY_CPUS")
  NGINX_WORKERS=$("${PROXY[@]}" nproc) || { echo "PROXY_CPUS=$PROXY_CPUS: not a CPU list here" >&2; exit 2; }
  "${RIG[@]}" true || { echo "RIG_CPUS=$RIG_CPUS: not a CPU list here" >&2; exit 2; }
fi
MOCK_PORT=${MOCK_PORT:-18081}
SLOW_PORT=${SLOW_PORT:-18082}
NGINX_PORT=${NGINX_PORT:-18080}
JUNCTION_PORT=${JUNCTION_PORT:-18090}
NETTY_PORT=${NETTY_PORT:-18092}
NETTY_OPTS=${NETTY_OPTS:--Xmx512m}

MODES=("$@")
[ ${#MODES[@]} -gt 0 ] || MODES=(throughput latency stream startup)

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$ROOT/bench/results/$STAMP}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd) # absolute: nginx resolves its paths against its prefix, not the working directory
RAW=$OUT/raw.tsv
: >"$RAW"
BENCH_JAR=$ROOT/gateway-benchmarks/target/benchmarks.jar
JUNCTION_JAR=${JUNCTION_JAR:-$ROOT/gateway-server/target/junction.jar}
HZ=$(getconf CLK_TCK)
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }

# ---------------------------------------------------------------- set-up

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)

if [ -z "${SKIP_BUILD:-}" ]; then
  log "building junction.jar and benchmarks.jar"
  ./mvnw -B -q -Pbench -DskipTests package -pl gateway-benchmarks -am
fi
command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  log "installing nginx (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq nginx-light >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  # A run writes several GB of access-log lines and ledger rows (about 8 MB/s at full load); keep
  # the rest of the log for diagnosis, not those, or a few dozen runs fill the disk.
  if [ -f "$OUT/junction.log" ]; then
    grep -v '"type":"access"' "$OUT/junction.log" >"$OUT/junction.log.tmp" || true
    mv "$OUT/junction.log.tmp" "$OUT/junction.log"
  fi
  rm -f "$OUT"/junction-usage.db*
}
trap cleanup EXIT

wait_port() { # port timeout_s
  local end=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [ $SECONDS -lt $end ] || { log "port $1 did not open"; return 1; }
    sleep 0.05
  done
}

MOCK_PID=
start_mock() {
  "${RIG[@]}" java $MOCK_OPTS -XX:-UseDynamicNumberOfCompilerThreads -cp "$BENCH_JAR" io.junction.bench.MockUpstream --port "$MOCK_PORT" --threads 2 \
    --first-token-ms "$FIRST_TOKEN_MS" --chunk-ms "$CHUNK_MS" --chunks "$CHUNKS" >"$OUT/mock.log" 2>&1 &
  MOCK_PID=$!; PIDS+=("$MOCK_PID")
  wait_port "$MOCK_PORT" 30
}

SLOW_PID=
start_slow_mock() {
  "${RIG[@]}" java $MOCK_OPTS -cp "$BENCH_JAR" io.junction.bench.MockUpstream --port "$SLOW_PORT" --threads 2 \
    --first-token-ms 0 --chunk-ms 1000 --chunks 600 >"$OUT/mock-slow.log" 2>&1 &
  SLOW_PID=$!; PIDS+=("$SLOW_PID")
  wait_port "$SLOW_PORT" 30
}

NGINX_PID=
start_nginx() {
  mkdir -p "$OUT/nginx/logs"
  sed -e "s#__OUT__#$OUT/nginx#g" -e "s#__MOCK_PORT__#$MOCK_PORT#g" -e "s#__NGINX_PORT__#$NGINX_PORT#g" \
    -e "s#__WORKERS__#$NGINX_WORKERS#g" "$ROOT/bench/nginx.conf.template" >"$OUT/nginx/nginx.conf"
  "${PROXY[@]}" "$NGINX" -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" >"$OUT/nginx/stdout.log" 2>&1 &
  NGINX_PID=$!; PIDS+=("$NGINX_PID")
  wait_port "$NGINX_PORT" 30
}

NETTY_PID=
start_netty() { # the JVM floor: a plain Netty reverse proxy (io.junction.bench.NettyProxy), as many event loops as Junction
  local loops; loops=$("${PROXY[@]}" nproc)
  "${PROXY[@]}" java $NETTY_OPTS -cp "$BENCH_JAR" io.junction.bench.NettyProxy --port "$NETTY_PORT" \
    --upstream-port "$MOCK_PORT" --threads "$loops" >"$OUT/netty.log" 2>&1 &
  NETTY_PID=$!; PIDS+=("$NETTY_PID")
  wait_port "$NETTY_PORT" 30
}

write_junction_config() {
  cat >"$OUT/junction.yaml" <<EOF
# written by bench/run.sh
server:
  host: 127.0.0.1
  port: $JUNCTION_PORT
${JUNCTION_LOOPS:+  event_loop_threads: $JUNCTION_LOOPS}
providers:
  upstream:
    type: openai
    base_url: http://127.0.0.1:$MOCK_PORT/v1
    api_key: sk-bench
    retry: {max_retries: 0}
  slow:
    type: openai
    base_url: http://127.0.0.1:$SLOW_PORT/v1
    api_key: sk-bench
    retry: {max_retries: 0}
  inproc:
    type: mock
    chunk_delay_ms: 1000
ledger:
  type: $LEDGER
  path: $OUT/junction-usage.db   # per run: a ledger grown by earlier runs would skew the numbers
${LEDGER_BATCH:+  batch_size: $LEDGER_BATCH}
logging:
  access_log: $ACCESS_LOG
models:
  gpt-4.1-mini:
    targets: [upstream/gpt-4.1-mini]
  slow:
    targets: [slow/gpt-4.1-mini]
  inproc:
    targets: [inproc/echo]
EOF
}

JUNCTION_PID=
STARTUP_MS=
start_junction() { # extra java options...
  write_junction_config
  local t0; t0=$(date +%s%N)
  "${PROXY[@]}" java $JUNCTION_OPTS "$@" -jar "$JUNCTION_JAR" --config "$OUT/junction.yaml" >>"$OUT/junction.log" 2>&1 &
  JUNCTION_PID=$!; PIDS+=("$JUNCTION_PID")
  local end=$((SECONDS + 60))
  until curl -sf -o /dev/null "http://127.0.0.1:$JUNCTION_PORT/health"; do
    [ $SECONDS -lt $end ] || { log "junction did not become ready"; tail -20 "$OUT/junction.log" >&2; exit 1; }
    sleep 0.01
  done
  STARTUP_MS=$((($(date +%s%N) - t0) / 1000000))
}

stop_pid() { kill "$1" 2>/dev/null || true; for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$1" 2>/dev/null || true; }

url_of() {
  case $1 in
    direct) echo "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" ;;
    netty) echo "http://127.0.0.1:$NETTY_PORT/v1/chat/completions" ;;
    junction) echo "http://127.0.0.1:$JUNCTION_PORT/v1/chat/completions" ;;
  esac
}

# pids whose CPU and memory count as "the proxy" of a target
proxy_pids() {
  case $1 in
    direct) echo "$MOCK_PID" ;;
    nginx) echo "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')" ;;
    netty) echo "$NETTY_PID" ;;
    junction) echo "$JUNCTION_PID" ;;
  esac
}

cpu_ticks() { # pids... -> utime+stime clock ticks, summed
  local t=0 p f
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    read -r -a f <<<"$(sed 's/^.*) //' "/proc/$p/stat")" # fields after "pid (comm) ", from state (3)
    t=$((t + f[11] + f[12]))                              # utime (14) + stime (15)
  done
  echo $t
}
hwm_kb() { local t=0 p v; for p in "$@"; do v=$(awk '/^VmHWM/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0); t=$((t + ${v:-0})); done; echo $t; }
rss_kb() { local t=0 p v; for p in "$@"; do v=$(awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0); t=$((t + ${v:-0})); done; echo $t; }
# wait_s <pids...>: seconds that the processes' threads, summed, spent runnable but waiting for a CPU
# (the kernel's per-thread schedstat, second field). On a box shared by the load generator, the mock and
# the proxy, this wait is latency that no code of the proxy spends (docs/performance-log.md, "Ninth session").
wait_s() {
  local p
  for p in "$@"; do cat /proc/"$p"/task/*/schedstat 2>/dev/null; done | awk '{w+=$2} END{printf "%.0f", w}'
}
ns_to_s() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", (b-a)/1e9}'; }
ticks_to_s() { awk -v t="$1" -v hz="$HZ" 'BEGIN{printf "%.3f", t/hz}'; }

# measure <mode> <target> <run> <command...>: runs the load, appends one line to raw.tsv
measure() {
  local mode=$1 target=$2 run=$3; shift 3
  local ppids; ppids=$(proxy_pids "$target")
  local c0 m0 c1 m1 w0 w1 v0 v1 result
  c0=$(cpu_ticks $ppids); m0=$(cpu_ticks "$MOCK_PID"); w0=$(wait_s $ppids); v0=$(wait_s "$MOCK_PID")
  result=$("$@" 2>>"$OUT/load.err" | tee -a "$OUT/load.log" | grep '^RESULT' | tail -1 | sed 's/^RESULT //') || true
  c1=$(cpu_ticks $ppids); m1=$(cpu_ticks "$MOCK_PID"); w1=$(wait_s $ppids); v1=$(wait_s "$MOCK_PID")
  [ -n "$result" ] || { log "no result from: $*"; result="errors=-1"; }
  printf '%s\t%s\t%s\t%s cpu_proxy_s=%s cpu_mock_s=%s rss_proxy_kb=%s rss_mock_kb=%s load1=%s wait_proxy_s=%s wait_mock_s=%s\n' \
    "$mode" "$target" "$run" "$result" "$(ticks_to_s $((c1 - c0)))" "$(ticks_to_s $((m1 - m0)))" "$(hwm_kb $ppids)" \
    "$(hwm_kb "$MOCK_PID")" "$(cut -d' ' -f1 /proc/loadavg)" "$(ns_to_s "$w0" "$w1")" "$(ns_to_s "$v0" "$v1")" >>"$RAW"
  log "$mode $target #$run: $result"
}

wrk_run() { # target seconds
  BENCH_BODY=$ROOT/bench/bodies/chat.json "${RIG[@]}" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$2"s --timeout 10s \
    -s "$ROOT/bench/wrk-post.lua" "$(url_of "$1")"
}

loadgen() { "${RIG[@]}" java $LOADGEN_OPTS -cp "$BENCH_JAR" io.junction.bench.LoadGen "$@"; }

# The load generator is a fresh JVM for every run, and its C2 compiles (3-12 ms each) went on through the
# measured streams: on two shared cores a relayed chunk's thread, woken while a compile held a core,
# waited for that compile's time slice even with the other core idle (perf sched, s14-sched). SCHED_IDLE
# compiler threads still get every idle moment (the box is ~15% busy in stream mode) but give way at once.
jit_idle() { # pid: its JIT compiler threads to SCHED_IDLE (a JVM starts them at once with the flag below)
  local i t
  for i in $(seq 100); do # until both compilers' threads are there (C2's is started first)
    [ "$(cat /proc/"$1"/task/*/comm 2>/dev/null | grep -c Compiler)" -ge 2 ] && break
    sleep 0.02
  done
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in "C1 CompilerThre"* | "C2 CompilerThre"*) chrt -i -p 0 "${t##*/}" 2>/dev/null || true ;; esac
  done
}

loadgen_stream() { # loadgen stream ..., its JIT at SCHED_IDLE with RIG_JIT=idle
  if [ "$RIG_JIT" != idle ]; then loadgen stream "$@"; return; fi
  "${RIG[@]}" java $LOADGEN_OPTS -XX:-UseDynamicNumberOfCompilerThreads -cp "$BENCH_JAR" io.junction.bench.LoadGen stream "$@" &
  local p=$!
  jit_idle "$p"
  wait "$p"
}

scrape_junction() { # seconds: what a Prometheus scrape and a load balancer's probes send, once a second
  local end=$((SECONDS + $1)) p
  while [ $SECONDS -lt $end ]; do
    for p in metrics health ready; do curl -s -o /dev/null "http://127.0.0.1:$JUNCTION_PORT/$p" || true; done
    sleep 1
  done
}

metric() { # prometheus metric name -> value (sum over series)
  curl -s "http://127.0.0.1:$JUNCTION_PORT/metrics" | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {printf "%.0f", s}'
}

read -r -a TARGETS <<<"${TARGETS:-direct nginx junction}" # TARGETS=junction: Junction alone
for t in "${TARGETS[@]}"; do
  case $t in direct | nginx | netty | junction) ;; *) echo "TARGETS: direct, nginx, netty, junction; not $t" >&2; exit 2 ;; esac
done
wants() { [[ " ${TARGETS[*]} " == *" $1 "* ]]; }
ensure_stack() {
  [ -n "$MOCK_PID" ] || start_mock
  [ -n "$NGINX_PID" ] || start_nginx
  if wants netty && [ -z "$NETTY_PID" ]; then start_netty; fi
  if [ -z "$JUNCTION_PID" ]; then start_junction; log "junction ready in ${STARTUP_MS} ms"; fi
}

WARMED=
warm_up() { # JIT warm-up of every JVM involved: Junction gets the longest (it has the most code to compile)
  [ -z "$WARMED" ] || return 0
  WARMED=1
  # Streams run alongside the closed loop, as mixed traffic would: the JIT then compiles the paths the
  # two share with both kinds' profiles, and a measured run of one kind after the other does not
  # meet uncommon traps and recompile under measurement (it did with the streams warmed up last).
  # A deployed Junction is also scraped and probed (GETs of /metrics, /health, /ready) from its first
  # second, so those GETs are in the JIT's profile of the request path. Without them the first scrape
  # after the warm-up (the suite's own, for allocation) hit uncommon traps in the request decoder and
  # handler, and the measured run that followed paid for their C2 recompilation (s14-jitlog).
  log "warm-up: ${WARMUP_SECONDS}s of wrk on junction with streams alongside and a scrape a second, 5s on the others (not recorded)"
  loadgen stream --url "$(url_of junction)" --body bench/bodies/chat-stream.json --rate "$STREAM_RATE" \
    --duration "$WARMUP_SECONDS" --warmup 0 >/dev/null 2>&1 &
  local streams=$!
  local scrapes=
  if [ "${WARMUP_SCRAPES:-1}" != 0 ]; then scrape_junction "$WARMUP_SECONDS" & scrapes=$!; fi
  wrk_run junction "$WARMUP_SECONDS" >/dev/null
  wait "$streams" || true
  [ -z "$scrapes" ] || wait "$scrapes" || true
  if wants netty; then # a JVM too, with far less code: a third of Junction's warm-up, the same mix
    loadgen stream --url "$(url_of netty)" --body bench/bodies/chat-stream.json --rate "$STREAM_RATE" \
      --duration $((WARMUP_SECONDS / 3)) --warmup 0 >/dev/null 2>&1 &
    streams=$!
    wrk_run netty $((WARMUP_SECONDS / 3)) >/dev/null
    wait "$streams" || true
  fi
  wrk_run nginx 5 >/dev/null
  wrk_run direct 5 >/dev/null
}

# ---------------------------------------------------------------- modes

mode_throughput() {
  ensure_stack; warm_up
  for r in $(seq "$REPEATS"); do
    for t in "${TARGETS[@]}"; do measure throughput "$t" "$r" wrk_run "$t" "$TP_SECONDS"; done
  done
}

mode_latency() {
  ensure_stack
  local rate=${LAT_RATE:-}
  if [ -z "$rate" ]; then # half the median of this run's closed-loop results, if the throughput mode ran
    rate=$(awk -F'\t' '$1=="throughput" && $2=="junction"' "$RAW" | { grep -o 'rps=[0-9.]*' || true; } |
      cut -d= -f2 | sort -n | awk '{v[NR]=$1} END {if (NR) printf "%d", v[int((NR+1)/2)] / 2}')
  fi
  warm_up
  if [ -n "${LAT_RATES:-}" ]; then # a sweep: where the added tail starts to grow
    log "fixed rates: $LAT_RATES req/s"
    for r in $LAT_RATES; do lat_series "$r"; done
    return
  fi
  if [ -z "$rate" ]; then
    rate=$(wrk_run junction 10 | sed -n 's/^RESULT rps=\([0-9]*\).*/\1/p'); rate=$((rate / 2))
  fi
  log "fixed rates: $rate req/s (half of Junction's closed-loop max) and ${LAT_LOW_RATE} req/s"
  echo "$rate" >"$OUT/lat_rate"
  lat_series "$rate"
  [ "$LAT_LOW_RATE" = 0 ] || lat_series "$LAT_LOW_RATE"
}

lat_series() { # rate
  local rate=$1
  for r in $(seq "$REPEATS"); do
    for t in "${TARGETS[@]}"; do
      if [ "$t" = junction ]; then
        jcmd "$JUNCTION_PID" GC.run >/dev/null; sleep 0.5
        local a0 d0; a0=$(metric jvm_gc_memory_allocated_bytes_total); d0=$(metric junction_ledger_dropped_total)
      fi
      local slow=()
      [ -z "${SLOW_US:-}" ] || slow=(--slow-log "$OUT/slow-$t-$rate-$r.tsv" --slow-us "$SLOW_US")
      measure "latency@$rate" "$t" "$r" loadgen rate --url "$(url_of "$t")" --body bench/bodies/chat.json \
        --rate "$rate" --duration "$LAT_SECONDS" --warmup "$LAT_WARMUP" "${slow[@]}"
      if [ "$t" = junction ]; then
        jcmd "$JUNCTION_PID" GC.run >/dev/null; sleep 0.5
        local a1 n; a1=$(metric jvm_gc_memory_allocated_bytes_total)
        n=$(tail -1 "$RAW" | grep -o 'total=[0-9]*' | cut -d= -f2)
        # append the JVM-wide allocation per request, and the ledger records lost (queue full), to the run's line
        local d1; d1=$(metric junction_ledger_dropped_total)
        sed -i '$ s/$/ alloc_per_req_bytes='"$(awk -v a=$((a1 - a0)) -v n="$n" 'BEGIN{printf "%.0f", a/n}')"' ledger_dropped='"$((d1 - d0))"'/' "$RAW"
        log "junction latency@$rate run $r: ledger records dropped $((d1 - d0)) of $n requests"
      fi
    done
  done
}

mode_stream() {
  ensure_stack; warm_up
  [ "$RIG_JIT" != idle ] || jit_idle "$MOCK_PID" # after the warm-up: its code is compiled by then
  local arrivals
  for r in $(seq "$REPEATS"); do
    for arrivals in $STREAM_ARRIVALS; do
      local name=stream; [ "$arrivals" = fixed ] || name=stream-$arrivals
      for t in "${TARGETS[@]}"; do
        if [ "$t" = junction ]; then
          jcmd "$JUNCTION_PID" GC.run >/dev/null; sleep 0.5
          local a0; a0=$(metric jvm_gc_memory_allocated_bytes_total)
        fi
        local timeline=()
        [ -z "${STREAM_TIMELINE:-}" ] || timeline=(--timeline "$OUT/timeline-$name-$t-$r.tsv")
        measure "$name" "$t" "$r" loadgen_stream --url "$(url_of "$t")" --body bench/bodies/chat-stream.json \
          --rate "$STREAM_RATE" --duration "$STREAM_SECONDS" --warmup 5 --arrivals "$arrivals" "${timeline[@]}"
        if [ "$t" = junction ]; then
          jcmd "$JUNCTION_PID" GC.run >/dev/null; sleep 0.5
          local a1 n m c; a1=$(metric jvm_gc_memory_allocated_bytes_total)
          n=$(tail -1 "$RAW" | grep -o ' total=[0-9]*' | cut -d= -f2)     # streams, warm-up ones included
          m=$(tail -1 "$RAW" | grep -o ' requests=[0-9]*' | cut -d= -f2)  # streams measured
          c=$(tail -1 "$RAW" | grep -o ' chunks=[0-9]*' | cut -d= -f2)    # chunks of the measured streams
          # JVM-wide allocation across the run per stream, and per chunk (chunks scaled to all streams):
          # the per-stream costs (request, routing, headers, usage chunk) are in it, spread over the chunks
          sed -i '$ s/$/ alloc_per_stream_bytes='"$(awk -v a=$((a1 - a0)) -v n="$n" 'BEGIN{printf "%.0f", a/n}')"' alloc_per_chunk_bytes='"$(awk -v a=$((a1 - a0)) -v n="$n" -v m="$m" -v c="$c" 'BEGIN{printf "%.0f", a/(c*n/m)}')"'/' "$RAW"
          log "junction stream ($arrivals) run $r: $(tail -1 "$RAW" | grep -o 'alloc_per_[a-z]*_bytes=[0-9]*' | tr '\n' ' ')"
        fi
      done
    done
  done
}

mode_startup() {
  # time from exec of the JVM until /health answers, on a fresh JVM each time: as shipped, then with an
  # AppCDS archive (class metadata of a previous run mapped at start: -XX:SharedArchiveFile), then with
  # the AOT cache the Docker image ships
  [ -n "$MOCK_PID" ] || start_mock
  if [ -n "$JUNCTION_PID" ]; then stop_pid "$JUNCTION_PID"; JUNCTION_PID=; fi
  local times=() cds=()
  for _ in 1 2 3 4 5; do
    start_junction; times+=("$STARTUP_MS"); stop_pid "$JUNCTION_PID"; JUNCTION_PID=
  done
  echo "${times[*]}" >"$OUT/startup_ms"
  log "start-up to ready (ms): ${times[*]}"
  start_junction -XX:ArchiveClassesAtExit="$OUT/junction.jsa"
  curl -s -o /dev/null -H 'content-type: application/json' --data @bench/bodies/chat.json "$(url_of junction)" || true
  stop_pid "$JUNCTION_PID"; JUNCTION_PID=
  if [ -f "$OUT/junction.jsa" ]; then
    for _ in 1 2 3 4 5; do
      start_junction -XX:SharedArchiveFile="$OUT/junction.jsa"; cds+=("$STARTUP_MS"); stop_pid "$JUNCTION_PID"; JUNCTION_PID=
    done
    echo "${cds[*]}" >"$OUT/startup_appcds_ms"
    log "start-up to ready with AppCDS (ms): ${cds[*]}"
  fi
  # JDK 25+: the AOT cache as the Docker image trains it (--warmup) and runs it
  local aot=()
  if java -XX:AOTCacheOutput="$OUT/junction.aot" -Xlog:aot=error -jar "$JUNCTION_JAR" --warmup >"$OUT/aot-training.log" 2>&1; then
    for _ in 1 2 3 4 5; do
      start_junction -XX:AOTCache="$OUT/junction.aot"; aot+=("$STARTUP_MS"); stop_pid "$JUNCTION_PID"; JUNCTION_PID=
    done
    echo "${aot[*]}" >"$OUT/startup_aot_ms"
    log "start-up to ready with the AOT cache (ms): ${aot[*]}"
  else
    log "no AOT cache (needs JDK 25+): see $OUT/aot-training.log"
  fi
}

conc_phase() { # name body streams
  local name=$1 body=$2 streams=$3
  if [ -n "$JUNCTION_PID" ]; then stop_pid "$JUNCTION_PID"; JUNCTION_PID=; fi
  start_junction
  log "concurrency/$name: $streams streams, ramp ${CONC_RAMP}s, hold ${CONC_HOLD}s, junction $JUNCTION_OPTS, nofile $NOFILE"
  local lg="$OUT/conc-$name.log"
  : >"$lg"
  LOADGEN_OPTS="-Xms1g -Xmx1g" loadgen hold --url "$(url_of junction)" --body "$body" --streams "$streams" \
    --ramp "$CONC_RAMP" --hold "$CONC_HOLD" >"$lg" 2>&1 &
  local lpid=$!; PIDS+=("$lpid")
  local end=$((SECONDS + CONC_RAMP + 120))
  until grep -q '^HOLDING' "$lg"; do
    [ $SECONDS -lt $end ] || break
    kill -0 "$lpid" 2>/dev/null || break
    sleep 1
  done
  sleep 2
  local fds rss hwm heap
  fds=$(ls "/proc/$JUNCTION_PID/fd" | wc -l)
  rss=$(rss_kb "$JUNCTION_PID")
  jcmd "$JUNCTION_PID" GC.run >/dev/null
  heap=$(jcmd "$JUNCTION_PID" GC.heap_info | tee "$OUT/conc-$name-heap.txt" | sed -n 's/.* used \([0-9]*K\).*/\1/p' | head -1)
  jcmd "$JUNCTION_PID" VM.native_memory summary >/dev/null 2>&1 || true
  wait "$lpid" || true
  hwm=$(hwm_kb "$JUNCTION_PID")
  local res; res=$(grep '^RESULT' "$lg" | sed 's/^RESULT //')
  printf 'concurrency\t%s\tstreams=%s junction_fds=%s rss_mib=%s peak_rss_mib=%s heap_after_gc=%s %s\n' "$name" "$streams" \
    "$fds" $((rss / 1024)) $((hwm / 1024)) "$heap" "$res" | tee -a "$OUT/concurrency.tsv" >&2
  stop_pid "$JUNCTION_PID"; JUNCTION_PID=
}

mode_concurrency() {
  [ -n "$MOCK_PID" ] || start_mock
  [ -n "$SLOW_PID" ] || start_slow_mock
  # Junction holds two sockets per relayed stream (client + upstream): the fd limit caps how many
  # network-upstream streams one process can hold. The in-process mock provider needs one.
  local max_net=$(((NOFILE - 400) / 2))
  local net=$CONC_STREAMS
  [ "$net" -le "$max_net" ] || net=$max_net
  conc_phase network-upstream bench/bodies/slow-stream.json "$net"
  conc_phase inprocess-upstream bench/bodies/inproc-stream.json "$CONC_STREAMS"
}

mode_profile() {
  ensure_stack
  if [ -n "$JUNCTION_PID" ]; then stop_pid "$JUNCTION_PID"; JUNCTION_PID=; fi
  start_junction
  WARMED=; warm_up
  jcmd "$JUNCTION_PID" JFR.start name=load settings=profile filename="$OUT/junction-load.jfr" >/dev/null
  wrk_run junction 20 | grep RESULT | tee -a "$OUT/profile.log"
  loadgen stream --url "$(url_of junction)" --body bench/bodies/chat-stream.json --rate "$STREAM_RATE" \
    --duration 15 --warmup 0 | grep RESULT | tee -a "$OUT/profile.log"
  jcmd "$JUNCTION_PID" JFR.stop name=load >/dev/null
  for v in hot-methods allocation-by-class allocation-by-site gc; do
    jfr view --width 200 "$v" "$OUT/junction-load.jfr" >"$OUT/jfr-$v.txt" 2>&1 || true
  done
  log "JFR views in $OUT/jfr-*.txt"
  stop_pid "$JUNCTION_PID"; JUNCTION_PID=
}

# async-profiler from Maven Central (the jar carries the native library), attached to the running
# Junction with jcmd; CPU samples (perf events, or itimer where the kernel offers none) while wrk runs.
ASYNC_PROFILER_VERSION=${ASYNC_PROFILER_VERSION:-4.6}
async_profiler_lib() {
  local dir="$ROOT/bench/.tools/async-profiler-$ASYNC_PROFILER_VERSION"
  if [ ! -f "$dir/linux-x64/libasyncProfiler.so" ]; then
    mkdir -p "$dir"
    curl -sfL -o "$dir/ap.jar" \
      "https://repo.maven.apache.org/maven2/tools/profiler/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION.jar"
    (cd "$dir" && unzip -q -o ap.jar 'linux-x64/*')
  fi
  echo "$dir/linux-x64/libasyncProfiler.so"
}

mode_cpuprofile() {
  ensure_stack
  if [ -n "$JUNCTION_PID" ]; then stop_pid "$JUNCTION_PID"; JUNCTION_PID=; fi
  start_junction
  WARMED=; warm_up
  local lib event=${PROFILE_EVENT:-cpu} out="$OUT/cpu.collapsed"
  lib=$(async_profiler_lib)
  local sampling # a sample per ms of CPU (or wall time); per 64 KiB allocated (a stream run allocates ~30 MB)
  if [ "$event" = alloc ]; then sampling="alloc=${PROFILE_INTERVAL:-65536}"; else sampling="interval=${PROFILE_INTERVAL:-1000000}"; fi
  jcmd "$JUNCTION_PID" JVMTI.agent_load "$lib" "\"start,event=$event,$sampling,threads,file=$out,collapsed\"" >/dev/null
  local c0 c1; c0=$(cpu_ticks "$JUNCTION_PID")
  if [ "${PROFILE_LOAD:-wrk}" = stream ]; then
    loadgen stream --url "$(url_of junction)" --body bench/bodies/chat-stream.json --rate "$STREAM_RATE" \
      --duration 20 --warmup 0 | grep RESULT | tee -a "$OUT/cpuprofile.log"
  else
    wrk_run junction 20 | grep RESULT | tee -a "$OUT/cpuprofile.log"
  fi
  c1=$(cpu_ticks "$JUNCTION_PID")
  jcmd "$JUNCTION_PID" JVMTI.agent_load "$lib" "\"stop,file=$out,collapsed\"" >/dev/null
  echo "junction_cpu_s=$(ticks_to_s $((c1 - c0)))" | tee -a "$OUT/cpuprofile.log"
  java -cp "$BENCH_JAR" io.junction.bench.ProfileSummary "$out" | tee "$OUT/cpuprofile.txt"
  log "collapsed stacks in $out (flame graph: any collapsed-stack viewer); summary in $OUT/cpuprofile.txt"
  stop_pid "$JUNCTION_PID"; JUNCTION_PID=
}

# Kernel-side work per request, proxy against proxy: system calls by name, context switches and
# user/system CPU of the proxy, of the mock behind it and of wrk in front, counted with perf's
# tracepoints (no sampling, low overhead) during the same closed-loop wrk run as mode_throughput, or,
# with SYSCALL_RATE=<req/s>, during a fixed-rate run of LoadGen at that rate against both ("wrk" then
# names the load generator's counts).
SYSCALLS=${SYSCALLS:-read,readv,recvfrom,recvmsg,write,writev,sendto,sendmsg,epoll_wait,epoll_pwait,epoll_pwait2,epoll_ctl,futex,timerfd_settime,sched_yield,clock_nanosleep,nanosleep,mprotect,madvise,accept4,close}
user_sys_ticks() { # pids... -> "utime stime" clock ticks, summed
  local u=0 s=0 p f
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    read -r -a f <<<"$(sed 's/^.*) //' "/proc/$p/stat")"
    u=$((u + f[11])); s=$((s + f[12]))
  done
  echo "$u $s"
}
thread_ticks() { # pids... -> "tid:name utime stime" per thread (names without spaces)
  local p t f name
  for p in "$@"; do
    for t in /proc/"$p"/task/*; do
      [ -r "$t/stat" ] || continue
      name=$(tr ' ' '_' <"$t/comm")
      read -r -a f <<<"$(sed 's/^.*) //' "$t/stat")"
      echo "${t##*/}:$name ${f[11]} ${f[12]}"
    done
  done
}
mode_syscalls() {
  ensure_stack; warm_up
  local events="raw_syscalls:sys_enter,context-switches,cpu-migrations" n
  for n in ${SYSCALLS//,/ }; do
    [ -d "/sys/kernel/tracing/events/syscalls/sys_enter_$n" ] && events="$events,syscalls:sys_enter_$n"
  done
  local t seconds=$TP_SECONDS lead=0
  [ -z "${SYSCALL_RATE:-}" ] || lead=5 # the fixed-rate generator is a fresh JVM: 5 s of its load not counted
  for t in "${TARGETS[@]}"; do # the proxies of TARGETS: nginx and Junction by default, the netty floor if named
    [ "$t" != direct ] || continue
    local pp pl; pp=$(proxy_pids "$t"); pl=$(echo $pp | tr ' ' ',')
    if [ -n "${SYSCALL_RATE:-}" ]; then # the same fixed rate for both: kernel work at equal load
      java $LOADGEN_OPTS -cp "$BENCH_JAR" io.junction.bench.LoadGen rate --url "$(url_of "$t")" \
        --body bench/bodies/chat.json --rate "$SYSCALL_RATE" --duration "$seconds" --warmup "$lead" \
        >"$OUT/syscalls-$t-load.out" 2>/dev/null &
    else
      BENCH_BODY="$ROOT/bench/bodies/chat.json" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$seconds"s --timeout 10s \
        -s "$ROOT/bench/wrk-post.lua" "$(url_of "$t")" >"$OUT/syscalls-$t-load.out" 2>/dev/null &
    fi
    local lg=$! lgpids
    sleep "$lead"
    lgpids=$(echo $lg $(pgrep -P $lg) | tr ' ' ',')
    local us0 us1 m0 m1
    us0=$(user_sys_ticks $pp); m0=$(user_sys_ticks "$MOCK_PID"); thread_ticks $pp >"$OUT/threads-$t-0.txt"
    perf stat -x, -e "$events" -p "$pl" -o "$OUT/syscalls-$t-proxy.csv" -- sleep "$seconds" &
    local p1=$!
    perf stat -x, -e "$events" -p "$MOCK_PID" -o "$OUT/syscalls-$t-mock.csv" -- sleep "$seconds" &
    local p2=$!
    perf stat -x, -e "$events" -p "$lgpids" -o "$OUT/syscalls-$t-loadgen.csv" -- sleep "$seconds" &
    local p3=$!
    wait $p1 $p2 $p3 || true
    us1=$(user_sys_ticks $pp); m1=$(user_sys_ticks "$MOCK_PID"); thread_ticks $pp >"$OUT/threads-$t-1.txt"
    wait $lg || true
    local res reqs
    res=$(grep '^RESULT' "$OUT/syscalls-$t-load.out" | sed 's/^RESULT //')
    reqs=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$res") # LoadGen: the measured ones (no lead)
    [ -n "$reqs" ] || reqs=$(sed -n 's/.*total=\([0-9]*\).*/\1/p' <<<"$res") # wrk
    log "syscalls $t: $res"
    {
      echo "## $t: $res"
      echo "(counted over ${seconds}s of the measured load; per request = count / $reqs)"
      read -r u0 s0 <<<"$us0"; read -r u1 s1 <<<"$us1"
      echo "proxy user_ms_per_req=$(awk -v d=$((u1 - u0)) -v n="$reqs" -v hz="$HZ" 'BEGIN{printf "%.4f", d*1000/hz/n}') sys_ms_per_req=$(awk -v d=$((s1 - s0)) -v n="$reqs" -v hz="$HZ" 'BEGIN{printf "%.4f", d*1000/hz/n}')"
      read -r u0 s0 <<<"$m0"; read -r u1 s1 <<<"$m1"
      echo "mock  user_ms_per_req=$(awk -v d=$((u1 - u0)) -v n="$reqs" -v hz="$HZ" 'BEGIN{printf "%.4f", d*1000/hz/n}') sys_ms_per_req=$(awk -v d=$((s1 - s0)) -v n="$reqs" -v hz="$HZ" 'BEGIN{printf "%.4f", d*1000/hz/n}')"
      # by thread kind (the name without its digits): user and system ms per request
      join -a2 -e0 -o '0,1.2,1.3,2.2,2.3' <(sort "$OUT/threads-$t-0.txt") <(sort "$OUT/threads-$t-1.txt") |
        awk -v n="$reqs" -v hz="$HZ" '{k=$1; gsub(/[0-9]+/, "#", k); sub(/^[^:]*:/, "", k); u[k] += $4 - $2; s[k] += $5 - $3}
          END {for (k in u) if (u[k] + s[k] > 0) printf "thread %-28s user_ms_per_req=%.4f sys_ms_per_req=%.4f\n", k, u[k]*1000/hz/n, s[k]*1000/hz/n}' |
        sort -t= -k2 -gr
      for who in proxy mock loadgen; do
        awk -F, -v n="$reqs" -v who="$who" '$1 ~ /^[0-9]/ && $1 > 0 {ev=$3; sub(/^syscalls:sys_enter_/, "", ev); sub(/^raw_syscalls:sys_enter/, "ALL", ev); printf "%s %s=%.2f\n", who, ev, $1 / n}' \
          "$OUT/syscalls-$t-$who.csv" | paste -sd' '
      done
    } | tee -a "$OUT/syscalls.txt"
  done
  log "per-request counts in $OUT/syscalls.txt"
}

# Before/after of two Junction builds on this machine, interleaved so drift in the box's load hits
# both: BASE_JAR (before) and JUNCTION_JAR (after), REPEATS rounds. Each run is a fresh JVM on a fresh
# ledger, warmed with WARMUP_SECONDS of wrk, then TP_SECONDS of closed-loop wrk: requests/s, CPU ms
# per request and bytes allocated per request (whole JVM, a full GC before and after; the same
# measure as the latency mode's, under closed-loop load instead of a fixed rate).
mode_ab() {
  [ -n "${BASE_JAR:-}" ] || { log "ab: set BASE_JAR=<the jar to compare against>"; exit 2; }
  [ -n "$MOCK_PID" ] || start_mock
  local after=$JUNCTION_JAR after_opts=${JUNCTION_OPTS:-} r label res n a0 a1 c0 c1 d0 d1
  for r in $(seq "$REPEATS"); do
    for label in before after; do
      if [ "$label" = before ]; then
        JUNCTION_JAR=$BASE_JAR; JUNCTION_OPTS=${BASE_OPTS:-$after_opts}
      else
        JUNCTION_JAR=$after; JUNCTION_OPTS=$after_opts
      fi
      rm -f "$OUT"/junction-usage.db*
      start_junction
      wrk_run junction "$WARMUP_SECONDS" >/dev/null
      jcmd "$JUNCTION_PID" GC.run >/dev/null; sleep 0.5
      a0=$(metric jvm_gc_memory_allocated_bytes_total); c0=$(cpu_ticks "$JUNCTION_PID")
      d0=$(metric junction_ledger_dropped_total)
      if [ -n "${AB_RATE:-}" ]; then # a fixed rate: CPU per request without saturation's noise
        res=$(loadgen rate --url "$(url_of junction)" --body bench/bodies/chat.json --rate "$AB_RATE" \
          --duration "$TP_SECONDS" --warmup 0 | grep '^RESULT' | sed 's/^RESULT //') || true
      else
        res=$(wrk_run junction "$TP_SECONDS" | grep '^RESULT' | sed 's/^RESULT //') || true
      fi
      c1=$(cpu_ticks "$JUNCTION_PID")
      jcmd "$JUNCTION_PID" GC.run >/dev/null; sleep 0.5
      a1=$(metric jvm_gc_memory_allocated_bytes_total); d1=$(metric junction_ledger_dropped_total)
      n=$(echo "$res" | grep -o 'total=[0-9]*' | cut -d= -f2)
      printf '%s\t%s\t%s\t%s cpu_ms_per_req=%s alloc_per_req_bytes=%s ledger_dropped=%s warmup_ledger_dropped=%s load1=%s\n' ab "$label" "$r" "$res" \
        "$(awk -v t=$((c1 - c0)) -v hz="$HZ" -v n="${n:-0}" 'BEGIN{printf "%.4f", n ? 1000 * t / hz / n : 0}')" \
        "$(awk -v a=$((a1 - a0)) -v n="${n:-0}" 'BEGIN{printf "%.0f", n ? a / n : 0}')" "$((d1 - d0))" "$d0" \
        "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/ab.tsv"
      stop_pid "$JUNCTION_PID"; JUNCTION_PID=
    done
  done
  JUNCTION_JAR=$after; JUNCTION_OPTS=$after_opts
  awk -F'\t' '{split($4, f, " "); for (i in f) {split(f[i], kv, "="); v[$2, kv[1]] = v[$2, kv[1]] " " kv[2]}}
    END {for (k in v) {split(k, p, SUBSEP); if (p[2] ~ /^(rps|lat_p50_us|lat_p99_us|cpu_ms_per_req|alloc_per_req_bytes|ledger_dropped)$/) print p[1], p[2] ":" v[k]}}' \
    "$OUT/ab.tsv" | sort | tee "$OUT/ab.txt"
}

mode_jmh() {
  java -jar "$BENCH_JAR" -prof gc -rf json -rff "$OUT/jmh.json" ${JMH_ARGS:-} 2>&1 | tee "$OUT/jmh.txt" |
    grep -E '^(Benchmark|[A-Za-z]+Benchmark\.)' || true
}

main() {
  log "results in $OUT (nofile $NOFILE, rig nice ${RIG_NICE:-0}, cpus rig/proxy ${RIG_CPUS:-all}/${PROXY_CPUS:-all}, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  for m in "${MODES[@]}"; do "mode_$m"; done

  if [ -s "$RAW" ]; then
    java -cp "$BENCH_JAR" io.junction.bench.Report "$RAW" | tee "$OUT/report.md"
  fi
  [ -f "$OUT/startup_ms" ] && echo && echo "start-up to ready (ms, 5 fresh JVMs): $(cat "$OUT/startup_ms")" | tee -a "$OUT/report.md"
  [ -f "$OUT/startup_appcds_ms" ] && echo "start-up to ready with AppCDS (ms, 5 fresh JVMs): $(cat "$OUT/startup_appcds_ms")" | tee -a "$OUT/report.md"
  [ -f "$OUT/startup_aot_ms" ] && echo "start-up to ready with the AOT cache (ms, 5 fresh JVMs): $(cat "$OUT/startup_aot_ms")" | tee -a "$OUT/report.md"
  [ -f "$OUT/concurrency.tsv" ] && echo && cat "$OUT/concurrency.tsv" | tee -a "$OUT/report.md"
  echo "raw results: $OUT"
}

# one line: bash has read the whole script before it runs, so editing it mid-run is harmless
main; exit $?
