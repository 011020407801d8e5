package io.junction.core.schema;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes the upstream body of a request from the client's own bytes: each top-level member is copied
 * as the client sent it, except that Junction's extension fields and members whose value is
 * {@code null} are left out (as {@link Json#UPSTREAM_WRITER} leaves them out), {@code model} is the
 * request's (the target's model), and {@code stream_options} is the request's when the adapter changed
 * it. The result is the same JSON value as re-serializing the request, field for field, save that
 * what the client wrote inside a member (number forms, escapes, nested nulls, whitespace) is kept.
 *
 * <p>It only splits the top-level object into members; it does not validate JSON, so it must only be
 * given bytes Jackson has already parsed as a request. It refuses (returns false, having written
 * nothing the caller keeps) whatever it is not sure of: a byte-order mark or another encoding than
 * UTF-8, a key with an escape, a key that appears twice.
 */
final class RequestSplice {
    private RequestSplice() {}

    private static final byte[] MODEL = ascii("model");
    private static final byte[] STREAM_OPTIONS = ascii("stream_options");
    private static final byte[] MODEL_MEMBER = ascii("\"model\":");
    private static final byte[] STREAM_OPTIONS_MEMBER = ascii("\"stream_options\":");

    /** The JSON names of the fields that carry {@code @JsonView(Views.Gateway.class)}: never sent upstream. */
    static final List<String> GATEWAY_FIELDS = gatewayFields();

    private static final byte[][] GATEWAY_NAMES =
            GATEWAY_FIELDS.stream().map(RequestSplice::ascii).toArray(byte[][]::new);

    private static final int OTHER = 0;
    private static final int KIND_MODEL = 1;
    private static final int KIND_STREAM_OPTIONS = 2;
    private static final int KIND_GATEWAY = 3;

    /** The {@code model} member per model name; a few names per deployment. */
    private static final ConcurrentHashMap<String, byte[]> MODEL_MEMBERS = new ConcurrentHashMap<>();

    private static final FastThreadLocal<Scanner> SCANNER = new FastThreadLocal<>() {
        @Override
        protected Scanner initialValue() {
            return new Scanner();
        }
    };

    /**
     * Writes {@code request}'s upstream body into {@code out} from the first {@code length} bytes of
     * {@code src} (absolute indexes; its position and limit are the caller's no more), the bytes
     * {@code request} was parsed from but for its model and stream options. Returns false, with
     * {@code out}'s writer index where it was, when it cannot.
     *
     * @param streamOptionsChanged the request's {@code stream_options} are not the ones in the bytes
     */
    static boolean write(ByteBuffer src, int length, ChatRequest request, boolean streamOptionsChanged, ByteBuf out)
            throws IOException {
        src.limit(length).position(0); // the last write left its own bounds
        Scanner s = SCANNER.get();
        if (!s.scan(src, 0, length) || s.hasDuplicateKey(src)) {
            return false;
        }
        int mark = out.writerIndex();
        try {
            emit(s, src, request, streamOptionsChanged, out);
            return true;
        } catch (IOException | RuntimeException e) {
            out.writerIndex(mark);
            throw e;
        }
    }

    private static void emit(Scanner s, ByteBuffer src, ChatRequest request, boolean streamOptionsChanged, ByteBuf out)
            throws IOException {
        out.writeByte('{');
        boolean first = true;
        boolean modelWritten = false;
        boolean optionsWritten = !streamOptionsChanged || request.streamOptions() == null;
        int[] m = s.members;
        // Members copied as they are go out in runs: consecutive ones are one copy, the commas and
        // whitespace between them included (a copy is cheap; a call per member is not: each takes an
        // NIO view of the target when Netty may not use Unsafe, as on Java 25).
        int runStart = -1;
        int runEnd = -1;
        for (int i = 0; i < s.count; i++) {
            int at = i * Scanner.SLOTS;
            int kind = kind(src, m[at], m[at + 1]);
            boolean copied = kind == OTHER || (kind == KIND_STREAM_OPTIONS && !streamOptionsChanged);
            if (copied && !isNull(src, m[at + 2], m[at + 3])) { // Jackson leaves nulls out: so does the splice
                if (runStart < 0) {
                    runStart = m[at] - 1; // the key's opening quote
                }
                runEnd = m[at + 3];
                continue;
            }
            first = flush(src, runStart, runEnd, out, first);
            runStart = -1;
            if (kind == KIND_MODEL && !modelWritten && request.model() != null) {
                first = comma(out, first);
                out.writeBytes(modelMember(request.model()));
                modelWritten = true;
            } else if (kind == KIND_STREAM_OPTIONS && streamOptionsChanged && !optionsWritten) {
                first = comma(out, first);
                writeStreamOptions(request.streamOptions(), out);
                optionsWritten = true;
            }
        }
        first = flush(src, runStart, runEnd, out, first);
        if (!modelWritten && request.model() != null) {
            first = comma(out, first);
            out.writeBytes(modelMember(request.model()));
        }
        if (!optionsWritten) {
            comma(out, first);
            writeStreamOptions(request.streamOptions(), out);
        }
        out.writeByte('}');
    }

    /** Writes the run {@code [start, end)} of copied members, if there is one. */
    private static boolean flush(ByteBuffer src, int start, int end, ByteBuf out, boolean first) {
        if (start < 0) {
            return first;
        }
        first = comma(out, first);
        int limit = src.limit();
        out.writeBytes(src.limit(end).position(start));
        src.limit(limit); // absolute reads go on up to the body's end
        return first;
    }

    private static boolean comma(ByteBuf out, boolean first) {
        if (!first) {
            out.writeByte(',');
        }
        return false;
    }

    /** {@code "model":"<model>"}, escaped as JSON. */
    private static byte[] modelMember(String model) {
        byte[] member = MODEL_MEMBERS.get(model);
        if (member == null) {
            byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(model);
            member = new byte[MODEL_MEMBER.length + quoted.length + 2];
            System.arraycopy(MODEL_MEMBER, 0, member, 0, MODEL_MEMBER.length);
            member[MODEL_MEMBER.length] = '"';
            System.arraycopy(quoted, 0, member, MODEL_MEMBER.length + 1, quoted.length);
            member[member.length - 1] = '"';
            if (MODEL_MEMBERS.size() < 1024) { // bounded: models are configured names
                MODEL_MEMBERS.put(model, member);
            }
        }
        return member;
    }

    private static void writeStreamOptions(StreamOptions options, ByteBuf out) throws IOException {
        out.writeBytes(STREAM_OPTIONS_MEMBER);
        try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
            Json.UPSTREAM_WRITER.writeValue((java.io.OutputStream) stream, options);
        }
    }

    private static boolean isNull(ByteBuffer src, int start, int end) {
        // a valid value that starts with 'n' is null
        return end - start == 4 && src.get(start) == 'n';
    }

    /** What the key at {@code [start, end)} (between its quotes) names. */
    private static int kind(ByteBuffer src, int start, int end) {
        int len = end - start;
        if (same(src, start, len, MODEL)) {
            return KIND_MODEL;
        }
        if (same(src, start, len, STREAM_OPTIONS)) {
            return KIND_STREAM_OPTIONS;
        }
        for (byte[] name : GATEWAY_NAMES) {
            if (same(src, start, len, name)) {
                return KIND_GATEWAY;
            }
        }
        return OTHER;
    }

    private static boolean same(ByteBuffer src, int start, int len, byte[] name) {
        if (len != name.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (src.get(start + i) != name[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static List<String> gatewayFields() {
        BeanDescription d =
                Json.MAPPER.getSerializationConfig().introspect(Json.MAPPER.constructType(ChatRequest.class));
        List<String> names = new ArrayList<>();
        for (BeanPropertyDefinition p : d.findProperties()) {
            Class<?>[] views = p.findViews();
            if (views != null && Arrays.asList(views).contains(Views.Gateway.class)) {
                names.add(p.getName());
            }
        }
        return List.copyOf(names);
    }

    /**
     * Splits a JSON object into its top-level members. For member {@code i}, {@code members[4i..4i+3]}
     * are the key's start and end (inside the quotes), the value's start and end (exclusive), and
     * {@code hashes[i]} the key's hash. It reads a {@link ByteBuffer} view of the body (one buffer, one
     * bounds-checked read per byte, which the JIT compiles to a plain loop); one per event-loop thread.
     */
    static final class Scanner {
        static final int SLOTS = 4;

        int[] members = new int[32 * SLOTS];
        int[] hashes = new int[32];
        int count;

        /** False when the bytes are not one JSON object of members this class can split. */
        boolean scan(ByteBuffer src, int from, int length) {
            count = 0;
            int end = from + length;
            int i = skipWhitespace(src, from, end);
            if (i >= end || src.get(i) != '{') {
                return false; // a byte-order mark, another encoding: not ours to split
            }
            i = skipWhitespace(src, i + 1, end);
            if (i < end && src.get(i) == '}') {
                return skipWhitespace(src, i + 1, end) == end;
            }
            while (i < end) {
                if (src.get(i) != '"') {
                    return false;
                }
                if (count == hashes.length) {
                    members = Arrays.copyOf(members, members.length * 2);
                    hashes = Arrays.copyOf(hashes, hashes.length * 2);
                }
                int at = count * SLOTS;
                int k = i + 1;
                int hash = 0;
                byte b;
                while (k < end && (b = src.get(k)) != '"') {
                    if (b == '\\') {
                        return false; // an escaped key: compared as bytes it could hide a name
                    }
                    hash = 31 * hash + b;
                    k++;
                }
                if (k >= end) {
                    return false;
                }
                members[at] = i + 1;
                members[at + 1] = k;
                hashes[count] = hash;
                i = skipWhitespace(src, k + 1, end);
                if (i >= end || src.get(i) != ':') {
                    return false;
                }
                i = skipWhitespace(src, i + 1, end);
                if (i >= end) {
                    return false;
                }
                int valueEnd = skipValue(src, i, end);
                if (valueEnd < 0) {
                    return false;
                }
                members[at + 2] = i;
                members[at + 3] = valueEnd;
                count++;
                i = skipWhitespace(src, valueEnd, end);
                if (i >= end) {
                    return false;
                }
                byte next = src.get(i);
                if (next == '}') {
                    // after the object only whitespace may follow: the parser refused anything else
                    return skipWhitespace(src, i + 1, end) == end;
                }
                if (next != ',') {
                    return false;
                }
                i = skipWhitespace(src, i + 1, end);
            }
            return false;
        }

        /** The end (exclusive) of the value at {@code i}, or -1. */
        private static int skipValue(ByteBuffer src, int i, int end) {
            byte b = src.get(i);
            if (b == '"') {
                return skipString(src, i, end);
            }
            if (b == '{' || b == '[') {
                int depth = 0;
                for (int k = i; k < end; k++) {
                    byte c = src.get(k);
                    if (c == '"') {
                        k = skipString(src, k, end);
                        if (k < 0) {
                            return -1;
                        }
                        k--; // the loop steps past the closing quote
                    } else if (c == '{' || c == '[') {
                        depth++;
                    } else if ((c == '}' || c == ']') && --depth == 0) {
                        return k + 1;
                    }
                }
                return -1;
            }
            // a number, true, false or null: up to the next delimiter
            for (int k = i + 1; k < end; k++) {
                byte c = src.get(k);
                if (c == ',' || c == '}' || c == ']' || whitespace(c)) {
                    return k;
                }
            }
            return -1;
        }

        /** The end (exclusive, past the closing quote) of the string opening at {@code i}, or -1. */
        private static int skipString(ByteBuffer src, int i, int end) {
            int k = i + 1;
            while (true) {
                int quote = k;
                while (quote < end && src.get(quote) != '"') {
                    quote++;
                }
                if (quote == end) {
                    return -1;
                }
                int backslashes = 0;
                for (int j = quote - 1; j > i && src.get(j) == '\\'; j--) {
                    backslashes++;
                }
                if ((backslashes & 1) == 0) {
                    return quote + 1;
                }
                k = quote + 1; // an escaped quote
            }
        }

        private static int skipWhitespace(ByteBuffer src, int i, int end) {
            while (i < end && whitespace(src.get(i))) {
                i++;
            }
            return i;
        }

        /** Whether two keys are the same bytes: the parser kept one of them, the splice would send both. */
        boolean hasDuplicateKey(ByteBuffer src) {
            for (int i = 1; i < count; i++) {
                for (int j = 0; j < i; j++) {
                    if (hashes[i] == hashes[j] && sameKey(src, i, j)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean sameKey(ByteBuffer src, int i, int j) {
            int si = members[i * SLOTS], ei = members[i * SLOTS + 1];
            int sj = members[j * SLOTS], ej = members[j * SLOTS + 1];
            if (ei - si != ej - sj) {
                return false;
            }
            for (int k = 0; k < ei - si; k++) {
                if (src.get(si + k) != src.get(sj + k)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean whitespace(byte b) {
            return b == ' ' || b == '\n' || b == '\r' || b == '\t';
        }
    }
}
