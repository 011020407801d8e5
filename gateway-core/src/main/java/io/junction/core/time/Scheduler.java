package io.junction.core.time;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time and timers for one call: everything time-dependent in routing takes a Scheduler, so tests
 * move time by hand instead of sleeping. The production one is the call's event loop.
 */
public interface Scheduler {

    /** Monotonic nanoseconds (like {@link System#nanoTime()}). */
    long nanoTime();

    /** Runs {@code task} after {@code delayNanos} on the call's thread. */
    Timer schedule(Runnable task, long delayNanos);

    /** A scheduled task that can be cancelled; cancelling a task that already ran does nothing. */
    @FunctionalInterface
    interface Timer {
        Timer NONE = () -> {};

        void cancel();
    }

    /** The event loop as a scheduler, with {@link System#nanoTime()} as the clock. */
    static Scheduler of(EventExecutor loop) {
        return new Scheduler() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public Timer schedule(Runnable task, long delayNanos) {
                ScheduledFuture<?> f = loop.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }
        };
    }
}
