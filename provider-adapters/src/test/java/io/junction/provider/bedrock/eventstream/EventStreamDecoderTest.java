package io.junction.provider.bedrock.eventstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.provider.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The eventstream framing, on the two recorded ConverseStream bodies and on constructed frames. */
class EventStreamDecoderTest {
    private static final String TOOL_USE = "bedrock/converse-stream.tool-use.eventstream.bin";
    private static final String REASONING = "bedrock/converse-stream.reasoning.eventstream.bin";

    /** A message as comparable text: headers then payload. */
    private static String show(EventStreamMessage m) {
        return m.headers() + " " + new String(m.payload(), StandardCharsets.UTF_8);
    }

    private static List<String> feed(byte[] body, IntSupplier sizes, boolean pooled) {
        EventStreamDecoder decoder = new EventStreamDecoder();
        List<String> out = new ArrayList<>();
        int off = 0;
        while (off < body.length) {
            int len = Math.min(body.length - off, Math.max(1, sizes.getAsInt()));
            ByteBuf piece = pooled
                    ? PooledByteBufAllocator.DEFAULT.directBuffer(len).writeBytes(body, off, len)
                    : Unpooled.wrappedBuffer(body, off, len);
            try {
                decoder.decode(piece, m -> out.add(show(m)));
                assertThat(piece.isReadable()).isFalse();
            } finally {
                piece.release();
            }
            off += len;
        }
        assertThat(decoder.pendingBytes()).isZero();
        return out;
    }

    private static List<String> whole(byte[] body) {
        return feed(body, () -> Integer.MAX_VALUE, false);
    }

    @Test
    void toolUseFixtureDecodesToItsTwentySixEvents() {
        List<String> events = whole(Fixtures.bytes(TOOL_USE));
        assertThat(events).hasSize(26);
        assertThat(events.get(0))
                .isEqualTo("{:event-type=messageStart, :content-type=application/json, :message-type=event}"
                        + " {\"p\":\"abcdefghijklmnopqrs\",\"role\":\"assistant\"}");
        assertThat(events.get(21))
                .startsWith("{:event-type=contentBlockStart,")
                .endsWith("\"start\":{\"toolUse\":{\"name\":\"get_temperature\","
                        + "\"toolUseId\":\"tooluse_lAG_zP8QRHmSYOwZzzaCqA\"}}}");
        assertThat(events.get(25))
                .isEqualTo("{:event-type=metadata, :content-type=application/json, :message-type=event}"
                        + " {\"metrics\":{\"latencyMs\":422},\"p\":\"abcdefghijklm\",\"usage\":{\"inputTokens\":471,"
                        + "\"outputTokens\":91,\"totalTokens\":562}}");
    }

    @Test
    void firstFrameMatchesTheWorkedExampleOfTheSpec() {
        byte[] body = Fixtures.bytes(TOOL_USE);
        assertThat(HexFormat.of().formatHex(body, 0, 12)).isEqualTo("00000090" + "00000052" + "3141c8a1");
        assertThat(HexFormat.of().formatHex(body, 140, 144)).isEqualTo("1176eab0");
        List<EventStreamMessage> messages = new ArrayList<>();
        new EventStreamDecoder().decode(Unpooled.wrappedBuffer(body, 0, 144), messages::add);
        assertThat(messages).singleElement().satisfies(m -> {
            assertThat(m.messageType()).isEqualTo("event");
            assertThat(m.eventType()).isEqualTo("messageStart");
            assertThat(m.exceptionType()).isNull();
            assertThat(new String(m.payload(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"p\":\"abcdefghijklmnopqrs\",\"role\":\"assistant\"}");
        });
    }

    @Test
    void reEncodingTheDecodedFixturesGivesTheSameBytes() {
        for (String name : List.of(TOOL_USE, REASONING)) {
            byte[] body = Fixtures.bytes(name);
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            new EventStreamDecoder().decode(Unpooled.wrappedBuffer(body), m -> {
                java.util.LinkedHashMap<String, String> h = new java.util.LinkedHashMap<>();
                m.headers().forEach((k, v) -> h.put(k, (String) v));
                again.writeBytes(EventStreamFrames.frame(h, m.payload()));
            });
            assertThat(again.toByteArray()).as(name).isEqualTo(body);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TOOL_USE, REASONING})
    void anySplitGivesTheSameMessages(String name) {
        byte[] body = Fixtures.bytes(name);
        List<String> reference = whole(body);
        assertThat(reference).hasSize(name.equals(TOOL_USE) ? 26 : 25);
        assertThat(feed(body, () -> 1, false)).isEqualTo(reference);
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            assertThat(feed(body, () -> 1 + random.nextInt(300), false))
                    .as("seed %d", seed)
                    .isEqualTo(reference);
        }
        Random pooled = new Random(7);
        assertThat(feed(body, () -> 1 + pooled.nextInt(2048), true)).isEqualTo(reference);
    }

    @Test
    void everyCorruptedByteIsDetected() {
        byte[] body = Fixtures.bytes(TOOL_USE);
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            byte[] bad = body.clone();
            int at = random.nextInt(bad.length);
            bad[at] ^= (byte) (1 + random.nextInt(255));
            assertThatThrownBy(() -> feedAllowingPending(bad))
                    .as("byte %d flipped", at)
                    .isInstanceOf(EventStreamException.class)
                    .hasMessageMatching("(prelude|message) CRC mismatch|.*length.*");
        }
    }

    /** Feeds whole; a corrupted length can leave bytes pending instead of failing: report that too. */
    private static void feedAllowingPending(byte[] body) {
        EventStreamDecoder decoder = new EventStreamDecoder();
        decoder.decode(Unpooled.wrappedBuffer(body), m -> {});
        if (decoder.pendingBytes() > 0) {
            throw new EventStreamException("length: " + decoder.pendingBytes() + " bytes left in a partial message");
        }
    }

