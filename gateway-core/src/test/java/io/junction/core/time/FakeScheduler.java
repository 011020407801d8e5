package io.junction.core.time;

import java.util.PriorityQueue;

/** A scheduler whose clock only moves when a test calls {@link #advance}; tasks run in time order. */
public final class FakeScheduler implements Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now = 1_000_000_000L;
    private long seq;

    private final class Task implements Comparable<Task>, Timer {
        final long at;
        final long order = seq++;
        final Runnable body;
        boolean cancelled;

        Task(long at, Runnable body) {
            this.at = at;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), task);
        tasks.add(t);
        return t;
    }

    /** Moves the clock forward, running every task that falls due, in order. */
    public void advance(long nanos) {
        long target = now + nanos;
        while (!tasks.isEmpty() && tasks.peek().at <= target) {
            Task t = tasks.poll();
            now = Math.max(now, t.at);
            if (!t.cancelled) {
                t.body.run();
            }
        }
        now = target;
    }

    public void advanceMillis(long ms) {
        advance(ms * 1_000_000L);
    }

    /** Tasks still waiting (cancelled ones included until they fall due). */
    public int pending() {
        return (int) tasks.stream().filter(t -> !t.cancelled).count();
    }
}
