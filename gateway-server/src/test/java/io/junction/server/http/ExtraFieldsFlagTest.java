package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import org.junit.jupiter.api.Test;

/** {@code server.extra_fields: false} keeps responses strictly OpenAI-shaped, streamed or not. */
class ExtraFieldsFlagTest {

    @Test
    void noExtraFieldsWhenTurnedOff() throws Exception {
        try (TestGateway gw = new TestGateway("""
                server: { host: 127.0.0.1, port: 0, extra_fields: false }
                providers:
                  mock: {}
                """)) {
            String body = "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
            JsonNode plain =
                    Json.MAPPER.readTree(gw.post("/v1/chat/completions", body).body());
            assertThat(plain.at("/choices/0/message/content").asText()).isEqualTo("hello");
            assertThat(plain.has("extra_fields")).isFalse();

            String stream = body.replace(
                    "\"messages\"", "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\"");
            String sse = gw.post("/v1/chat/completions", stream).body();
            assertThat(sse)
                    .contains("\"usage\":{")
                    .doesNotContain("extra_fields")
                    .endsWith("data: [DONE]\n\n");
        }
    }

    @Test
    void streamedUsageChunkCarriesExtraFieldsWhenOn() throws Exception {
        try (TestGateway gw = new TestGateway("providers:\n  mock: {}\n")) {
            String stream = "{\"model\":\"mock/echo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
            String sse = gw.post("/v1/chat/completions", stream).body();
            String[] events = sse.split("\n\n");
            JsonNode usageChunk = Json.MAPPER.readTree(events[events.length - 2].substring("data: ".length()));
            assertThat(usageChunk.get("choices")).isEmpty();
            assertThat(usageChunk.at("/usage/completion_tokens").asInt()).isEqualTo(1);
            assertThat(usageChunk.at("/extra_fields/provider").asText()).isEqualTo("mock");
            assertThat(usageChunk.at("/extra_fields/attempts")).hasSize(1);
            assertThat(usageChunk.at("/extra_fields/attempts/0/target").asText())
                    .isEqualTo("mock/echo");
        }
    }
}
