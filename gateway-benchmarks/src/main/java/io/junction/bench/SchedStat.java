package io.junction.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's scheduling counters for this process, summed over its threads: nanoseconds on a CPU and
 * nanoseconds runnable but waiting for one ({@code /proc/self/task/N/schedstat}, fields one and two).
 *
 * <p>The load generator reports its own CPU and wait so that a run's tail can be read against them: while
 * the generator waits for a CPU it neither sends on time nor reads a response when it arrives, and both
 * show as latency of the target. {@code bench/run.sh} records the same wait for the proxy and the mock.
 */
record SchedStat(long cpuNs, long waitNs) {

    /** This process's counters now, or {@code null} where the kernel does not expose them. */
    static SchedStat self() {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return null;
        }
        long cpu = 0;
        long wait = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                String line;
                try {
                    line = Files.readString(task.resolve("schedstat")).trim();
                } catch (IOException gone) {
                    continue; // the thread ended while listed
                }
                String[] f = line.split(" ");
                if (f.length < 2) {
                    return null;
                }
                cpu += Long.parseLong(f[0]);
                wait += Long.parseLong(f[1]);
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return new SchedStat(cpu, wait);
    }
}
