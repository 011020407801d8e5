package io.junction.core.route;

/** What one upstream attempt did, for {@code extra_fields}, headers and logs. */
public record Attempt(String target, int status, String errorCode, long latencyMs) {}
