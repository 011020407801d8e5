package io.junction.core.govern;

import io.junction.core.error.GatewayException;
import java.util.function.BiConsumer;

/**
 * The outcome of {@link Governor#admit}: admitted with a {@link Ticket} to settle when the call
 * ends, or refused with the error to send. Either way it knows the {@code x-ratelimit-*} headers.
 */
public final class Admission {
    /** No caps apply (or the store failed open): nothing to settle, no headers. */
    public static final Admission UNCAPPED = new Admission(Decision.ADMITTED_UNCAPPED, null, Ticket.NONE);

    private final Decision decision;
    private final GatewayException error;
    private final Ticket ticket;

    private Admission(Decision decision, GatewayException error, Ticket ticket) {
        this.decision = decision;
        this.error = error;
        this.ticket = ticket;
    }

    static Admission admitted(Decision decision, Ticket ticket) {
        return new Admission(decision, null, ticket);
    }

    static Admission refused(Decision decision, GatewayException error) {
        return new Admission(decision, error, Ticket.NONE);
    }

    public boolean admitted() {
        return error == null;
    }

    /** The 429 (or 503) to answer with; null when admitted. */
    public GatewayException error() {
        return error;
    }

    public Ticket ticket() {
        return ticket;
    }

    public Decision decision() {
        return decision;
    }

    /** Writes the {@code x-ratelimit-*} headers (none when no per-minute cap applies). */
    public void headers(BiConsumer<String, String> out) {
        RateLimitHeaders.write(decision, out);
    }
}
