package io.junction.core.usage;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.Usage;
import java.util.Locale;

/**
 * Token counts for calls whose provider reported no usage (a stream cut or cancelled, a server that
 * sends none). Results are estimates and are marked {@code usage_estimated}.
 *
 * <p>Methods: OpenAI models (provider types {@code openai} and {@code azure}) are counted with
 * OpenAI's own BPE encodings through JTokkit: {@code o200k_base} for the GPT-4o, GPT-4.1, GPT-4.5,
 * GPT-5 and o-series families (and unknown models of those types), {@code cl100k_base} for GPT-4
 * and GPT-3.5. Every other provider uses its own tokenizer, which is not available offline, so
 * text is counted as one token per 4 characters, rounded up — OpenAI's published rule of thumb for
 * English; expect it to be off by ±30% for code and for non-Latin scripts.
 *
 * <p>Prompt: per message 3 tokens of framing, plus its role, name, text and tool calls; 3 tokens for
 * the reply's priming; plus the JSON of the tool definitions (OpenAI's cookbook formula; tool
 * definitions are an approximation). Image, audio and file parts are not counted.
 */
public final class TokenEstimator {
    private TokenEstimator() {}

    /** How tokens are counted. */
    public enum Method {
        O200K("o200k_base"),
        CL100K("cl100k_base"),
        CHARS_PER_4("chars/4");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final class O200k {
        static final Encoding ENC = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    }

    private static final class Cl100k {
        static final Encoding ENC = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    /** The counting method for a model of a provider type. */
    public static Method methodFor(String providerType, String model) {
        if (!"openai".equals(providerType) && !"azure".equals(providerType)) {
            return Method.CHARS_PER_4;
        }
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        if ((m.startsWith("gpt-4") && !m.startsWith("gpt-4o") && !m.startsWith("gpt-4.")) || m.startsWith("gpt-3.5")) {
            return Method.CL100K;
        }
        return Method.O200K;
    }

    /** Tokens in {@code text}. */
    public static int count(Method method, String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        return switch (method) {
            case O200K -> O200k.ENC.countTokensOrdinary(text);
            case CL100K -> Cl100k.ENC.countTokensOrdinary(text);
            case CHARS_PER_4 -> (text.length() + 3) / 4;
        };
    }

    /** Estimated prompt tokens of {@code request}. */
    public static int promptTokens(Method method, ChatRequest request) {
        long n = 3; // every reply is primed with <|start|>assistant<|message|>
        if (request.messages() != null) {
            for (ChatMessage m : request.messages()) {
                n += 3;
                n += count(method, m.role());
                n += count(method, m.text());
                if (m.name() != null) {
                    n += 1 + count(method, m.name());
                }
                if (m.reasoningContent() != null) {
                    n += count(method, m.reasoningContent());
                }
                if (m.toolCalls() != null) {
                    for (ToolCall tc : m.toolCalls()) {
                        n += count(method, Json.string(tc));
                    }
                }
            }
        }
        if (request.tools() != null && !request.tools().isEmpty()) {
            n += count(method, Json.string(request.tools()));
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** An estimated usage: the request's prompt and the completion text the client received. */
    public static Usage estimate(Method method, ChatRequest request, CompletionText completion) {
        int prompt = promptTokens(method, request);
        long out = count(method, completion.text()) + (completion.overflowChars() + 3) / 4;
        int c = (int) Math.min(Integer.MAX_VALUE, out);
        return Usage.of(prompt, c);
    }
}
