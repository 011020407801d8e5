package io.junction.core.config;

import java.util.List;

/**
 * {@code logging:} — the structured access log.
 *
 * @param accessLog one JSON line per request on the {@code junction.access} logger (default true)
 * @param logPayloads include the request's messages and the completion text in a chat request's line
 *     (default false: prompts and completions are never logged unless this is on)
 * @param accessLogExclude paths of requests (other than chat calls) that get no access-log line:
 *     exact paths, or prefixes ending in {@code *} (default {@code /health}, {@code /ready},
 *     {@code /metrics}: probes and scrapes would drown the log); {@code []} logs every request
 */
public record LoggingSpec(Boolean accessLog, Boolean logPayloads, List<String> accessLogExclude) {
    public static final List<String> DEFAULT_EXCLUDE = List.of("/health", "/ready", "/metrics");
    public static final LoggingSpec DEFAULTS = new LoggingSpec(null, null, null);

    public LoggingSpec {
        accessLog = accessLog == null ? Boolean.TRUE : accessLog;
        logPayloads = logPayloads == null ? Boolean.FALSE : logPayloads;
        accessLogExclude = accessLogExclude == null ? DEFAULT_EXCLUDE : List.copyOf(accessLogExclude);
    }

    public LoggingSpec(Boolean accessLog, Boolean logPayloads) {
        this(accessLog, logPayloads, null);
    }

    /** Whether a request to {@code path} (not a chat call) is left out of the access log. */
    public boolean excluded(String path) {
        for (int i = 0; i < accessLogExclude.size(); i++) {
            String e = accessLogExclude.get(i);
            if (e.endsWith("*") ? path.startsWith(e.substring(0, e.length() - 1)) : path.equals(e)) {
                return true;
            }
        }
        return false;
    }
}
