package io.junction.provider.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamBody;
import io.junction.provider.openai.OpenAiAdapter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * An OpenAI-compatible provider preset: the {@code openai} adapter with the preset's default base URL
 * and request quirks ({@link CompatPreset}). Responses, streams (relayed byte for byte, so fields such
 * as DeepSeek's {@code reasoning_content} reach the client as sent) and errors are the openai
 * adapter's. The concrete types, one small class each for {@link java.util.ServiceLoader}, are in
 * {@link CompatPresets}.
 */
public class CompatAdapter extends OpenAiAdapter {
    private final CompatPreset preset;

    protected CompatAdapter(CompatPreset preset) {
        this.preset = preset;
    }

    public CompatPreset preset() {
        return preset;
    }

    @Override
    public String type() {
        return preset.type();
    }

    /** Presets take only the common settings ({@code base_url}, {@code api_key}, {@code headers}, ...). */
    @Override
    public Set<String> optionKeys() {
        return Set.of();
    }

    @Override
    protected String defaultBaseUrl(ProviderSpec spec) {
        return preset.defaultBaseUrl();
    }

    @Override
    protected boolean includeUsageUpstream(Target target) {
        return preset.includeUsage();
    }

    @Override
    protected UpstreamBody requestBody(ChatRequest body, Target target) {
        if (preset.singleChoice() && body.n() != null && body.n() > 1) {
            throw GatewayException.invalidRequest(
                    "n",
                    "Invalid 'n': " + body.n() + ". Provider type " + preset.type()
                            + " returns one choice; 'n' must be 1.");
        }
        UpstreamBody upstream = super.requestBody(body, target);
        if (preset.passThrough()) {
            return upstream;
        }
        ObjectNode tree;
        try {
            tree = (ObjectNode) Json.MAPPER.readTree(upstream.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Map.Entry<String, String> r : preset.renamed().entrySet()) {
            JsonNode value = tree.remove(r.getKey());
            if (value != null && !tree.has(r.getValue())) {
                tree.set(r.getValue(), value);
            }
        }
        tree.remove(preset.dropped());
        if (preset.dropMessageNames() && tree.get("messages") != null) {
            for (JsonNode m : tree.get("messages")) {
                if (m instanceof ObjectNode message) {
                    message.remove("name");
                }
            }
        }
        return UpstreamBody.of(Json.bytes(tree));
    }
}
