package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link HttpResponses#withExtraFields}: the splice of Junction's member into an upstream's JSON object. */
class WithExtraFieldsTest {
    private static final Map<String, Object> EXTRA = Map.of("provider", "oai");

    private static String splice(String json) {
        ByteBuf in = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            ByteBuf out = HttpResponses.withExtraFields(ByteBufAllocator.DEFAULT, in, EXTRA);
            assertThat(in.refCnt()).isEqualTo(1); // the input is the caller's to release
            assertThat(in.readableBytes()).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
            if (out == null) {
                return null;
            }
            try {
                return out.toString(StandardCharsets.UTF_8);
            } finally {
                out.release();
            }
        } finally {
            in.release();
        }
    }

    @Test
    void addsTheMemberBeforeTheClosingBrace() {
        assertThat(splice("{\"a\":null,\"b\":[]}"))
                .isEqualTo("{\"a\":null,\"b\":[],\"extra_fields\":{\"provider\":\"oai\"}}");
    }

    @Test
    void whitespaceAroundTheClosingBraceAndAnEmptyObject() {
        assertThat(splice("{\"a\":1 }\r\n\t ")).isEqualTo("{\"a\":1 ,\"extra_fields\":{\"provider\":\"oai\"}}");
        assertThat(splice("{ \n }")).isEqualTo("{ \n \"extra_fields\":{\"provider\":\"oai\"}}");
    }

    @Test
    void refusesWhatIsNotAnObject() {
        assertThat(splice("[1,2]")).isNull();
        assertThat(splice("{\"a\":1")).isNull();
        assertThat(splice("")).isNull();
        assertThat(splice("   ")).isNull();
    }
}
