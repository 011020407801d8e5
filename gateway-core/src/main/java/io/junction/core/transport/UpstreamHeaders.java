package io.junction.core.transport;

/** Read-only view of an upstream response's headers (case-insensitive names). */
@FunctionalInterface
public interface UpstreamHeaders {
    UpstreamHeaders EMPTY = name -> null;

    /** The first value of the header, or null. */
    String get(String name);
}
