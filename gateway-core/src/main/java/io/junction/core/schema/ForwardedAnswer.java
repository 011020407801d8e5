package io.junction.core.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An upstream's non-streamed OpenAI {@code chat.completion}, forwarded to the client as sent, described
 * by what routing and accounting read from it — the model, the usage, the first choice's finish
 * reason — without building the {@link ChatResponse} object graph (messages, tool calls, logprobs).
 * {@link #scan} reads those with a Jackson streaming parser and skips everything else; it still reads
 * the whole body, so malformed JSON is caught as the full parse would catch it.
 *
 * <p>{@link #scan} describes only bodies whose facts it gives exactly as a full parse would: a JSON
 * object and nothing after it, {@code choices} an array of objects (once), {@code model} and each
 * {@code finish_reason} a string or null, {@code usage} an object (read by the same deserializer as
 * {@link ChatResponse#usage()}). It refuses, and the caller takes the full-parse path, a body without
 * usage (the caller must then estimate it from the text), one with {@code extra_fields} (the caller
 * re-encodes it) or {@code error}, and anything else.
 */
public final class ForwardedAnswer {
    private static final ObjectReader USAGE = Json.MAPPER.readerFor(Usage.class);

    private final String model;
    private final Usage usage;
    private final String finishReason;

    private ForwardedAnswer(String model, Usage usage, String finishReason) {
        this.model = model;
        this.usage = usage;
        this.finishReason = finishReason;
    }

    /** The body's facts, or null when the caller must parse it fully. The buffer is not moved or released. */
    public static ForwardedAnswer scan(ByteBuf body) {
        try (JsonParser p =
                Json.MAPPER.getFactory().createParser((InputStream) new ByteBufInputStream(body.duplicate()))) {
            return root(p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static ForwardedAnswer root(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String model = null;
        Usage usage = null;
        String finish = null;
        boolean sawChoices = false;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "model" -> {
                    if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL) {
                        return null;
                    }
                    model = v == JsonToken.VALUE_NULL ? null : p.getText();
                }
                case "usage" -> {
                    if (v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
                        return null;
                    }
                    usage = v == JsonToken.VALUE_NULL ? null : USAGE.readValue(p);
                }
                case "choices" -> {
                    if (sawChoices || v != JsonToken.START_ARRAY) {
                        return null;
                    }
                    sawChoices = true;
                    Finish f = choices(p);
                    if (f == null) {
                        return null;
                    }
                    finish = f.reason;
                }
                case "error", "extra_fields" -> {
                    return null;
                }
                default -> p.skipChildren(); // a scalar stays where it is
            }
        }
        if (t != JsonToken.END_OBJECT || p.nextToken() != null || !sawChoices || usage == null) {
            return null; // trailing bytes, no choices (a malformed answer) or no usage: the full path decides
        }
        return new ForwardedAnswer(model, usage, finish);
    }

    /** The first choice's finish reason (null for none), or null for a refused {@code choices} array. */
    private static Finish choices(JsonParser p) throws IOException {
        String first = null;
        int i = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                return null;
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                boolean finishField = "finish_reason".equals(p.currentName());
                JsonToken v = p.nextToken();
                if (finishField) {
                    if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL) {
                        return null;
                    }
                    if (i == 0) {
                        first = v == JsonToken.VALUE_NULL ? null : p.getText();
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return null;
            }
            i++;
        }
        return new Finish(first);
    }

    private record Finish(String reason) {}

    /** The {@code model} the upstream reports (may be null). */
    public String model() {
        return model;
    }

    /** The upstream's usage: never null (a body without usage is refused). */
    public Usage usage() {
        return usage;
    }

    /** The first choice's {@code finish_reason}, or null (no choices, or not finished). */
    public String finishReason() {
        return finishReason;
    }
}
