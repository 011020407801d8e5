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
 * and 3.6% under streams in {@code bench/run.sh cpuprofile} (docs/performance.md, seventh session).
 * One in 1,024 keeps leak reports in production (a leak on a common path is still reported within
 * seconds) for an eighth of that cost. Tests run at {@code paranoid}, which tracks every buffer
 * whatever the interval.
 */
public final class NettyDefaults {
    static final String SAMPLING_INTERVAL = "io.netty.leakDetection.samplingInterval";
    static final String JUNCTION_SAMPLING_INTERVAL = "1024";

    private NettyDefaults() {}

    /** Applies Junction's defaults to the system properties. */
    public static void apply() {
        apply(System.getProperties());
    }

    static void apply(Properties props) {
        if (props.getProperty(SAMPLING_INTERVAL) == null) {
            props.setProperty(SAMPLING_INTERVAL, JUNCTION_SAMPLING_INTERVAL);
        }
    }
}
