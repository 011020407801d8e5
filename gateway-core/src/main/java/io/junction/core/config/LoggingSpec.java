package io.junction.core.config;

/**
 * {@code logging:} — the structured access log.
 *
 * @param accessLog one JSON line per chat request on the {@code junction.access} logger (default true)
 * @param logPayloads include the request's messages and the completion text in that line (default
 *     false: prompts and completions are never logged unless this is on)
 */
public record LoggingSpec(Boolean accessLog, Boolean logPayloads) {
    public static final LoggingSpec DEFAULTS = new LoggingSpec(null, null);

    public LoggingSpec {
        accessLog = accessLog == null ? Boolean.TRUE : accessLog;
        logPayloads = logPayloads == null ? Boolean.FALSE : logPayloads;
    }
}
