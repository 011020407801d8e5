package io.junction.core.schema;

/**
 * Junction's {@code extra_fields} block on responses: who served the request and how long it took.
 * Turned off with {@code server.extra_fields: false} for clients that reject unknown fields.
 */
public record ExtraFields(String provider, String modelRequested, String modelUsed, Long latencyMs, Integer attempts) {}
