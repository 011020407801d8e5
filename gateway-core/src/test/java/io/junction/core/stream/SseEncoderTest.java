package io.junction.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.error.OpenAiError;
import io.junction.core.schema.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEncoderTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private static String drain(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }

    @Test
    void eventIsDataPrefixJsonAndBlankLine() throws Exception {
        OpenAiError body = new OpenAiError(new OpenAiError.Detail("boom", "api_error", null, "x"));

        String frame = drain(SseEncoder.event(ALLOC, body));

        assertThat(frame).startsWith("data: ").endsWith("\n\n");
        String json = frame.substring(6, frame.length() - 2);
        assertThat(json).doesNotContain("\n");
        assertThat(Json.MAPPER.readTree(json)).isEqualTo(Json.MAPPER.readTree(Json.bytes(body)));
    }

    @Test
    void frameWrapsTheGivenBytesUnchangedAndTakesOwnership() {
        String raw = "{\"id\":\"x\",  \"choices\" : []}"; // odd spacing must survive
        ByteBuf json = Unpooled.copiedBuffer(raw, StandardCharsets.UTF_8);

        ByteBuf frame = SseEncoder.frame(ALLOC, json);
        assertThat(drain(frame)).isEqualTo("data: " + raw + "\n\n");
        assertThat(json.refCnt()).as("released together with the frame").isZero();
    }

    @Test
    void doneIsTheOpenAiSentinelAndCanBeUsedRepeatedly() {
        for (int i = 0; i < 3; i++) {
            assertThat(drain(SseEncoder.done())).isEqualTo("data: [DONE]\n\n");
        }
    }

    @Test
    void commentsAreIgnoredByTheDecoder() {
        ByteBuf c = SseEncoder.comment("keep-alive");
        List<String> events = new ArrayList<>();
        try {
            assertThat(c.toString(StandardCharsets.UTF_8)).isEqualTo(": keep-alive\n\n");
            SseDecoder d = new SseDecoder();
            d.decode(c, (e, data) -> events.add(new String(data, StandardCharsets.UTF_8)));
            d.finish((e, data) -> events.add(new String(data, StandardCharsets.UTF_8)));
        } finally {
            c.release();
        }
        assertThat(events).isEmpty();
    }
}
