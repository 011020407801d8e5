-- wrk script of bench/run.sh: POSTs the body in $BENCH_BODY and prints one RESULT line (latency in µs).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f total=%d lat_p50_us=%d lat_p99_us=%d lat_p999_us=%d lat_max_us=%d lat_mean_us=%.1f errors=%d non2xx=%d\n",
    summary.requests / secs, summary.requests,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
