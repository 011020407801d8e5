package io.junction.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.Json;
import io.junction.core.spi.Provider;
import io.junction.server.auth.KeyAuthenticator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the aliases and each provider's listed
 * models ({@code provider/model}), in OpenAI's list shape, filtered to what the caller's key may call.
 */
final class ModelsEndpoint {
    private ModelsEndpoint() {}

    static byte[] list(GatewayContext gw, KeyAuthenticator.Principal principal) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (Map.Entry<String, String> e : models(gw).entrySet()) {
            if (principal.mayCall(e.getKey())) {
                data.add(model(e.getKey(), e.getValue()));
            }
        }
        return Json.bytes(root);
    }

    static byte[] one(GatewayContext gw, KeyAuthenticator.Principal principal, String id) {
        Map<String, String> all = models(gw);
        String owner = all.get(id);
        if (owner == null) {
            // Any provider/model resolves, listed or not.
            owner = gw.resolver().resolve(id).get(0).provider().name();
        }
        if (!principal.mayCall(id)) {
            throw GatewayException.modelNotFound(id);
        }
        return Json.bytes(model(id, owner));
    }

    /** id → owned_by, aliases first. */
    private static Map<String, String> models(GatewayContext gw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String alias : gw.resolver().aliases().keySet()) {
            out.put(alias, "junction");
        }
        for (Provider p : gw.resolver().providers().values()) {
            ProviderSpec spec = p.spec();
            for (String m : spec.models()) {
                out.putIfAbsent(p.name() + "/" + m, p.name());
            }
        }
        return out;
    }

    private static ObjectNode model(String id, String owner) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", id);
        n.put("object", "model");
        n.put("created", 0);
        n.put("owned_by", owner);
        return n;
    }
}
