package io.junction.provider.compat;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAI-compatible presets, and one tiny public class per preset for
 * {@link java.util.ServiceLoader} (which needs a public no-argument constructor per registered class).
 *
 * <p>Quirks are applied only where the provider's own documentation, API schema or a reported error
 * shows the provider rejects a field; each is cited in {@code docs/providers.md}. Everything else is
 * passed through as the {@code openai} type does.
 */
public final class CompatPresets {
    private CompatPresets() {}

    /**
     * console.groq.com/docs/openai: logprobs, logit_bias, top_logprobs and messages[].name "will result
     * in a 400 error"; "if N is supplied, it must be equal to 1".
     */
    public static final CompatPreset GROQ = new CompatPreset(
            "groq",
            "https://api.groq.com/openai/v1",
            Set.of("logprobs", "top_logprobs", "logit_bias"),
            Map.of(),
            true,
            true,
            true);

    /**
     * Mistral's chat request schema (mistralai/client-python ChatCompletionRequest) has no seed,
     * max_completion_tokens or stream_options, and the API rejects unknown fields with 422
     * extra_forbidden: seed becomes random_seed, max_completion_tokens becomes max_tokens, and the
     * OpenAI fields absent from the schema are dropped. stream_options is not sent, so include_usage is
     * not forced (Mistral reports usage on its last chunk).
     */
    public static final CompatPreset MISTRAL = new CompatPreset(
            "mistral",
            "https://api.mistral.ai/v1",
            Set.of(
                    "stream_options",
                    "user",
                    "logit_bias",
                    "logprobs",
                    "top_logprobs",
                    "store",
                    "metadata",
                    "service_tier",
                    "reasoning_effort",
                    "verbosity",
                    "prompt_cache_key",
                    "safety_identifier",
                    "modalities"),
            Map.of("seed", "random_seed", "max_completion_tokens", "max_tokens"),
            true,
            false,
            false);

    /** No verified quirk; reasoning_content already comes in OpenAI's chunk shape and is relayed as sent. */
    public static final CompatPreset DEEPSEEK = CompatPreset.plain("deepseek", "https://api.deepseek.com/v1");

    public static final CompatPreset TOGETHER = CompatPreset.plain("together", "https://api.together.xyz/v1");

    public static final CompatPreset FIREWORKS =
            CompatPreset.plain("fireworks", "https://api.fireworks.ai/inference/v1");

    public static final CompatPreset XAI = CompatPreset.plain("xai", "https://api.x.ai/v1");

    /** OpenRouter documents stream_options.include_usage as having no effect: usage is always sent. */
    public static final CompatPreset OPENROUTER = CompatPreset.plain("openrouter", "https://openrouter.ai/api/v1");

    /**
     * Perplexity's streaming guide says usage arrives in the final chunks anyway; stream_options is not
     * forced on it. No request field is dropped (its rejection of tools could not be verified).
     */
    public static final CompatPreset PERPLEXITY =
            new CompatPreset("perplexity", "https://api.perplexity.ai", Set.of(), Map.of(), false, false, false);

    public static final CompatPreset VLLM = CompatPreset.plain("vllm", "http://127.0.0.1:8000/v1");

    /** docs.ollama.com/api/openai-compatibility lists stream_options.include_usage as supported. */
    public static final CompatPreset OLLAMA = CompatPreset.plain("ollama", "http://127.0.0.1:11434/v1");

    public static final CompatPreset LMSTUDIO = CompatPreset.plain("lmstudio", "http://127.0.0.1:1234/v1");

    /** Every preset, in documentation order. */
    public static final List<CompatPreset> ALL =
            List.of(GROQ, MISTRAL, DEEPSEEK, TOGETHER, FIREWORKS, XAI, OPENROUTER, PERPLEXITY, VLLM, OLLAMA, LMSTUDIO);

    public static final class Groq extends CompatAdapter {
        public Groq() {
            super(GROQ);
        }
    }

    public static final class Mistral extends CompatAdapter {
        public Mistral() {
            super(MISTRAL);
        }
    }

    public static final class DeepSeek extends CompatAdapter {
        public DeepSeek() {
            super(DEEPSEEK);
        }
    }

    public static final class Together extends CompatAdapter {
        public Together() {
            super(TOGETHER);
        }
    }

    public static final class Fireworks extends CompatAdapter {
        public Fireworks() {
            super(FIREWORKS);
        }
    }

    public static final class Xai extends CompatAdapter {
        public Xai() {
            super(XAI);
        }
    }

    public static final class OpenRouter extends CompatAdapter {
        public OpenRouter() {
            super(OPENROUTER);
        }
    }

    public static final class Perplexity extends CompatAdapter {
        public Perplexity() {
            super(PERPLEXITY);
        }
    }

    public static final class Vllm extends CompatAdapter {
        public Vllm() {
            super(VLLM);
        }
    }

    public static final class Ollama extends CompatAdapter {
        public Ollama() {
            super(OLLAMA);
        }
    }

    public static final class LmStudio extends CompatAdapter {
        public LmStudio() {
            super(LMSTUDIO);
        }
    }
}
