package io.junction.server.observe;

/**
 * The closed {@code error_type} vocabulary of metrics, the ledger and logs: whose fault a failed
 * request was. Derived from the HTTP status, the error code and whether an upstream answered.
 *
 * <ul>
 *   <li>{@code none}: success (status below 400).
 *   <li>{@code caller_*}: the client's request or credentials — {@code caller_invalid_request}
 *       (400, 405, 415, 422), {@code caller_auth} (401), {@code caller_forbidden} (403),
 *       {@code caller_not_found} (404, unknown model or URL), {@code caller_too_large} (413),
 *       {@code caller_cancelled} (the client went away, recorded as 499).
 *   <li>{@code policy_*}: Junction's rules — {@code policy_model_not_allowed} (the key's model
 *       allow-list), {@code policy_rate_limited} (429 from Junction), {@code policy_budget_exceeded}
 *       (402 or a budget code).
 *   <li>{@code provider_*}: the upstream — {@code provider_rate_limited} (429),
 *       {@code provider_auth} (401/403: Junction's provider credentials), {@code provider_timeout}
 *       (408, 504, TTFT or request deadline), {@code provider_unavailable} (502/503, connect
 *       failures, open circuit), {@code provider_malformed} (a response Junction could not decode),
 *       {@code provider_rejected} (another 4xx: the provider refused this request),
 *       {@code provider_error} (another 5xx).
 *   <li>{@code gateway_*}: Junction itself — {@code gateway_internal} (500),
 *       {@code gateway_unavailable} (another 5xx raised by Junction).
 * </ul>
 */
public final class ErrorTypes {
    private ErrorTypes() {}

    public static final String NONE = "none";

    /**
     * @param fromProvider true when the error is an upstream's answer or failure (the call made at
     *     least one attempt), false when Junction refused the request itself
     */
    public static String classify(int status, String code, boolean fromProvider) {
        if (status < 400) {
            return NONE;
        }
        if (status == 499) {
            return "caller_cancelled";
        }
        if (code != null) {
            switch (code) {
                case "internal_error" -> {
                    return "gateway_internal";
                }
                case "circuit_open", "upstream_unavailable" -> {
                    return "provider_unavailable";
                }
                case "ttft_timeout", "request_timeout", "upstream_timeout" -> {
                    return "provider_timeout";
                }
                case "bad_upstream_response" -> {
                    return "provider_malformed";
                }
                case "model_not_allowed" -> {
                    if (!fromProvider) {
                        return "policy_model_not_allowed";
                    }
                }
                case "budget_exceeded", "insufficient_quota" -> {
                    if (!fromProvider) {
                        return "policy_budget_exceeded";
                    }
                }
                default -> {
                    // by status below
                }
            }
        }
        if (fromProvider) {
            return switch (status) {
                case 429 -> "provider_rate_limited";
                case 401, 403 -> "provider_auth";
                case 408, 504 -> "provider_timeout";
                case 502, 503 -> "provider_unavailable";
                default -> status >= 500 ? "provider_error" : "provider_rejected";
            };
        }
        return switch (status) {
            case 400, 405, 415, 422 -> "caller_invalid_request";
            case 401 -> "caller_auth";
            case 403 -> "caller_forbidden";
            case 404 -> "caller_not_found";
            case 413 -> "caller_too_large";
            case 402 -> "policy_budget_exceeded";
            case 429 -> "policy_rate_limited";
            case 500 -> "gateway_internal";
            default -> status >= 500 ? "gateway_unavailable" : "caller_invalid_request";
        };
    }
}
