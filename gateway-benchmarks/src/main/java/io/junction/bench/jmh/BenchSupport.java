package io.junction.bench.jmh;

import io.junction.core.config.JunctionConfig;
import io.junction.core.route.ModelResolver;
import io.junction.core.spi.ProviderRegistry;
import io.junction.server.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Shared inputs of the JMH benchmarks: a realistic config, request bodies and recorded fixtures. */
final class BenchSupport {
    private BenchSupport() {}

    /** Three real provider types, an alias with a fallback chain; loaded by the real config loader. */
    static final String CONFIG = """
            providers:
              oai:
                type: openai
                api_key: sk-bench
                base_url: http://127.0.0.1:18081/v1
                retry: {max_retries: 0}
              ant:
                type: anthropic
                api_key: sk-ant-bench
              gem:
                type: gemini
                api_key: bench-key
            models:
              default:
                targets: [oai/gpt-4.1-mini, ant/claude-sonnet-4-5, gem/gemini-2.5-flash]
              fast:
                targets: [oai/gpt-4.1-nano]
            """;

    /**
     * A realistic ~1 KB non-streaming chat request: system prompt, a short multi-turn conversation,
     * sampling parameters and a user id. The load suite sends the same body (bench/bodies/chat.json).
     */
    static final String CHAT_BODY = """
            {"model":"default","messages":[{"role":"system","content":"You are a helpful assistant for an \
            online store. Answer briefly and politely. If you do not know the answer, say so and offer to \
            connect the customer with a human agent."},{"role":"user","content":"Hi! I ordered a pair of \
            running shoes last week (order 48213) and the tracking page has not changed for three days."},\
            {"role":"assistant","content":"I am sorry about the delay. Let me check order 48213 for you. \
            Could you confirm the email address used for the order?"},{"role":"user","content":"Sure, it is \
            jane.doe@example.com. I need the shoes before a race on Saturday, so please tell me whether they \
            will arrive in time or whether I should buy a pair locally instead."}],"temperature":0.7,\
            "top_p":1,"max_tokens":512,"presence_penalty":0,"frequency_penalty":0,"user":"customer-48213",\
            "metadata":{"channel":"web","locale":"en-US"}}""";

    static JunctionConfig config(ProviderRegistry registry) {
        return new ConfigLoader(registry, name -> null)
                .load("bench.yaml", new ByteArrayInputStream(CONFIG.getBytes(StandardCharsets.UTF_8)));
    }

    static ModelResolver resolver() {
        ProviderRegistry registry = ProviderRegistry.load();
        return new ModelResolver(config(registry), registry);
    }

    static byte[] fixture(String path) {
        try (InputStream in = BenchSupport.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code .jsonl} fixture (one event per line) as the SSE body a provider sends. */
    static byte[] jsonlAsSse(String path, boolean doneMarker) {
        StringBuilder sb = new StringBuilder();
        for (String line : new String(fixture(path), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                sb.append("data: ").append(line.strip()).append("\n\n");
            }
        }
        if (doneMarker) {
            sb.append("data: [DONE]\n\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
