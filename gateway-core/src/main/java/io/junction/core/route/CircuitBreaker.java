package io.junction.core.route;

import io.junction.core.config.BreakerSpec;
import java.util.concurrent.TimeUnit;

/**
 * A circuit breaker for one target. CLOSED lets calls through and counts outcomes; it OPENs after
 * {@code consecutive_failures} failures in a row, or when {@code failure_rate} of the last
 * {@code window} calls failed (once {@code min_calls} are in the window). OPEN skips the target
 * without a network call until {@code cooldown_ms} passed, then HALF_OPEN lets exactly one probe
 * through: its success closes the breaker, its failure opens it again.
 *
 * <p>Shared by every event loop; the critical sections are a few field updates, so a monitor is
 * cheaper here than a lock-free design would be to get right.
 */
public final class CircuitBreaker {
    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final BreakerSpec spec;
    private final boolean[] window;
    private int windowSize;
    private int windowNext;
    private int windowFailures;
    private int consecutive;
    private State state = State.CLOSED;
    private long openedAt;
    private boolean probeInFlight;
    private long opens;

    public CircuitBreaker(BreakerSpec spec) {
        this.spec = spec;
        this.window = new boolean[Math.max(1, spec.window())];
    }

    /** Whether a call may go to the target now; a HALF_OPEN breaker admits one probe. */
    public synchronized boolean tryAcquire(long nowNanos) {
        if (!spec.enabled()) {
            return true;
        }
        switch (state) {
            case CLOSED -> {
                return true;
            }
            case OPEN -> {
                if (nowNanos - openedAt >= TimeUnit.MILLISECONDS.toNanos(spec.cooldownMs())) {
                    state = State.HALF_OPEN;
                    probeInFlight = true;
                    return true;
                }
                return false;
            }
            default -> {
                if (!probeInFlight) {
                    probeInFlight = true;
                    return true;
                }
                return false;
            }
        }
    }

    public synchronized void onSuccess() {
        if (state == State.HALF_OPEN) {
            close();
            return;
        }
        consecutive = 0;
        record(false);
    }

    public synchronized void onFailure(long nowNanos) {
        if (!spec.enabled()) {
            return;
        }
        if (state == State.HALF_OPEN) {
            open(nowNanos);
            return;
        }
        if (state == State.OPEN) {
            return;
        }
        consecutive++;
        record(true);
        boolean rateTripped = windowSize >= spec.minCalls() && windowFailures >= spec.failureRate() * windowSize;
        if (consecutive >= spec.consecutiveFailures() || rateTripped) {
            open(nowNanos);
        }
    }

    /** A call that went through ended without an outcome (cancelled): free the probe slot. */
    public synchronized void onAbandoned() {
        if (state == State.HALF_OPEN) {
            probeInFlight = false;
        }
    }

    public synchronized State state() {
        return state;
    }

    /** How many times the breaker has opened since start. */
    public synchronized long opens() {
        return opens;
    }

    private void open(long nowNanos) {
        state = State.OPEN;
        openedAt = nowNanos;
        probeInFlight = false;
        opens++;
    }

    private void close() {
        state = State.CLOSED;
        probeInFlight = false;
        consecutive = 0;
        windowSize = 0;
        windowNext = 0;
        windowFailures = 0;
    }

    private void record(boolean failure) {
        if (windowSize == window.length) {
            if (window[windowNext]) {
                windowFailures--;
            }
        } else {
            windowSize++;
        }
        window[windowNext] = failure;
        if (failure) {
            windowFailures++;
        }
        windowNext = (windowNext + 1) % window.length;
    }
}
