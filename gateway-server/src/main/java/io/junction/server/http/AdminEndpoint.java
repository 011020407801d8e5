package io.junction.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.error.GatewayException;
import io.junction.core.route.CircuitBreaker;
import io.junction.core.route.ProviderQuotas;
import io.junction.core.schema.Json;
import io.junction.core.spi.Target;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/*}: operator endpoints, protected by {@code admin.key} (Bearer). Without an admin key
 * in the config they are refused, never open.
 */
final class AdminEndpoint {
    private AdminEndpoint() {}

    static void authorize(GatewayContext gw, String authorization) {
        String key = gw.config().admin().key();
        if (key == null) {
            throw new GatewayException(
                    403,
                    "permission_error",
                    "admin_disabled",
                    null,
                    "Admin endpoints are disabled: set admin.key in the config.",
                    false);
        }
        String presented = authorization == null ? "" : authorization.strip();
        if (presented.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = presented.substring(7).strip();
        }
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8))) {
            throw GatewayException.unauthorized("Incorrect admin key.");
        }
    }

    /**
     * {@code GET /admin/routes}: aliases with their targets, every circuit breaker's state, and the
     * providers' rate limits as the router sees them (learned per target and key, configured per
     * provider and key).
     */
    static byte[] routes(GatewayContext gw) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode aliases = root.putObject("aliases");
        for (Map.Entry<String, List<Target>> e : gw.resolver().aliases().entrySet()) {
            ArrayNode targets = aliases.putArray(e.getKey());
            e.getValue().forEach(t -> targets.add(t.id()));
        }
        ArrayNode circuits = root.putArray("circuits");
        for (Map.Entry<String, CircuitBreaker> e : gw.breakers().snapshot().entrySet()) {
            ObjectNode c = circuits.addObject();
            c.put("target", e.getKey());
            c.put("state", e.getValue().state().name().toLowerCase(java.util.Locale.ROOT));
            c.put("opens", e.getValue().opens());
        }
        // what the providers' rate-limit headers said, per target and key; -1 / 0 = not stated
        long now = System.nanoTime();
        ArrayNode limits = root.putArray("rate_limits");
        for (ProviderQuotas.View v : gw.routes().quotas().snapshot(now)) {
            ObjectNode o = limits.addObject();
            o.put("target", v.target());
            o.put("key", v.key());
            o.put("remaining_requests", v.remainingRequests());
            o.put("limit_requests", v.limitRequests());
            o.put("requests_reset_ms", v.requestsResetMs());
            o.put("remaining_tokens", v.remainingTokens());
            o.put("limit_tokens", v.limitTokens());
            o.put("tokens_reset_ms", v.tokensResetMs());
            o.put("retry_after_ms", v.blockedMs());
            o.put("skipped_for_ms", v.limitedMs());
        }
        ArrayNode local = root.putArray("local_limits");
        for (ProviderQuotas.LocalView v : gw.routes().quotas().localSnapshot(now)) {
            ObjectNode o = local.addObject();
            o.put("provider", v.provider());
            o.put("key", v.key());
            if (v.rpm() != null) {
                o.put("rpm", v.rpm());
            }
            if (v.tpm() != null) {
                o.put("tpm", v.tpm());
            }
            o.put("requests_last_60s", v.requestsInWindow());
            o.put("tokens_last_60s", v.tokensInWindow());
        }
        return Json.bytes(root);
    }
}
