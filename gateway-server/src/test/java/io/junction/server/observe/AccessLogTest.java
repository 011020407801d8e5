package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.pricing.Cost;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.Json;
import io.junction.core.schema.Usage;
import io.junction.core.usage.CompletionText;
import io.junction.server.ledger.UsageRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The access log line: ledger fields plus client details; payloads only when asked for. */
class AccessLogTest {

    private static UsageRecord record(UsageRecord.Access access) {
        return new UsageRecord(
                "req-7",
                1_763_000_000_000L,
                "team-a",
                "fast",
                "gpt-4o-mini",
                "oai",
                Usage.of(12, 3),
                Cost.of(0.1, 0, 0, 0.2),
                false,
                850,
                120L,
                64L,
                200,
                "none",
                1,
                true,
                "s-1",
                List.of("prod"),
                Map.of("team", "x"),
                access);
    }

    private static UsageRecord.Access access() {
        CompletionText text = new CompletionText();
        text.add(new ChatChunk(
                "c",
                ChatChunk.OBJECT,
                1L,
                "m",
                null,
                null,
                List.of(new ChatChunk.Choice(0, ChatChunk.Delta.content("the secret answer"), null)),
                null,
                null,
                null));
        return new UsageRecord.Access(
                "10.1.2.3",
                "my-app/1.0",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                List.of(ChatMessage.of("user", "the secret prompt")),
                text);
    }

    @Test
    void aLineHasTheLedgerFieldsAndTheClientButNoPayloadByDefault() throws Exception {
        String line = AccessLog.line(record(access()), false);
        assertThat(line).doesNotContain("\n");
        JsonNode j = Json.MAPPER.readTree(line);
        assertThat(j.get("type").asText()).isEqualTo("access");
        assertThat(j.get("ts").asText()).isEqualTo("2025-11-13T02:13:20Z");
        assertThat(j.get("request_id").asText()).isEqualTo("req-7");
        assertThat(j.get("key").asText()).isEqualTo("team-a");
        assertThat(j.get("client").asText()).isEqualTo("10.1.2.3");
        assertThat(j.get("user_agent").asText()).isEqualTo("my-app/1.0");
        assertThat(j.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(j.get("model_used").asText()).isEqualTo("gpt-4o-mini");
        assertThat(j.get("status").asInt()).isEqualTo(200);
        assertThat(j.get("error_type").asText()).isEqualTo("none");
        assertThat(j.get("prompt_tokens").asInt()).isEqualTo(12);
        assertThat(j.get("completion_tokens").asInt()).isEqualTo(3);
        assertThat(j.get("cost_usd").asDouble()).isEqualTo(0.30000000000000004);
        assertThat(j.get("ttft_ms").asLong()).isEqualTo(120);
        assertThat(j.get("tags").get(0).asText()).isEqualTo("prod");
        assertThat(j.get("labels").get("team").asText()).isEqualTo("x");
        assertThat(line).doesNotContain("secret").doesNotContain("authorization");
        assertThat(j.has("messages")).isFalse();
        assertThat(j.has("completion")).isFalse();
    }

    @Test
    void payloadsAreLoggedOnlyWhenAskedFor() throws Exception {
        JsonNode j = Json.MAPPER.readTree(AccessLog.line(record(access()), true));
        assertThat(j.at("/messages/0/content").asText()).isEqualTo("the secret prompt");
        assertThat(j.get("completion").asText()).isEqualTo("the secret answer");
    }

    @Test
    void anUnpricedCallHasANullCostAndNoClientDetailsAreInvented() throws Exception {
        UsageRecord r = record(null).withUsage(Usage.of(1, 1), null, true);
        JsonNode j = Json.MAPPER.readTree(AccessLog.line(r, true));
        assertThat(j.get("cost_usd").isNull()).isTrue();
        assertThat(j.get("usage_estimated").asBoolean()).isTrue();
        assertThat(j.has("client")).isFalse();
        assertThat(j.has("messages")).isFalse();
    }
}
