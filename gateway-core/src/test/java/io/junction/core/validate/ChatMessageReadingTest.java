package io.junction.core.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ChatMessage.Deserializer} against Jackson's own record creator (what read messages before
 * it): every message below, inside a request, must give the client the same result through both —
 * the same parsed request, or the same 400 with the same {@code param} and message.
 */
class ChatMessageReadingTest {
    /** Puts Jackson's creator path back for {@link ChatMessage}. */
    @JsonDeserialize(using = JsonDeserializer.None.class)
    abstract static class CreatorPath {}

    private static final ObjectReader CREATOR = Json.MAPPER
            .copy()
            .addMixIn(ChatMessage.class, CreatorPath.class)
            .readerFor(ChatRequest.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectReader CURRENT =
            Json.MAPPER.readerFor(ChatRequest.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final List<String> MESSAGES = List.of(
            "{\"role\":\"user\",\"content\":\"hi\"}",
            "{\"content\":\"order first\",\"role\":\"user\"}",
            "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\",\"detail\":\"low\"}}]}",
            "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]}",
            "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}",
            "{\"role\":\"assistant\",\"content\":\"x\",\"refusal\":null,\"reasoning_content\":\"think\"}",
            "{\"role\":\"user\",\"name\":\"bob\",\"content\":\"x\",\"audio\":{\"id\":\"a1\"},"
                    + "\"weird\":[1,2.5,true,null,\"s\",{\"k\":[]}],\"n\":null,\"big\":12345678901234}",
            "{\"role\":\"user\",\"content\":\"é中😀 \\u0000 \\n\"}",
            "{}",
            "{\"role\":\"user\",\"role\":\"system\",\"content\":\"dup\"}",
            "{\"role\":\"user\",\"content\":\"a\",\"content\":[{\"type\":\"text\",\"text\":\"b\"}]}",
            "{\"role\":\"user\",\"x\":1,\"x\":2}",
            // wrong types: coerced, or refused with the field's path
            "{\"role\":5,\"content\":\"coerced\"}",
            "{\"role\":true,\"content\":\"coerced\"}",
            "{\"role\":1.5,\"content\":\"coerced\"}",
            "{\"role\":[\"x\"],\"content\":\"a\"}",
            "{\"role\":{\"a\":1},\"content\":\"a\"}",
            "{\"role\":\"user\",\"content\":5}",
            "{\"role\":\"user\",\"content\":{\"text\":\"a\"}}",
            "{\"role\":\"user\",\"content\":[5]}",
            "{\"role\":\"user\",\"content\":[{\"type\":\"nope\"}]}",
            "{\"role\":\"assistant\",\"tool_calls\":\"nope\"}",
            "{\"role\":\"assistant\",\"tool_calls\":{}}",
            "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":1,\"function\":{\"name\":\"f\"}}]}",
            "{\"role\":\"assistant\",\"tool_calls\":[{\"function\":\"x\"}]}",
            "{\"role\":\"assistant\",\"tool_calls\":[{\"index\":\"two\"}]}",
            "{\"role\":\"tool\",\"tool_call_id\":[],\"content\":\"a\"}",
            "{\"role\":\"user\",\"name\":{},\"content\":\"a\"}",
            "\"just a string\"",
            "[]",
            "5",
            "true",
            "null",
            // broken JSON inside a message
            "{\"role\":\"user\",\"content\":\"a\",}",
            "{\"role\":\"user\" \"content\":\"a\"}",
            "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"}}",
            "{\"role\":\"user\",\"x\":{\"y\":}}");

    /** What a client gets for {@code body}: the request, or the error's status, param and message. */
    private static Object outcome(ObjectReader reader, String body) {
        try {
            return RequestParser.parse(reader, new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GatewayException e) {
            return e.status() + " " + e.param() + " " + e.getMessage();
        }
    }

    @Test
    void everyMessageReadsAsJacksonsCreatorReadsIt() {
        for (String m : MESSAGES) {
            for (String body : List.of(
                    "{\"model\":\"m\",\"messages\":[" + m + "]}",
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"}," + m + "]}")) {
                Object creator = outcome(CREATOR, body);
                Object current = outcome(CURRENT, body);
                assertThat(current).as(body).isEqualTo(creator);
            }
        }
    }

    @Test
    void theComparisonSeesDifferences() {
        // the creator path is really the other implementation: the deserializer is not used there
        assertThat(CREATOR.getConfig().findMixInClassFor(ChatMessage.class)).isEqualTo(CreatorPath.class);
        Object ok = outcome(CURRENT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(ok).isInstanceOf(ChatRequest.class);
        Object bad = outcome(CURRENT, "{\"model\":\"m\",\"messages\":[{\"role\":[1],\"content\":\"hi\"}]}");
        assertThat(bad).isEqualTo("400 messages[0].role Invalid 'messages[0].role': expected a string.");
    }

    @Test
    void extraFieldsKeepTheirOrderAndWriteBackAsTheyCame() throws Exception {
        String m = "{\"role\":\"user\",\"content\":\"x\",\"z\":1,\"a\":{\"b\":[1,2]},\"m\":null}";
        ChatMessage msg = Json.MAPPER.readValue(m, ChatMessage.class);
        assertThat(msg.extra().keySet()).containsExactly("z", "a", "m");
        assertThat(msg.extra().get("m")).isNull();
        assertThat(Json.MAPPER.writeValueAsString(msg))
                .as("written back in order; a null extra is left out, as every null is")
                .isEqualTo("{\"role\":\"user\",\"content\":\"x\",\"z\":1,\"a\":{\"b\":[1,2]}}");
        assertThat(Json.MAPPER
                        .readValue("{\"role\":\"user\"}", ChatMessage.class)
                        .extra())
                .isEmpty();
    }
}