    @Test
    void corruptedMessageCrcIsReportedAndTheDecoderStaysFailed() {
        byte[] body = Fixtures.bytes(TOOL_USE);
        body[100] ^= 0x01; // inside the first frame's payload
        EventStreamDecoder decoder = new EventStreamDecoder();
        List<EventStreamMessage> got = new ArrayList<>();
        assertThatThrownBy(() -> decoder.decode(Unpooled.wrappedBuffer(body), got::add))
                .isInstanceOf(EventStreamException.class)
                .hasMessage("message CRC mismatch");
        assertThat(got).isEmpty();
        ByteBuf more = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        assertThatThrownBy(() -> decoder.decode(more, got::add)).isInstanceOf(EventStreamException.class);
        assertThat(more.isReadable()).isFalse();
    }

    @Test
    void corruptedPreludeIsReportedBeforeTheFrameArrives() {
        byte[] body = Fixtures.bytes(TOOL_USE);
        body[2] = 0x7f; // total length now ~8 MB; the prelude CRC catches it at once
        EventStreamDecoder decoder = new EventStreamDecoder();
        assertThatThrownBy(() -> decoder.decode(Unpooled.wrappedBuffer(body, 0, 12), m -> {}))
                .isInstanceOf(EventStreamException.class)
                .hasMessage("prelude CRC mismatch");
    }

    @Test
    void typedHeadersAreDecoded() {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        header(h, "t", 0, new byte[0]);
        header(h, "f", 1, new byte[0]);
        header(h, "b", 2, new byte[] {-5});
        header(h, "s", 3, new byte[] {0x01, 0x02});
        header(h, "i", 4, new byte[] {0, 0, 1, 0});
        header(h, "l", 5, new byte[] {0, 0, 0, 0, 0, 0, 0, 42});
        header(h, "a", 6, new byte[] {0, 2, 9, 8});
        header(h, "str", 7, new byte[] {0, 2, 'h', 'i'});
        header(h, "ts", 8, new byte[] {0, 0, 0x01, (byte) 0x8b, (byte) 0xcf, (byte) 0xe5, 0x68, 0x00});
        byte[] uuid = HexFormat.of().parseHex("0123456789abcdef0123456789abcdef");
        header(h, "u", 9, uuid);
        List<EventStreamMessage> out = new ArrayList<>();
        new EventStreamDecoder()
                .decode(Unpooled.wrappedBuffer(EventStreamFrames.frame(h.toByteArray(), new byte[] {'x'})), out::add);
        Map<String, Object> headers = out.get(0).headers();
        assertThat(headers.get("t")).isEqualTo(true);
        assertThat(headers.get("f")).isEqualTo(false);
        assertThat(headers.get("b")).isEqualTo((byte) -5);
        assertThat(headers.get("s")).isEqualTo((short) 0x0102);
        assertThat(headers.get("i")).isEqualTo(256);
        assertThat(headers.get("l")).isEqualTo(42L);
        assertThat((byte[]) headers.get("a")).containsExactly(9, 8);
        assertThat(headers.get("str")).isEqualTo("hi");
        assertThat(headers.get("ts")).isEqualTo(Instant.ofEpochMilli(0x018bcfe56800L));
        assertThat(headers.get("u")).isEqualTo(UUID.fromString("01234567-89ab-cdef-0123-456789abcdef"));
        assertThat(out.get(0).payload()).containsExactly('x');
    }

    @Test
    void badHeadersAreErrors() {
        ByteArrayOutputStream dup = new ByteArrayOutputStream();
        header(dup, "x", 0, new byte[0]);
        header(dup, "x", 1, new byte[0]);
        assertThatThrownBy(() -> decodeOne(EventStreamFrames.frame(dup.toByteArray(), new byte[0])))
                .hasMessage("duplicate header 'x'");
        ByteArrayOutputStream unknown = new ByteArrayOutputStream();
        header(unknown, "x", 12, new byte[0]);
        assertThatThrownBy(() -> decodeOne(EventStreamFrames.frame(unknown.toByteArray(), new byte[0])))
                .hasMessage("unknown header value type 12 for 'x'");
        ByteArrayOutputStream truncated = new ByteArrayOutputStream();
        header(truncated, "x", 7, new byte[] {0, 9, 'a'});
        assertThatThrownBy(() -> decodeOne(EventStreamFrames.frame(truncated.toByteArray(), new byte[0])))
                .hasMessage("header runs past the headers section");
    }

    @Test
    void emptyFrameAndLengthChecks() {
        List<EventStreamMessage> out = new ArrayList<>();
        new EventStreamDecoder()
                .decode(Unpooled.wrappedBuffer(EventStreamFrames.frame(new byte[0], new byte[0])), out::add);
        assertThat(out).singleElement().satisfies(m -> {
            assertThat(m.headers()).isEmpty();
            assertThat(m.payload()).isEmpty();
        });
        // total length smaller than the headers it claims, with a valid prelude CRC
        byte[] bad = EventStreamFrames.frame(new byte[0], new byte[0]);
        bad[7] = 100;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bad, 0, 8);
        java.nio.ByteBuffer.wrap(bad).putInt(8, (int) crc.getValue());
        assertThatThrownBy(() -> decodeOne(bad)).hasMessage("total length 16 is too short for 100 bytes of headers");
    }

    private static void decodeOne(byte[] frame) {
        new EventStreamDecoder().decode(Unpooled.wrappedBuffer(frame), m -> {});
    }

    private static void header(ByteArrayOutputStream out, String name, int type, byte[] value) {
        out.write(name.length());
        out.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        out.write(type);
        out.writeBytes(value);
    }
}
