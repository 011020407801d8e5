package io.junction.core.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The cache key of a chat request: a SHA-256 digest over the scope and the canonical JSON of
 * everything in the request that can change the answer.
 *
 * <p>In the key: the resolved targets (the set of {@code provider/model} a call may go to — not the
 * name the client used, and not the order a strategy picked for this call), {@code messages} (after
 * the alias's system prompt was rendered), {@code tools}, {@code tool_choice},
 * {@code response_format}, every sampling parameter ({@code temperature}, {@code top_p},
 * {@code max_tokens}, {@code max_completion_tokens}, {@code stop}, {@code n}, the penalties,
 * {@code logit_bias}, {@code seed}, {@code reasoning_effort}, {@code verbosity}, ...) and any field
 * Junction does not know (it may change the answer). Out of the key: fields that change how the
 * answer is delivered or accounted, not what it says ({@code stream}, {@code stream_options},
 * {@code user}, {@code metadata}, {@code store}, {@code service_tier}, {@code prompt_cache_key},
 * {@code safety_identifier}) and Junction's own extensions (already resolved into the targets and
 * messages). Objects are written with their keys sorted, so field order never matters. The client's
 * key secret is never part of it: the scope is a key or team <em>name</em>.
 */
public final class CacheKey {
    private CacheKey() {}

    /** Version prefix of every key: bump it when the canonical form changes. */
    public static final String PREFIX = "jc1:";

    /** Request fields that do not change the answer (snake_case, as on the wire). */
    static final Set<String> NOT_IN_KEY = Set.of(
            "model",
            "stream",
            "stream_options",
            "user",
            "metadata",
            "store",
            "service_tier",
            "prompt_cache_key",
            "safety_identifier",
            // Junction's extensions: consumed by the gateway (targets, rendered prompts) or accounting only
            "fallbacks",
            "session_id",
            "tags",
            "labels",
            "max_ttft_ms",
            "system_prompt_args",
            "ab_campaign",
            "provider");

    /**
     * The key of {@code request} (as sent upstream: system prompt rendered) for the caller {@code scope}
     * (e.g. {@code key:team-a}, {@code global}) when it may be answered by {@code targetIds}.
     */
    public static String of(String scope, Collection<String> targetIds, ChatRequest request) {
        byte[] canonical = canonicalBytes(targetIds, request);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(scope.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(canonical);
        return PREFIX + java.util.HexFormat.of().formatHex(sha.digest());
    }

    /** The canonical JSON the digest is taken over (for tests and debugging). */
    public static String canonical(Collection<String> targetIds, ChatRequest request) {
        return new String(canonicalBytes(targetIds, request), StandardCharsets.UTF_8);
    }

    private static byte[] canonicalBytes(Collection<String> targetIds, ChatRequest request) {
        ObjectNode tree = Json.MAPPER.valueToTree(request);
        for (String f : NOT_IN_KEY) {
            tree.remove(f);
        }
        ArrayNode targets = tree.putArray("$targets");
        for (String t : new TreeSet<>(targetIds)) {
            targets.add(t);
        }
        try {
            return Json.MAPPER.writeValueAsBytes(sorted(tree));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of {@code node} with every object's fields in key order; null fields dropped. */
    static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            List<String> names = new ArrayList<>();
            Iterator<String> it = node.fieldNames();
            while (it.hasNext()) {
                names.add(it.next());
            }
            names.sort(null);
            for (String n : names) {
                JsonNode v = node.get(n);
                if (!v.isNull()) {
                    out.set(n, sorted(v));
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
            for (JsonNode v : node) {
                out.add(sorted(v));
            }
            return out;
        }
        return node;
    }
}
