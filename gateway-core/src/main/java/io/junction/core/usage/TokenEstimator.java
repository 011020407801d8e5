package io.junction.core.usage;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.Usage;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    // Loading an encoding parses a multi-megabyte vocabulary (seconds on a busy machine): done once,
    // ahead of need by warmUpInBackground(Set), and never on an event loop (see loaded()).
    private static volatile Encoding o200k;
    private static volatile Encoding cl100k;
    /** Methods whose load has been started (by a warm-up or a first synchronous use). */
    private static final Set<Method> LOADING = ConcurrentHashMap.newKeySet();

    private static Encoding encoding(Method m) {
        Encoding e = m == Method.O200K ? o200k : cl100k;
        if (e == null) {
            LOADING.add(m);
            synchronized (TokenEstimator.class) {
                e = m == Method.O200K ? o200k : cl100k;
                if (e == null) {
                    e = Encodings.newLazyEncodingRegistry()
                            .getEncoding(m == Method.O200K ? EncodingType.O200K_BASE : EncodingType.CL100K_BASE);
                    if (m == Method.O200K) {
                        o200k = e;
                    } else {
                        cl100k = e;
                    }
                }
            }
        }
        return e;
    }

    /** Whether counting with {@code m} is cheap now (its vocabulary is loaded). */
    public static boolean loaded(Method m) {
        return switch (m) {
            case O200K -> o200k != null;
            case CL100K -> cl100k != null;
            case CHARS_PER_4 -> true;
        };
    }

    /**
     * Loads the vocabularies of {@code methods} that are not loaded or loading yet, on one daemon
     * thread: each takes tens of MB of heap (o200k ~27 MB, cl100k ~13 MB) and seconds of CPU, so only
     * the ones a config can need are loaded ({@link #methodsFor}). Returns the thread, or null when
     * there was nothing to load.
     */
    public static Thread warmUpInBackground(Set<Method> methods) {
        List<Method> todo = new ArrayList<>();
        for (Method m : methods) {
            if (m != Method.CHARS_PER_4 && LOADING.add(m)) {
                todo.add(m);
            }
        }
        if (todo.isEmpty()) {
            return null;
        }
        Thread t = new Thread(
                () -> {
                    for (Method m : todo) {
                        encoding(m);
                    }
                },
                "junction-tokenizer-load");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The vocabularies calls to these providers can need: {@code o200k} as soon as one provider is of
     * type {@code openai} or {@code azure} (it counts every model of theirs not known to be older),
     * {@code cl100k} when one of {@code models} of such a provider is a GPT-4 or GPT-3.5 model. A
     * model reached otherwise (a client naming it directly) is counted by characters until its
     * vocabulary is loaded, which {@link #loadInBackground} then starts.
     *
     * @param providerTypes each provider's name and type
     * @param models the models of each provider the config names (aliases' targets, providers' lists)
     */
    public static Set<Method> methodsFor(Map<String, String> providerTypes, Map<String, List<String>> models) {
        Set<Method> out = EnumSet.noneOf(Method.class);
        providerTypes.forEach((name, type) -> {
            Method dflt = methodFor(type, null);
            if (dflt == Method.CHARS_PER_4) {
                return;
            }
            out.add(dflt);
            for (String model : models.getOrDefault(name, List.of())) {
                out.add(methodFor(type, model));
            }
        });
        return out;
    }

    /** Starts loading {@code m}'s vocabulary on a daemon thread unless it is loaded or loading. */
    public static void loadInBackground(Method m) {
        if (!loaded(m)) {
            warmUpInBackground(EnumSet.of(m));
        }
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
            case O200K, CL100K -> encoding(method).countTokensOrdinary(text);
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
