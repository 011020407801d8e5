package io.junction.core.govern;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where rate-limit windows, concurrency leases and budget spend are kept: in this process
 * ({@link MemoryLimitStore}) or shared by every replica (Redis). Admission is atomic over all the
 * scopes of a call (a key and its team): either every scope is charged or none is.
 *
 * <p>Calls come from event loops and must not block: a remote store answers through the stage.
 */
public interface LimitStore extends AutoCloseable {

    /**
     * Checks every scope's caps and, if all pass, charges one request, {@code tokens} estimated
     * tokens and one concurrency lease (named {@code leaseId}, held at most {@code leaseMs}).
     */
    CompletionStage<Decision> admit(List<Policy> scopes, long tokens, String leaseId, long leaseMs, long nowMs);

    /** Gives back the concurrency lease taken at admission. */
    void release(List<Policy> scopes, String leaseId);

    /**
     * Ends a call's accounting: corrects the token count made at {@code admittedMs} by
     * {@code tokenDelta}, and adds {@code costMicros} to each budget's spend in the window holding
     * {@code nowMs}. Completes with each scope's spend after the charge (-1 for a scope without a
     * budget), in the order of {@code scopes}.
     */
    CompletionStage<long[]> settle(List<Policy> scopes, long admittedMs, long tokenDelta, long costMicros, long nowMs);

    /** A scope's spend, in micro-dollars, in the budget window starting at {@code windowStartMs}. */
    CompletionStage<Long> spend(Policy scope, long windowStartMs);

    /** Null when the store is usable; else why not (readiness). */
    default String unhealthyReason() {
        return null;
    }

    @Override
    void close();
}
