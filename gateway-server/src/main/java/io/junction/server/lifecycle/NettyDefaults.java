package io.junction.server.lifecycle;

import java.util.Properties;

/**
 * Netty settings Junction changes from Netty's own defaults, applied by {@code Main} before any Netty
 * class is loaded (Netty reads them once, in static initialisers). A value the operator set with
 * {@code -D} is always kept.
 *
 * <p>{@code io.netty.leakDetection.samplingInterval = 1024} (Netty: 128). At Netty's default
 * {@code SIMPLE} level one buffer in the interval is tracked, and tracking takes a stack trace when
 * the buffer is made and when it is released: 2.5% of the event loops' CPU under closed-loop load
 * and 3.6% under streams in {@code bench/run.sh cpuprofile} (docs/performance-log.md, seventh session).
 * One in 1,024 keeps leak reports in production (a leak on a common path is still reported within
 * seconds) for an eighth of that cost. Tests run at {@code paranoid}, which tracks every buffer
 * whatever the interval.
 *
 * <p>{@code io.netty.allocator.type = pooled} (Netty 4.2: {@code adaptive}). Netty 4.2's adaptive
 * allocator copies a {@code byte[]} into a direct buffer through a new {@code ByteBuffer} slice per
 * copy, and frees and re-carves its chunks more than the pooled allocator's per-thread caches do.
 * Junction has few threads (one event loop per core), where the pooled allocator's caches fit best:
 * measured with {@code bench/run.sh ab} and {@code stream} (docs/performance-log.md, eighth session),
 * less CPU per non-streamed call and more closed-loop throughput in each of six interleaved pairs,
 * and the same memory for 9,800 open streams.
 *
 * <p>{@code sun.misc.Unsafe} is left as Netty decides: on Java 25 it is off unless the JVM is started
 * with {@code --sun-misc-unsafe-memory-access=allow}, and turning it on measured no difference with
 * either allocator (docs/performance.md, "Design levers measured").
 */
public final class NettyDefaults {
    static final String SAMPLING_INTERVAL = "io.netty.leakDetection.samplingInterval";
    static final String JUNCTION_SAMPLING_INTERVAL = "1024";
    static final String ALLOCATOR_TYPE = "io.netty.allocator.type";
    static final String JUNCTION_ALLOCATOR_TYPE = "pooled";

    private NettyDefaults() {}

    /** Applies Junction's defaults to the system properties. */
    public static void apply() {
        apply(System.getProperties());
    }

    static void apply(Properties props) {
        if (props.getProperty(SAMPLING_INTERVAL) == null) {
            props.setProperty(SAMPLING_INTERVAL, JUNCTION_SAMPLING_INTERVAL);
        }
        if (props.getProperty(ALLOCATOR_TYPE) == null) {
            props.setProperty(ALLOCATOR_TYPE, JUNCTION_ALLOCATOR_TYPE);
        }
    }
}
