package io.junction.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.transport.UpstreamBody;
import io.junction.core.validate.RequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream body written from the client's bytes ({@link ChatRequestSource}, {@link RequestSplice})
 * against the body Jackson writes from the parsed request: parsed back, the two are the same request,
 * and as JSON trees the splice is the client's document with the model replaced, Junction's fields
 * and top-level nulls removed.
 */
class RequestSpliceTest {
    /** Junction's extension fields, spelled out here rather than taken from the code under test. */
    private static final List<String> GATEWAY = List.of(
            "fallbacks",
            "session_id",
            "tags",
            "labels",
            "max_ttft_ms",
            "system_prompt_args",
            "ab_campaign",
            "provider");

    static Stream<String> bodies() {
        return Stream.of(
                resource("/requests/every-field.json"),
                resource("/requests/openai.tool-calls.stream.request.json"), // recorded, pydantic-ai
                "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                // whitespace everywhere, a scalar closing the object, strings full of JSON syntax
                " \n{ \"model\" :\t\"fast\" , \"messages\" : [ { \"role\" : \"user\", \"content\" : "
                        + "\"} ] { [ \\\" , : \\\\\" } ] , \"n\" : 1 }\r\n",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"a\\\\\"}],\"temperature\":1,\"model\":\"fast\","
                        + "\"user\":\"x\\\"y\",\"seed\":12}",
                "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \u2603\"}],"
                        + "\"max_tokens\":7 ,\"top_p\":1e-1 }",
                // nulls at the top (left out) and inside (kept as sent), Junction's fields first and last
                "{\"session_id\":\"s\",\"model\":\"fast\",\"seed\":null,\"stream_options\":null,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"hi\",\"name\":null}],\"x_unknown\":null,"
                        + "\"x_kept\":{\"a\":[[],{}],\"b\":false},\"tags\":[\"t\"]}",
                // the model last, a boolean and an empty object and array as values
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false,\"metadata\":{},"
                        + "\"x_list\":[],\"model\":\"fast\"}",
                "{\"model\":null,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void theSpliceIsTheRequestJacksonWouldSend(String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ChatRequest parsed = parse(bytes);
        ChatRequest sent = parsed.withModel("gpt-4.1-mini \"quoted\"");
        byte[] spliced = splice(bytes, parsed, sent);

        assertThat(parse(spliced)).isEqualTo(parse(Json.upstreamBytes(sent)));
        assertThat(Json.MAPPER.readTree(spliced)).isEqualTo(expectedTree(bytes, sent.model(), null));
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void changedStreamOptionsAreWrittenFromTheRequest(String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ChatRequest parsed = parse(bytes);
        ChatRequest sent =
                parsed.withModel("m").withStreamOptions(StreamOptions.includingUsage(parsed.streamOptions()));
        byte[] spliced = splice(bytes, parsed, sent);

        assertThat(parse(spliced)).isEqualTo(parse(Json.upstreamBytes(sent)));
        assertThat(Json.MAPPER.readTree(spliced))
                .isEqualTo(expectedTree(bytes, "m", Json.MAPPER.valueToTree(sent.streamOptions())));
    }

    @Test
    void keepsWhatTheClientWroteInsideAMember() throws IOException {
        String body = "{\"model\":\"fast\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"caf\\u00e9\",\"name\":null}],\"fallbacks\":[\"slow\"],\"x_vendor\":{\"a\":null}}";
        ChatRequest parsed = parse(body.getBytes(StandardCharsets.UTF_8));
        String spliced = new String(
                splice(body.getBytes(StandardCharsets.UTF_8), parsed, parsed.withModel("gpt-4o")),
                StandardCharsets.UTF_8);

        assertThat(spliced)
                .isEqualTo("{\"model\":\"gpt-4o\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"caf\\u00e9\",\"name\":null}],\"x_vendor\":{\"a\":null}}");
    }

    @Test
    void aBodyInManyPiecesSplicesAsInOne() throws IOException {
        byte[] bytes = bodies().toList().get(3).getBytes(StandardCharsets.UTF_8);
        ChatRequest parsed = parse(bytes);
        ChatRequest sent = parsed.withModel("m");
        byte[] whole = splice(bytes, parsed, sent);
        for (int cut = 1; cut < bytes.length; cut++) {
            CompositeByteBuf composite = Unpooled.compositeBuffer();
            composite.addComponent(true, Unpooled.wrappedBuffer(bytes, 0, cut));
            composite.addComponent(true, Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            assertThat(splice(composite, parsed, sent)).as("cut at %d", cut).isEqualTo(whole);
        }
    }

    @Test
    void refusesWhatItCannotBeSureOf() throws IOException {
        ChatRequest parsed = parse("{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        List<byte[]> refused = new ArrayList<>();
        // a key twice: the parser kept one, the splice would send both
        refused.add(utf8("{\"model\":\"a\",\"messages\":[],\"model\":\"b\"}"));
        refused.add(utf8("{\"x\":1,\"messages\":[],\"x\":2,\"model\":\"a\"}"));
        // an escaped key could spell a name Junction must drop
        refused.add(utf8("{\"model\":\"a\",\"fall\\u0062acks\":[\"b\"]}"));
        // a byte-order mark, another encoding
        refused.add(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("{\"model\":\"a\"}")));
        refused.add("{\"model\":\"a\"}".getBytes(StandardCharsets.UTF_16BE));
        // not an object, or cut short
        refused.add(utf8("[1]"));
        refused.add(utf8("{\"model\":\"a\""));
        refused.add(utf8("{\"model\":\"a\",\"n\":1"));
        for (byte[] body : refused) {
            ByteBuf out = Unpooled.buffer().writeBytes(utf8("kept"));
            ChatRequestSource source = new ChatRequestSource(parsed);
            ByteBuf held = Unpooled.wrappedBuffer(body);
            source.adopt(held);
            assertThat(source.writeUpstream(parsed.withModel("m"), out))
                    .as(new String(body, StandardCharsets.UTF_8))
                    .isFalse();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("kept");
            source.close();
            held.release();
        }
    }

    @Test
    void theSourceHoldsTheBytesFromAdoptionToTheFirstSend() throws IOException {
        byte[] bytes = utf8("{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        ChatRequest parsed = parse(bytes);
        ByteBuf body = Unpooled.directBuffer().writeBytes(bytes);
        ChatRequestSource source = new ChatRequestSource(parsed);
        ByteBuf out = Unpooled.buffer();

        assertThat(source.writeUpstream(parsed, out)).as("not adopted yet").isFalse();
        assertThat(source.adopt(body)).isTrue();
        assertThat(body.refCnt()).isEqualTo(2);
        assertThat(source.adopt(body)).as("once").isFalse();
        assertThat(source.writeUpstream(parsed.withModel("m"), out)).isTrue();
        assertThat(body.refCnt()).as("released by the first send").isEqualTo(1);
        assertThat(source.writeUpstream(parsed.withModel("m"), out.clear()))
                .as("a second send serializes")
                .isFalse();
        assertThat(out.readableBytes()).isZero();
        source.close();
        assertThat(body.refCnt()).isEqualTo(1);
        assertThat(source.adopt(body)).as("closed").isFalse();

        // changed in more than the model: refused, and let go all the same
        ChatRequestSource other = new ChatRequestSource(parsed);
        other.adopt(body);
        ChatRequest edited = parsed.toBuilder()
                .messages(List.of(ChatMessage.of("user", "other")))
                .build();
        assertThat(other.writeUpstream(edited, out)).isFalse();
        assertThat(out.readableBytes()).isZero();
        assertThat(body.refCnt()).isEqualTo(1);

        // never sent: close releases
        ChatRequestSource unsent = new ChatRequestSource(parsed);
        unsent.adopt(body);
        unsent.close();
        unsent.close();
        assertThat(body.refCnt()).isEqualTo(1);
        body.release();

        ChatRequestSource big = new ChatRequestSource(parsed);
        ByteBuf large = Unpooled.buffer().writeZero(ChatRequestSource.MAX_HELD_BYTES + 1);
        assertThat(big.adopt(large)).isFalse();
        assertThat(large.refCnt()).isEqualTo(1);
    }

    @Test
    void theUpstreamBodySplicesOnceThenSerializes() throws IOException {
        byte[] bytes =
                utf8("{\"model\":\"fast\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"tags\":[\"t\"]}");
        ChatRequest parsed = parse(bytes);
        ChatRequestSource source = new ChatRequestSource(parsed);
        source.adopt(Unpooled.wrappedBuffer(bytes));
        UpstreamBody body = UpstreamBody.spliced(source, parsed.withModel("m"));

        ByteBuf sent = body.toBuffer(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        assertThat(sent.toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"model\":\"m\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        sent.release();

        // a retry of the same body: the bytes are gone, the request is serialized
        ByteBuf serialized = body.toBuffer(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        assertThat(serialized.toString(StandardCharsets.UTF_8)).contains("\"temperature\":1.0");
        assertThat(parse(ByteBufUtil.getBytes(serialized))).isEqualTo(parse(Json.upstreamBytes(parsed.withModel("m"))));
        assertThat(body.bytes()).isEqualTo(ByteBufUtil.getBytes(serialized));
        serialized.release();
    }

    @Test
    void theGatewayFieldsAreTheOnesJacksonLeavesOut() {
        assertThat(RequestSplice.GATEWAY_FIELDS).containsExactlyInAnyOrderElementsOf(GATEWAY);
    }

    /**
     * Each component but the model and stream options, set to null in turn in a request that has
     * them all: the request is no longer the parsed one. Fails when a component is added to
     * {@link ChatRequest} and not to {@link ChatRequest#differsAtMostInModelAndStreamOptions}.
     */
    @Test
    void anyOtherComponentChangedIsSeen() throws ReflectiveOperationException {
        ChatRequest full = parse(utf8(resource("/requests/every-field.json")));
        RecordComponent[] components = ChatRequest.class.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            args[i] = components[i].getAccessor().invoke(full);
            types[i] = components[i].getType();
            assertThat(args[i])
                    .as("the fixture sets %s", components[i].getName())
                    .isNotNull();
        }
        Constructor<ChatRequest> canonical = ChatRequest.class.getDeclaredConstructor(types);
        assertThat(full.differsAtMostInModelAndStreamOptions(canonical.newInstance(args)))
                .as("same components")
                .isTrue();
        for (int i = 0; i < components.length; i++) {
            String name = components[i].getName();
            Object[] changed = args.clone();
            changed[i] = name.equals("extra") ? Map.of() : null;
            boolean allowed = name.equals("model") || name.equals("streamOptions");
            assertThat(full.differsAtMostInModelAndStreamOptions(canonical.newInstance(changed)))
                    .as(name)
                    .isEqualTo(allowed);
        }
    }

    // ---- helpers ----

    private static byte[] splice(byte[] body, ChatRequest parsed, ChatRequest sent) throws IOException {
        return splice(Unpooled.wrappedBuffer(body), parsed, sent);
    }

    private static byte[] splice(ByteBuf body, ChatRequest parsed, ChatRequest sent) throws IOException {
        ChatRequestSource source = new ChatRequestSource(parsed);
        assertThat(source.adopt(body)).isTrue();
        ByteBuf out = Unpooled.buffer();
        try {
            assertThat(source.writeUpstream(sent, out)).as("spliced").isTrue();
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            source.close();
            body.release();
        }
    }

    /** The client's document, with {@code model} set, Junction's fields and top-level nulls removed. */
    private static JsonNode expectedTree(byte[] body, String model, JsonNode streamOptions) throws IOException {
        ObjectNode tree = (ObjectNode) Json.MAPPER.readTree(body);
        tree.remove(GATEWAY);
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            if (it.next().getValue().isNull()) {
                it.remove();
            }
        }
        tree.put("model", model);
        if (streamOptions != null) {
            tree.set("stream_options", streamOptions);
        }
        return tree;
    }

    private static ChatRequest parse(byte[] body) {
        return RequestParser.parse(new ByteArrayInputStream(body));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String resource(String path) {
        try (InputStream in = RequestSpliceTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
