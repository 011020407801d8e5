#!/usr/bin/env bash
# Start-up to ready with the AOT cache the image ships (JDK 25+), with an AppCDS archive (what a Java 21
# image would use) and with neither: milliseconds from launching the JVM to the first GET /ready that
# answers 200, the same way the image starts Junction (shipped config, mock provider). 127.0.0.1 only.
#
#   docker/measure-startup.sh [RUNS]      (default 5 runs of each, interleaved; prints each and the median)
#
# Uses the JDK ./mvnw picks (JAVA_HOME), builds gateway-server/target/junction.jar if missing, and trains
# the cache exactly as docker/Dockerfile does (java -XX:AOTCacheOutput=... --warmup) in a temp dir, and
# the archive the same way (java -XX:ArchiveClassesAtExit=... --warmup).
set -euo pipefail
cd "$(dirname "$0")/.."
. .mvn/select-jdk.sh
runs=${1:-5}
jar=gateway-server/target/junction.jar
[ -f "$jar" ] || ./mvnw -B -q -DskipTests -Dspotless.check.skip -pl gateway-server -am package
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$jar" "$work/junction.jar"
cp config/junction.yaml "$work/junction.yaml"
java -XX:ArchiveClassesAtExit="$work/junction.jsa" -jar "$work/junction.jar" --warmup >"$work/train.log" 2>&1
echo "java: $(java -version 2>&1 | head -n 1); archive: $(du -h "$work/junction.jsa" | cut -f1)"
# What the image runs, on JDK 25+: the AOT cache (JEP 483/514/515: classes loaded and linked ahead of
# time, method profiles).
aot=no
if java -XX:AOTCacheOutput="$work/junction.aot" -Xlog:aot=error -jar "$work/junction.jar" --warmup >"$work/aot.log" 2>&1; then
  aot=yes
  echo "AOT cache: $(du -h "$work/junction.aot" | cut -f1)"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One start: prints ms to /ready 200, then stops the process (SIGTERM) and waits for it.
measure() {
  local port; port=$(free_port)
  local t0; t0=$(date +%s%N)
  JUNCTION_PORT=$port JUNCTION_HOST=127.0.0.1 java -XX:MaxRAMPercentage=75 "$@" -jar "$work/junction.jar" \
    --config "$work/junction.yaml" >"$work/run.log" 2>&1 &
  local pid=$!
  local deadline=$(( $(date +%s) + 60 ))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null; do
    if [ "$(date +%s)" -gt "$deadline" ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "did not become ready; log:" >&2; cat "$work/run.log" >&2; kill -9 "$pid" 2>/dev/null || true; return 1
    fi
    sleep 0.005
  done
  local t1; t1=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

with=(); without=(); aotrun=()
for i in $(seq 1 "$runs"); do
  without+=("$(measure -Xshare:auto)")
  with+=("$(measure -XX:SharedArchiveFile="$work/junction.jsa")")
  if [ "$aot" = yes ]; then aotrun+=("$(measure -XX:AOTCache="$work/junction.aot")"); fi
done
echo "without AppCDS archive (JDK default CDS only): ${without[*]} ms; median $(printf '%s\n' "${without[@]}" | median) ms"
echo "with AppCDS archive:                           ${with[*]} ms; median $(printf '%s\n' "${with[@]}" | median) ms"
if [ "$aot" = yes ]; then
  echo "with the AOT cache (what the image runs):      ${aotrun[*]} ms; median $(printf '%s\n' "${aotrun[@]}" | median) ms"
fi
