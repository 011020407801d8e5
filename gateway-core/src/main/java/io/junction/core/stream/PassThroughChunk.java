package io.junction.core.stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.ObjectReader;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A plain OpenAI {@code chat.completion.chunk} relayed as the upstream sent it, described by what the
 * relay needs to know about it — finish reason, the text it delivers, how many choices — without
 * building the {@link ChatChunk} object graph. {@link #scan} reads those facts with a Jackson
 * streaming parser that is kept for the whole stream and fed one event at a time (no per-chunk parser,
 * no strings for ids or names), so a plain chunk costs no heap allocation once the stream is warm.
 *
 * <p>{@link #scan} accepts only chunks whose facts it describes exactly — the same values a full
 * {@link ChatChunk} parse gives to every reader of the relay: a JSON object, at most one choice, a
 * {@code delta} with only {@code role}, {@code content}, {@code reasoning_content}, {@code refusal}
 * (strings or null) and null-valued unknown fields, {@code logprobs} null or absent, {@code usage}
 * null or absent, no {@code error} and no {@code extra_fields}. Anything else (tool calls, usage
 * chunks, several choices, errors, malformed JSON, trailing bytes) is refused, and the caller takes its
 * full-parse path for that event. {@link #chunk()} still gives the full {@code ChatChunk}, parsed on
 * demand from the same bytes, for the readers that need it (response cache, tracing).
 *
 * <p>One instance per stream, reused for every event; not thread-safe. What it describes, including
 * {@link #bytes()}, is valid only until the next {@link #scan}: a reader that keeps the chunk must copy
 * it ({@link #copyBytes()}, {@link #chunk()}).
 */
public final class PassThroughChunk {
    private static final ObjectReader CHUNK_READER = Json.MAPPER.readerFor(ChatChunk.class);

    /** Fed one event at a time; after a refused event it is dropped and made anew. */
    private JsonParser parser;

    private final Trailing trailing = new Trailing();

    private byte[] bytes;
    private int length;
    private int choices;
    private String finishReason;
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final StringBuilder refusal = new StringBuilder();
    private ChatChunk parsed;

    /**
     * Reads {@code data[0, length)}, one SSE event's payload. True when it is a plain chunk this object
     * now describes; false when the caller must take the full-parse path (nothing is then described).
     * The array is referenced, not copied, until the next call.
     */
    public boolean scan(byte[] data, int length) {
        this.bytes = null;
        this.length = 0;
        this.choices = 0;
        this.finishReason = null;
        this.parsed = null;
        content.setLength(0);
        reasoning.setLength(0);
        refusal.setLength(0);
        boolean ok;
        try {
            if (parser == null) {
                parser = Json.MAPPER.getFactory().createNonBlockingByteArrayParser();
            }
            ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).feedInput(data, 0, length);
            ok = root(parser);
        } catch (IOException | RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            // the parser may be in the middle of a document: start the next event on a fresh one
            closeQuietly();
            choices = 0;
            finishReason = null;
            content.setLength(0);
            reasoning.setLength(0);
            refusal.setLength(0);
            return false;
        }
        this.bytes = data;
        this.length = length;
        return true;
    }

    private boolean root(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return false;
        }
        boolean sawChoices = false;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "id", "object", "model", "system_fingerprint", "service_tier" -> {
                    if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL) {
                        return false;
                    }
                }
                case "created" -> {
                    if (v != JsonToken.VALUE_NULL
                            && !(v == JsonToken.VALUE_NUMBER_INT
                                    && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER)) {
                        return false;
                    }
                }
                case "usage" -> {
                    if (v != JsonToken.VALUE_NULL) {
                        return false;
                    }
                }
                case "choices" -> {
                    if (sawChoices || v != JsonToken.START_ARRAY || !choices(p)) {
                        return false;
                    }
                    sawChoices = true;
                }
                case "error", "extra_fields" -> {
                    return false;
                }
                default -> {
                    if (!skip(p, v)) {
                        return false;
                    }
                }
            }
        }
        // the whole event must be this one object: anything after it is for the full parse to judge
        // (the parser may not reject trailing bytes until more input comes, so they are checked here)
        if (t != JsonToken.END_OBJECT) {
            return false;
        }
        trailing.onlySpace = true;
        p.releaseBuffered(trailing); // writes the bytes after the object; the parser does not move
        return trailing.onlySpace && p.nextToken() == JsonToken.NOT_AVAILABLE;
    }

    /** Checks that the bytes it is given are JSON whitespace. */
    private static final class Trailing extends OutputStream {
        boolean onlySpace;

        @Override
        public void write(int b) {
            onlySpace &= b == ' ' || b == '\t' || b == '\n' || b == '\r';
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len && onlySpace; i++) {
                write(b[i]);
            }
        }
    }

    private boolean choices(JsonParser p) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            if (++choices > 1 || !choice(p)) {
                return false;
            }
        }
        return t == JsonToken.END_ARRAY;
    }

    private boolean choice(JsonParser p) throws IOException {
        boolean sawDelta = false;
        boolean sawFinish = false;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "index" -> {
                    if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                        return false;
                    }
                }
                case "delta" -> {
                    if (sawDelta || v != JsonToken.START_OBJECT || !delta(p)) {
                        return false;
                    }
                    sawDelta = true;
                }
                case "logprobs" -> {
                    if (v != JsonToken.VALUE_NULL) {
                        return false;
                    }
                }
                case "finish_reason" -> {
                    if (sawFinish) {
                        return false; // a repeated key: the full parse decides which one counts
                    }
                    sawFinish = true;
                    if (v == JsonToken.VALUE_STRING) {
                        finishReason = p.getText(); // once per stream
                    } else if (v == JsonToken.VALUE_NULL) {
                        finishReason = null;
                    } else {
                        return false;
                    }
                }
                default -> {
                    if (!skip(p, v)) {
                        return false;
                    }
                }
            }
        }
        return t == JsonToken.END_OBJECT;
    }

    private boolean delta(JsonParser p) throws IOException {
        int seen = 0; // bits: content, reasoning_content, refusal; a repeated key goes to the full parse
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "content" -> {
                    if ((seen & 1) != 0 || !text(p, v, content)) {
                        return false;
                    }
                    seen |= 1;
                }
                case "reasoning_content" -> {
                    if ((seen & 2) != 0 || !text(p, v, reasoning)) {
                        return false;
                    }
                    seen |= 2;
                }
                case "refusal" -> {
                    if ((seen & 4) != 0 || !text(p, v, refusal)) {
                        return false;
                    }
                    seen |= 4;
                }
                case "role" -> {
                    if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL) {
                        return false;
                    }
                }
                default -> {
                    // tool_calls and unknown fields with a value (audio, annotations, ...) matter to
                    // readers of the chunk: the full parse handles them
                    if (v != JsonToken.VALUE_NULL) {
                        return false;
                    }
                }
            }
        }
        return t == JsonToken.END_OBJECT;
    }

    /** A string or null field: its characters. */
    private static boolean text(JsonParser p, JsonToken v, StringBuilder into) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            into.setLength(0);
            return true;
        }
        if (v != JsonToken.VALUE_STRING) {
            return false;
        }
        into.setLength(0);
        into.append(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        return true;
    }

    /** Skips one value whose first token is {@code v}; false if the event ends inside it. */
    private static boolean skip(JsonParser p, JsonToken v) throws IOException {
        if (v == null || v == JsonToken.NOT_AVAILABLE) {
            return false;
        }
        if (!v.isStructStart()) {
            return true;
        }
        int open = 1;
        while (open > 0) {
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.NOT_AVAILABLE) {
                return false;
            }
            if (t.isStructStart()) {
                open++;
            } else if (t.isStructEnd()) {
                open--;
            }
        }
        return true;
    }

    private void closeQuietly() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException | RuntimeException ignored) {
                // nothing to release but the parser's buffers
            }
            parser = null;
        }
    }

    /** The parser's buffers go back to Jackson's pool; call when the stream ends. */
    public void close() {
        closeQuietly();
    }

    /** The event's JSON, exactly as the upstream sent it: {@code bytes()[0, length())}. */
    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return length;
    }

    /** A copy of the event's JSON that outlives the next {@link #scan}. */
    public byte[] copyBytes() {
        return Arrays.copyOf(bytes, length);
    }

    /** 0 ({@code choices: []} or none) or 1. */
    public int choiceCount() {
        return choices;
    }

    /** The choice's finish reason, or null. */
    public String finishReason() {
        return finishReason;
    }

    /** {@code delta.content}; empty when absent or null. Valid until the next {@link #scan}. */
    public CharSequence content() {
        return content;
    }

    /** {@code delta.reasoning_content}; empty when absent or null. */
    public CharSequence reasoningContent() {
        return reasoning;
    }

    /** {@code delta.refusal}; empty when absent or null. */
    public CharSequence refusal() {
        return refusal;
    }

    /** Whether the chunk carries output a client sees: text, a refusal or a finish reason. */
    public boolean hasContent() {
        return finishReason != null || !content.isEmpty() || !reasoning.isEmpty() || !refusal.isEmpty();
    }

    /** The full chunk, parsed from the same bytes on first use (for the readers that need all of it). */
    public ChatChunk chunk() {
        if (parsed == null) {
            try {
                parsed = CHUNK_READER.readValue(bytes, 0, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // not reached: scan accepted it
            }
        }
        return parsed;
    }
}
