package io.junction.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.error.GatewayException;
import io.junction.core.route.CircuitBreaker;
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

    /** {@code GET /admin/routes}: aliases with their targets, and every circuit breaker's state. */
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
        return Json.bytes(root);
    }
}
