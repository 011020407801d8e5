package io.junction.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardedAnswerTest {

    static String recorded() throws Exception {
        try (InputStream in =
                ForwardedAnswerTest.class.getResourceAsStream("/fixtures/openai/chat-completion.text.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static ForwardedAnswer scan(String json) {
        ByteBuf b = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            return ForwardedAnswer.scan(b);
        } finally {
            b.release();
        }
    }

    @Test
    void theRecordedAnswerGivesWhatTheFullParseGives() throws Exception {
        String json = recorded();
        ChatResponse full = Json.MAPPER.readValue(json, ChatResponse.class);
        ForwardedAnswer a = scan(json);
        assertThat(a).isNotNull();
        assertThat(a.model()).isEqualTo(full.model()).isEqualTo("gpt-4.1-nano-2025-04-14");
        assertThat(a.usage()).isEqualTo(full.usage());
        assertThat(a.usage().promptTokens()).isEqualTo(16);
        assertThat(a.usage().completionTokens()).isEqualTo(363);
        assertThat(a.finishReason())
                .isEqualTo(full.choices().get(0).finishReason())
                .isEqualTo("stop");
    }

    @Test
    void cachedAndReasoningTokensAreReadByUsagesOwnDeserializer() throws Exception {
        String json = """
                {"id":"x","object":"chat.completion","model":"o4-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\\"a\\":[1,{}]}"}}]},"logprobs":{"content":[]},"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":1200,"completion_tokens":80,"total_tokens":1280,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":64}}}
                """;
        ChatResponse full = Json.MAPPER.readValue(json, ChatResponse.class);
        ForwardedAnswer a = scan(json);
        assertThat(a).isNotNull();
        assertThat(a.usage()).isEqualTo(full.usage());
        assertThat(a.usage().cached()).isEqualTo(1024);
        assertThat(a.usage().reasoning()).isEqualTo(64);
        assertThat(a.finishReason()).isEqualTo("tool_calls");
    }

    @Test
    void theFirstChoiceGivesTheFinishReasonAndDuplicateMembersTakeTheLastAsTheFullParseDoes() throws Exception {
        String json = """
                {"model":"a","model":"b","choices":[{"index":0,"finish_reason":null},{"index":1,"finish_reason":"length"}],
                 "usage":{"prompt_tokens":1},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}
                """;
        ChatResponse full = Json.MAPPER.readValue(json, ChatResponse.class);
        ForwardedAnswer a = scan(json);
        assertThat(a).isNotNull();
        assertThat(a.model()).isEqualTo(full.model()).isEqualTo("b");
        assertThat(a.usage()).isEqualTo(full.usage());
        assertThat(a.usage().promptTokens()).isEqualTo(2);
        assertThat(a.finishReason()).isNull();
    }

    @Test
    void aBodyInPiecesIsReadWholeAndNotMoved() throws Exception {
        byte[] bytes = recorded().getBytes(StandardCharsets.UTF_8);
        CompositeByteBuf body = Unpooled.compositeBuffer();
        int half = bytes.length / 2;
        body.addComponent(true, Unpooled.directBuffer().writeBytes(bytes, 0, half));
        body.addComponent(true, Unpooled.directBuffer().writeBytes(bytes, half, bytes.length - half));
        try {
            ForwardedAnswer a = ForwardedAnswer.scan(body);
            assertThat(a).isNotNull();
            assertThat(a.usage().totalTokens()).isEqualTo(379);
            assertThat(body.readerIndex()).isZero();
            assertThat(body.readableBytes()).isEqualTo(bytes.length);
            assertThat(body.refCnt()).isEqualTo(1);
        } finally {
            body.release();
        }
    }

    /** Each is left to the full parse: it decides (an error, an estimate, a re-encode) as before. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                // no usage: the caller estimates it from the text, which needs the parsed answer
                "{\"model\":\"m\",\"choices\":[{\"finish_reason\":\"stop\"}]}",
                "{\"model\":\"m\",\"choices\":[],\"usage\":null}",
                // Junction's own block would be doubled: re-encoded
                "{\"model\":\"m\",\"choices\":[],\"usage\":{\"total_tokens\":1},\"extra_fields\":{\"provider\":\"x\"}}",
                "{\"error\":{\"message\":\"no\"},\"choices\":[],\"usage\":{\"total_tokens\":1}}",
                // not the shape the facts come from
                "{\"model\":\"m\",\"usage\":{\"total_tokens\":1}}",
                "{\"model\":\"m\",\"choices\":{},\"usage\":{\"total_tokens\":1}}",
                "{\"model\":\"m\",\"choices\":[1],\"usage\":{\"total_tokens\":1}}",
                "{\"model\":\"m\",\"choices\":[],\"choices\":[],\"usage\":{\"total_tokens\":1}}",
                "{\"model\":7,\"choices\":[],\"usage\":{\"total_tokens\":1}}",
                "{\"model\":\"m\",\"choices\":[{\"finish_reason\":1}],\"usage\":{\"total_tokens\":1}}",
                "{\"model\":\"m\",\"choices\":[{\"finish_reason\":\"stop\"},{\"finish_reason\":[]}],\"usage\":{\"total_tokens\":1}}",
                "{\"model\":\"m\",\"choices\":[],\"usage\":\"many\"}",
                "{\"model\":\"m\",\"choices\":[],\"usage\":{\"total_tokens\":\"lots\"}}",
                "[{\"model\":\"m\",\"choices\":[],\"usage\":{\"total_tokens\":1}}]",
                // not JSON, or more than one document
                "{\"model\":\"m\",\"choices\":[],\"usage\":{\"total_tokens\":1}",
                "{\"model\":\"m\",\"choices\":[],\"usage\":{\"total_tokens\":1}} {}",
                "{\"model\":\"m\",\"choices\":[],\"usage\":{\"total_tokens\":1}} x",
                "{\"model\":\"m\" \"choices\":[]}",
                "",
            })
    void whatItCannotDescribeExactlyIsRefused(String json) {
        assertThat(scan(json)).isNull();
    }

    @Test
    void trailingWhitespaceIsFine() {
        ForwardedAnswer a = scan("{\"model\":\"m\",\"choices\":[],\"usage\":{\"total_tokens\":1}}\n \r\n");
        assertThat(a).isNotNull();
        assertThat(a.finishReason()).isNull();
        assertThat(a.usage().totalTokens()).isEqualTo(1);
    }
}
