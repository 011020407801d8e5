#!/usr/bin/env python3
"""Where a stream's first chunk spends its time: bench/probe/README.md.

    timeline.py LOADGEN_TIMELINE [JUNCTION_PROBE]

LOADGEN_TIMELINE is what `LoadGen stream --timeline FILE` writes (one line per measured stream);
JUNCTION_PROBE is what Junction built with junction-ttft-probe.patch writes with -Dprobe.out=FILE.
Lines are joined on the mock's x_recv_ns, which both record. All times are CLOCK_MONOTONIC ns, so
the load generator's, the mock's and Junction's stamps compare directly.

Prints each segment's percentiles, and which segment was the largest in the slowest 1% of streams
by TTFT less the mock's own wait ("net").
"""
import collections
import sys


def rows(path):
    out = []
    for line in open(path):
        if line[:1].isdigit():
            out.append([int(x) for x in line.split()])
    return out


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p * len(v)))]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    streams = rows(sys.argv[1])
    junction = {r[0]: r for r in rows(sys.argv[2])} if len(sys.argv) == 3 else None
    segs = collections.defaultdict(list)
    worst = []
    for intended, send, recv, sent, first, new in streams:
        net = first - intended - (sent - recv)
        if junction is None:
            d = {"loadgen_late": send - intended, "to_mock": recv - send, "from_mock": first - sent}
        else:
            j = junction.get(recv)
            if j is None:
                continue
            (_, received, parsed, written, _headers, up_first, flushed, _newup,
             admitted, exchange, attached, write, stream_start, flush) = j[:14]
            d = {
                "loadgen_late": send - intended,   # the load generator's own lateness
                "to_junction": received - send,    # client socket -> Junction has the whole request
                "parse": parsed - received,        # auth, parse, validate, plan
                "admit": admitted - parsed,        # governor
                "route": exchange - admitted,      # cache, routed call, transport
                "acquire": attached - exchange,    # pooled upstream connection
                "build": write - attached,         # upstream request
                "write": written - write,          # upstream writeAndFlush (a system call)
                "to_mock": recv - written,
                "from_mock": up_first - sent,      # mock's first chunk -> read by Junction
                "decode": stream_start - up_first,
                "frame": flush - stream_start,     # response headers, the SSE frame
                "flush": flushed - flush,          # writeAndFlush to the client (a system call)
                "to_client": first - flushed,
                "junction_own": (written - received) + (flushed - up_first),
            }
        d["net"] = net
        for k, v in d.items():
            segs[k].append(v)
        worst.append((net, d))
    if not worst:
        sys.exit("no streams joined")
    print(f"{len(worst)} streams; microseconds")
    for k, v in segs.items():
        print(f"  {k:13s} p50 {pct(v, .5) / 1e3:9.1f}  p90 {pct(v, .9) / 1e3:9.1f}"
              f"  p99 {pct(v, .99) / 1e3:9.1f}  p99.9 {pct(v, .999) / 1e3:9.1f}")
    worst.sort(key=lambda x: x[0])
    top = worst[-max(1, len(worst) // 100):]
    parts = [k for k in top[0][1] if k not in ("net", "junction_own")]
    largest = collections.Counter(max(parts, key=d.get) for _, d in top)
    print(f"slowest 1% ({len(top)} streams, net from {top[0][0] / 1e3:.0f} us): largest segment",
          ", ".join(f"{k} {n}" for k, n in largest.most_common()))


if __name__ == "__main__":
    main()
