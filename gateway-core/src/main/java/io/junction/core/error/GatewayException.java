package io.junction.core.error;

import java.time.Duration;

/**
 * Every failure a client can see, as an HTTP status plus an OpenAI-style error body. Thrown by
 * validation, routing and adapters; produced by transports for network failures.
 *
 * <p>{@code retryable} tells the router whether another attempt (same or next target) may succeed;
 * it is never shown to the client. Messages must never contain secrets.
 */
public final class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final boolean retryable;
    private final Duration retryAfter;

    public GatewayException(int status, String type, String code, String param, String message, boolean retryable) {
        this(status, type, code, param, message, retryable, null, null);
    }

    public GatewayException(
            int status,
            String type,
            String code,
            String param,
            String message,
            boolean retryable,
            Duration retryAfter,
            Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public static GatewayException invalidRequest(String param, String message) {
        return new GatewayException(400, "invalid_request_error", null, param, message, false);
    }

    public static GatewayException invalidRequest(String param, String code, String message) {
        return new GatewayException(400, "invalid_request_error", code, param, message, false);
    }

    public static GatewayException modelNotFound(String model) {
        return new GatewayException(
                404,
                "invalid_request_error",
                "model_not_found",
                "model",
                "The model '" + model
                        + "' does not exist: it is neither a configured alias nor <provider>/<model> for a"
                        + " configured provider.",
                false);
    }

    public static GatewayException unauthorized(String message) {
        return new GatewayException(401, "authentication_error", "invalid_api_key", null, message, false);
    }

    public static GatewayException forbidden(String message) {
        return new GatewayException(403, "permission_error", "model_not_allowed", "model", message, false);
    }

    public static GatewayException notFound(String message) {
        return new GatewayException(404, "invalid_request_error", "not_found", null, message, false);
    }

    /** The upstream could not be reached or broke the connection. */
    public static GatewayException upstreamUnavailable(String provider, String what, Throwable cause) {
        return new GatewayException(
                502,
                "api_error",
                "upstream_unavailable",
                null,
                "Provider '" + provider + "' " + what,
                true,
                null,
                cause);
    }

    public static GatewayException upstreamTimeout(String provider, String what) {
        return new GatewayException(
                504, "api_error", "upstream_timeout", null, "Provider '" + provider + "' " + what, true);
    }

    /** The upstream answered with something that is not its documented format. */
    public static GatewayException malformedUpstream(String provider, String what) {
        return new GatewayException(
                502, "api_error", "bad_upstream_response", null, "Provider '" + provider + "' " + what, true);
    }

    public static GatewayException internal(String message, Throwable cause) {
        return new GatewayException(500, "internal_error", "internal_error", null, message, false, null, cause);
    }

    /** Statuses worth another attempt when the provider sent them: 408, 409, 429, 5xx. */
    public static boolean retryableStatus(int status) {
        return status == 408 || status == 409 || status == 429 || status >= 500;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }

    public boolean retryable() {
        return retryable;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public OpenAiError toBody() {
        return new OpenAiError(new OpenAiError.Detail(getMessage(), type, param, code));
    }

    @Override
    public String toString() {
        return "GatewayException[" + status + " " + type + (code == null ? "" : "/" + code) + ": " + getMessage() + "]";
    }
}
