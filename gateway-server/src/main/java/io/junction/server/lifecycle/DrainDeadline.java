package io.junction.server.lifecycle;

/**
 * Fired down every client connection's pipeline when the drain period is over: a connection that
 * still has a call in flight ends it with a {@code server_shutting_down} error and closes.
 */
public enum DrainDeadline {
    INSTANCE
}
