package io.junction.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Summarises async-profiler's collapsed stacks (recorded with {@code threads}) as {@code bench/run.sh
 * cpuprofile} writes them: the share of CPU samples per thread kind, and, for the event loops, the
 * share per innermost Junction frame with the call it makes (where the loops' time goes in
 * Junction's terms), plus the kernel's share.
 *
 * <p>{@code java -cp benchmarks.jar io.junction.bench.ProfileSummary <out>/cpu.collapsed}
 */
public final class ProfileSummary {
    private ProfileSummary() {}

    public static void main(String[] args) throws IOException {
        Map<String, Long> byThread = new LinkedHashMap<>();
        Map<String, Long> byFrame = new LinkedHashMap<>();
        long total = 0;
        long loops = 0;
        long loopKernel = 0;
        List<String> lines;
        try (Stream<String> s = Files.lines(Path.of(args[0]))) {
            lines = s.toList();
        }
        for (String line : lines) {
            int sp = line.lastIndexOf(' ');
            if (sp < 0) {
                continue;
            }
            long n = Long.parseLong(line.substring(sp + 1));
            String[] frames = line.substring(0, sp).split(";");
            String thread = threadKind(frames[0]);
            total += n;
            byThread.merge(thread, n, Long::sum);
            if (!thread.equals("junction-loop")) {
                continue;
            }
            loops += n;
            if (frames[frames.length - 1].endsWith("_[k]")) {
                loopKernel += n;
            }
            int j = -1;
            for (int i = frames.length - 1; i >= 0; i--) {
                if (frames[i].startsWith("io/junction/")) {
                    j = i;
                    break;
                }
            }
            String key = j < 0
                    ? "(no Junction frame: Netty, JDK, kernel)"
                    : shortName(frames[j]) + (j + 1 < frames.length ? " > " + shortName(frames[j + 1]) : "");
            byFrame.merge(key, n, Long::sum);
        }
        System.out.printf(Locale.ROOT, "CPU samples: %d%n%nby thread:%n", total);
        print(byThread, total, 12);
        System.out.printf(
                Locale.ROOT,
                "%nevent loops: %d samples, %.1f%% of them in the kernel (leaf frame)%n"
                        + "by innermost Junction frame > the call it makes (share of the loops' samples):%n",
                loops,
                loops == 0 ? 0.0 : 100.0 * loopKernel / loops);
        print(byFrame, loops, 30);
    }

    private static void print(Map<String, Long> counts, long total, int limit) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> System.out.printf(
                        Locale.ROOT, "%6.1f%%  %s%n", total == 0 ? 0.0 : 100.0 * e.getValue() / total, e.getKey()));
    }

    /** "[junction-loop-3-1 tid=123]" → "junction-loop"; digits and tids dropped so threads of a kind add up. */
    static String threadKind(String frame) {
        String t = frame.startsWith("[") && frame.endsWith("]") ? frame.substring(1, frame.length() - 1) : frame;
        int tid = t.indexOf(" tid=");
        if (tid >= 0) {
            t = t.substring(0, tid);
        }
        t = t.replaceAll("[-#]?\\d+", "");
        return t.isEmpty() ? frame : t;
    }

    private static String shortName(String frame) {
        int slash = frame.lastIndexOf('/');
        String s = slash >= 0 ? frame.substring(slash + 1) : frame;
        return s.length() > 70 ? s.substring(0, 70) : s;
    }
}
