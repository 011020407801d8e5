package io.junction.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the raw results of {@code bench/run.sh} (one line per run: {@code mode target run key=value...})
 * into the suite's tables: the median of each figure over the repeated runs, its spread, and the
 * comparisons (added latency vs direct, ratio vs nginx, CPU seconds per 1k requests, peak RSS).
 *
 * <p>{@code java -cp benchmarks.jar io.junction.bench.Report bench/results/<stamp>/raw.tsv}
 */
public final class Report {
    private static final List<String> TARGETS = List.of("direct", "nginx", "netty", "junction");

    /** mode → target → key → values over the runs. */
    private final Map<String, Map<String, Map<String, List<Double>>>> data = new LinkedHashMap<>();

    public static void main(String[] args) throws IOException {
        Report r = new Report();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            r.add(line);
        }
        System.out.print(r.render());
    }

    void add(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 3 || line.startsWith("#")) {
            return;
        }
        Map<String, List<Double>> m = data.computeIfAbsent(f[0], k -> new LinkedHashMap<>())
                .computeIfAbsent(f[1], k -> new LinkedHashMap<>());
        for (int i = 3; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            if (eq < 0) {
                continue;
            }
            try {
                double v = Double.parseDouble(f[i].substring(eq + 1));
                m.computeIfAbsent(f[i].substring(0, eq), k -> new ArrayList<>()).add(v);
            } catch (NumberFormatException e) {
                // a text value (mode=...): not a figure
            }
        }
    }

    double median(String mode, String target, String key) {
        List<Double> v = values(mode, target, key);
        if (v.isEmpty()) {
            return Double.NaN;
        }
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    List<Double> values(String mode, String target, String key) {
        return data.getOrDefault(mode, Map.of()).getOrDefault(target, Map.of()).getOrDefault(key, List.of());
    }

    String spread(String mode, String target, String key, double scale) {
        List<Double> v = values(mode, target, key);
        if (v.size() < 2) {
            return "";
        }
        double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return " (" + num(min * scale) + "–" + num(max * scale) + ")";
    }

    /** CPU seconds per 1000 requests of the given process ("proxy", "mock" or "loadgen"). */
    double cpuPer1k(String mode, String target, String who) {
        return per1k(mode, target, "cpu_" + who + "_s");
    }

    /**
     * A per-run total in seconds, per 1000 requests of that run (the median over runs): seconds per
     * 1k requests, which is also milliseconds per request.
     */
    double per1k(String mode, String target, String key) {
        List<Double> v = values(mode, target, key);
        List<Double> n = values(mode, target, "total");
        double[] per = new double[Math.min(v.size(), n.size())];
        for (int i = 0; i < per.length; i++) {
            per[i] = n.get(i) > 0 ? v.get(i) / n.get(i) * 1000 : Double.NaN;
        }
        Arrays.sort(per);
        return per.length == 0 ? Double.NaN : per[per.length / 2];
    }

    String render() {
        StringBuilder out = new StringBuilder();
        if (data.containsKey("throughput")) {
            throughput(out);
        }
        for (String mode : data.keySet()) {
            if (mode.startsWith("latency")) {
                latency(out, mode);
            }
        }
        for (String mode : data.keySet()) {
            if (mode.equals("stream") || mode.startsWith("stream-")) {
                stream(out, mode);
            }
        }
        return out.toString();
    }

    private void throughput(StringBuilder out) {
        String m = "throughput";
        out.append("\n### Closed-loop max throughput (wrk, 64 connections, non-streaming)\n\n");
        out.append("| target | req/s (min–max) | p50 ms | p99 ms | p99.9 ms | added p50 ms | added p99 ms |"
                + " req/s vs nginx | proxy CPU s/1k req | mock CPU s/1k req | proxy peak RSS MiB | errors |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        double nginx = median(m, "nginx", "rps");
        for (String t : TARGETS) {
            if (!data.get(m).containsKey(t)) {
                continue;
            }
            double rps = median(m, t, "rps");
            row(
                    out,
                    t,
                    num(rps) + spread(m, t, "rps", 1),
                    ms(median(m, t, "lat_p50_us")),
                    ms(median(m, t, "lat_p99_us")),
                    ms(median(m, t, "lat_p999_us")),
                    added(m, t, "lat_p50_us"),
                    added(m, t, "lat_p99_us"),
                    t.equals("direct") ? "—" : pct(rps / nginx),
                    num3(cpuPer1k(m, t, "proxy")),
                    t.equals("direct") ? "—" : num3(cpuPer1k(m, t, "mock")),
                    num(median(m, t, "rss_proxy_kb") / 1024),
                    num(median(m, t, "errors")));
        }
        load(out, m);
    }

    private void latency(StringBuilder out, String m) {
        int at = m.indexOf('@');
        out.append("\n### Fixed-rate latency")
                .append(at < 0 ? "" : " at " + m.substring(at + 1) + " req/s")
                .append(" (open loop, coordinated-omission safe, non-streaming)\n\n");
        out.append("| target | rate req/s | p50 ms | p99 ms | p99.9 ms | max ms | added p50 ms | added p99 ms |"
                + " added p99.9 ms | proxy CPU s/1k req | proxy peak RSS MiB | errors | " + WAIT_HEADER + " |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String t : TARGETS) {
            if (!data.get(m).containsKey(t)) {
                continue;
            }
            row(
                    out,
                    t,
                    num(median(m, t, "achieved_rps")),
                    ms(median(m, t, "lat_p50_us")) + spread(m, t, "lat_p50_us", 0.001),
                    ms(median(m, t, "lat_p99_us")) + spread(m, t, "lat_p99_us", 0.001),
                    ms(median(m, t, "lat_p999_us")),
                    ms(median(m, t, "lat_max_us")),
                    added(m, t, "lat_p50_us"),
                    added(m, t, "lat_p99_us"),
                    added(m, t, "lat_p999_us"),
                    num3(cpuPer1k(m, t, "proxy")),
                    num(median(m, t, "rss_proxy_kb") / 1024),
                    num(median(m, t, "errors")),
                    waits(m, t));
        }
        out.append(WAIT_NOTE);
        double alloc = median(m, "junction", "alloc_per_req_bytes");
        if (!Double.isNaN(alloc)) {
            out.append("\nJunction heap allocation per request, whole JVM (median of runs): ")
                    .append(num(alloc / 1024))
                    .append(" KiB")
                    .append(spread(m, "junction", "alloc_per_req_bytes", 1.0 / 1024))
                    .append('\n');
        }
        load(out, m);
    }

    /** {@code stream}: starts on a fixed schedule; {@code stream-poisson}: Poisson arrivals. */
    private void stream(StringBuilder out, String m) {
        String arrivals =
                m.equals("stream") ? "starts on a fixed schedule" : m.substring("stream-".length()) + " arrivals";
        out.append("\n### Streaming, " + arrivals
                + " (open loop; TTFT from the intended start; chunk delay = arrival − mock send stamp)\n\n");
        out.append("| target | streams/s | TTFT p50 ms | TTFT p99 ms | added TTFT p50 ms | added TTFT p99 ms |"
                + " added TTFT p50 / p99 ms, the mock's wait taken out |"
                + " chunk delay p50 ms | p99 ms | p99.9 ms | max ms | chunks > 1 ms | chunks | errors |"
                + " proxy CPU s/1k streams | proxy peak RSS MiB | " + WAIT_HEADER + " |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String t : TARGETS) {
            if (!data.get(m).containsKey(t)) {
                continue;
            }
            row(
                    out,
                    t,
                    num(median(m, t, "achieved_rps")),
                    ms(median(m, t, "ttft_p50_us")),
                    ms(median(m, t, "ttft_p99_us")) + spread(m, t, "ttft_p99_us", 0.001),
                    added(m, t, "ttft_p50_us"),
                    added(m, t, "ttft_p99_us"),
                    t.equals("direct") ? "—" : added(m, t, "ttft_net_p50_us") + " / " + added(m, t, "ttft_net_p99_us"),
                    ms(median(m, t, "chunk_p50_us")),
                    ms(median(m, t, "chunk_p99_us")),
                    ms(median(m, t, "chunk_p999_us")),
                    ms(median(m, t, "chunk_max_us")) + spread(m, t, "chunk_max_us", 0.001),
                    num(median(m, t, "late_chunks_1ms")),
                    num(median(m, t, "chunks")),
                    num(median(m, t, "errors")),
                    num3(cpuPer1k(m, t, "proxy")),
                    num(median(m, t, "rss_proxy_kb") / 1024),
                    waits(m, t));
        }
        out.append(TTFT_NOTE);
        out.append(WAIT_NOTE);
        load(out, m);
    }

    private static final String TTFT_NOTE = "\nThe mock's wait taken out: each stream's TTFT less the time the mock"
            + " itself held the first token (its x_sent_ns − x_recv_ns: the first-token delay and its timer's"
            + " lateness), so what is left is the request's way to the mock and the first chunk's way back; added"
            + " = the target's median p50 or p99 of that less direct's.\n";

    private static final String WAIT_HEADER =
            "load gen CPU s/1k | box CPU busy % | waiting for a CPU, ms per request (proxy / mock / load gen)";
    private static final String WAIT_NOTE = "\nBox CPU busy: the CPU time of the proxy, the mock and the load"
            + " generator together, as a share of all the cores' time over the run. Waiting for a CPU: the time"
            + " each process's threads (summed) spent runnable in the run queue, per request (per stream in"
            + " streaming), from the kernel's per-thread schedstat; medians of runs. For direct, the proxy is the"
            + " mock.\n";

    /**
     * Load generator CPU per 1k, how busy the box was, and the three processes' waits. Busy is the
     * processes' own CPU (utime + stime, which the kernel scales to their exact run time), not
     * {@code /proc/stat}: that one is sampled at timer ticks and under-counts work that starts right
     * after a tick and ends before the next, as a mock on a 20 ms timer does (it showed a streaming
     * run 11% busy when the three processes' own CPU added up to 18%).
     */
    private String waits(String mode, String target) {
        double loadgen = cpuPer1k(mode, target, "loadgen");
        double proxy = cpuPer1k(mode, target, "proxy");
        double mock = target.equals("direct") ? 0 : cpuPer1k(mode, target, "mock");
        double rate = median(mode, target, "target_rps");
        // seconds of CPU per 1k requests, times requests per second, over the cores
        double busy = 100
                * (proxy + mock + loadgen)
                / 1000
                * rate
                / Runtime.getRuntime().availableProcessors();
        return num3(loadgen) + " | " + num1(busy) + " | " + num3(per1k(mode, target, "wait_proxy_s")) + " / "
                + num3(per1k(mode, target, "wait_mock_s")) + " / "
                + num3(per1k(mode, target, "wait_loadgen_s"));
    }

    private static String num1(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    /** The machine's 1-minute load average across a mode's runs: how noisy the box was. */
    private void load(StringBuilder out, String mode) {
        List<Double> all = new ArrayList<>();
        for (Map<String, List<Double>> t : data.get(mode).values()) {
            all.addAll(t.getOrDefault("load1", List.of()));
        }
        if (!all.isEmpty()) {
            double[] a = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            out.append("\nMachine load (1-min load average on 2 cores) at the end of each run: median ")
                    .append(num(a[a.length / 2]))
                    .append(", range ")
                    .append(num(a[0]))
                    .append("–")
                    .append(num(a[a.length - 1]))
                    .append(".\n");
        }
    }

    private String added(String mode, String target, String key) {
        if (target.equals("direct")) {
            return "—";
        }
        return ms(median(mode, target, key) - median(mode, "direct", key));
    }

    private static void row(StringBuilder out, String... cells) {
        out.append('|');
        for (String c : cells) {
            out.append(' ').append(c).append(" |");
        }
        out.append('\n');
    }

    private static String ms(double us) {
        return Double.isNaN(us) ? "n/a" : String.format(Locale.ROOT, "%.3f", us / 1000);
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String num3(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", v * 100);
    }
}
