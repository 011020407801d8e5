package io.junction.server.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): a valid {@code traceparent} from the
 * client is accepted and logged (access log: {@code traceparent}, {@code trace_id}). With tracing
 * off it is propagated unchanged to every upstream attempt, with {@code tracestate}, so the
 * provider's spans hang off the client's span; with tracing on it is the parent of the request's
 * span and each attempt sends its own span instead ({@code observe.trace.ChatSpan}). An invalid
 * header is ignored, as the spec asks.
 */
final class TraceContext {
    private TraceContext() {}

    private static final Pattern TRACEPARENT = Pattern.compile("^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$");

    /** The request's {@code traceparent} if valid (version not ff, ids not all zeros), else null. */
    static String traceparent(HttpHeaders headers) {
        String v = headers.get("traceparent");
        if (v == null) {
            return null;
        }
        v = v.strip();
        if (!TRACEPARENT.matcher(v).matches()
                || v.startsWith("ff")
                || v.substring(3, 35).chars().allMatch(c -> c == '0')
                || v.substring(36, 52).chars().allMatch(c -> c == '0')) {
            return null;
        }
        if (v.startsWith("00") && v.length() != 55) {
            return null;
        }
        return v;
    }

    /** Headers to send upstream: {@code traceparent}, and {@code tracestate} when present. */
    static Map<String, String> propagation(HttpHeaders headers, String traceparent) {
        Map<String, String> out = new LinkedHashMap<>(2);
        out.put("traceparent", traceparent);
        String state = headers.get("tracestate");
        if (state != null && !state.isBlank() && state.length() <= 512) {
            out.put("tracestate", state.strip());
        }
        return out;
    }
}
