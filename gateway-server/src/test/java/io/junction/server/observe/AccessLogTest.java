package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.pricing.Cost;
import io.junction.core.pricing.PricingTable;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.Json;
import io.junction.core.schema.Usage;
import io.junction.core.usage.CompletionText;
import io.junction.server.ledger.UsageRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The access log line: ledger fields plus client details; payloads only when asked for. */
class AccessLogTest {

    static UsageRecord record(UsageRecord.Access access) {
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

    static UsageRecord.Access access() {
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

    /** The line as it was built before (an ObjectNode tree): the generator must write the same bytes. */
    private static String treeLine(UsageRecord r, boolean payloads) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("ts", Instant.ofEpochMilli(r.timestampMs()).toString());
        o.put("type", "access");
        o.put("request_id", r.requestId());
        o.put("endpoint", "chat.completions");
        o.put("key", r.keyName());
        UsageRecord.Access a = r.access();
        if (a != null) {
            o.put("client", a.clientAddress());
            o.put("user_agent", a.userAgent());
            if (a.traceparent() != null) {
                o.put("traceparent", a.traceparent());
                o.put("trace_id", a.traceparent().substring(3, 35));
            }
        }
        o.put("model_requested", r.modelRequested());
        o.put("model_used", r.modelUsed());
        o.put("provider", r.provider());
        o.put("status", r.status());
        o.put("error_type", r.errorType());
        o.put("stream", r.stream());
        o.put("latency_ms", r.latencyMs());
        if (r.ttftMs() != null) {
            o.put("ttft_ms", r.ttftMs());
        }
        if (r.overheadUs() != null) {
            o.put("overhead_us", r.overheadUs());
        }
        o.put("attempts", r.attempts());
        Usage u = r.usage();
        o.put("prompt_tokens", u.prompt());
        o.put("completion_tokens", u.completion());
        o.put("cached_tokens", u.cached());
        o.put("cache_write_tokens", PricingTable.cacheWriteTokens(u));
        o.put("reasoning_tokens", u.reasoning());
        o.put("usage_estimated", r.usageEstimated());
        if (r.cacheHit()) {
            o.put("cache_hit", true);
        }
        if (r.cost() == null) {
            o.putNull("cost_usd");
        } else {
            o.put("cost_usd", r.cost().total());
        }
        if (r.sessionId() != null) {
            o.put("session_id", r.sessionId());
        }
        if (!r.tags().isEmpty()) {
            ArrayNode tags = o.putArray("tags");
            r.tags().forEach(tags::add);
        }
        if (!r.labels().isEmpty()) {
            ObjectNode labels = o.putObject("labels");
            for (Map.Entry<String, String> e : r.labels().entrySet()) {
                labels.put(e.getKey(), e.getValue());
            }
        }
        if (payloads && a != null) {
            if (a.messages() != null) {
                o.set("messages", Json.MAPPER.valueToTree(a.messages()));
            }
            if (a.completion() != null) {
                o.put("completion", a.completion().text());
            }
        }
        return Json.string(o);
    }

    @Test
    void theLineIsByteForByteWhatTheNodeTreeGave() throws Exception {
        java.util.LinkedHashMap<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put("team", "x \"quoted\" é中😀\n");
        labels.put("empty", "");
        labels.put("lone", "\uD800 surrogate"); // not UTF-8 encodable: '?' in the text's bytes
        List<String> tags = List.of("a", "b\\c");
        UsageRecord odd = new UsageRecord(
                "req-\u2028",
                0L,
                null,
                null,
                null,
                null,
                Usage.of(0, 0),
                Cost.of(1e-9, 0, 0, 123456.789),
                true,
                -1,
                null,
                null,
                502,
                null,
                3,
                false,
                null,
                tags,
                labels,
                new UsageRecord.Access(null, "ua \"x\"", null, null, null));
        List<UsageRecord> records = List.of(
                record(access()),
                record(null),
                record(null).withUsage(Usage.of(1, 1), null, true),
                record(access()).withUsage(Usage.of(7, 9), Cost.of(0.1, 0.2, 0.3, 0.4), false),
                odd);
        ch.qos.logback.classic.LoggerContext ctx = new ch.qos.logback.classic.LoggerContext();
        AccessLogEncoder encoder = new AccessLogEncoder();
        encoder.setContext(ctx);
        encoder.start();
        ch.qos.logback.classic.encoder.PatternLayoutEncoder pattern =
                new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
        pattern.setContext(ctx);
        pattern.setPattern("%msg%n");
        pattern.setCharset(java.nio.charset.StandardCharsets.UTF_8);
        pattern.start();
        for (UsageRecord r : records) {
            for (boolean payloads : new boolean[] {false, true}) {
                assertThat(AccessLog.line(r, payloads)).isEqualTo(treeLine(r, payloads));
                // what the encoder writes for the line: the same JSON and a newline, as UTF-8 - the same
                // bytes as the text's, but for characters outside the BMP, which it escapes
                byte[] utf8 = new AccessLog.Line(r, payloads).utf8WithNewline();
                String text = treeLine(r, payloads);
                assertThat(new AccessLog.Line(r, payloads).toString()).isEqualTo(text);
                assertThat(utf8[utf8.length - 1]).isEqualTo((byte) '\n');
                assertThat(Json.MAPPER.readTree(utf8))
                        .isEqualTo(Json.MAPPER.readTree(text.replace("\uD800", "\\uD800")));
                if (r != odd) {
                    assertThat(utf8).isEqualTo((text + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                // logged as AccessLog does it: the encoder's bytes are what the %msg%n pattern writes
                ch.qos.logback.classic.spi.LoggingEvent e = new ch.qos.logback.classic.spi.LoggingEvent(
                        "x",
                        ctx.getLogger(AccessLog.LOGGER),
                        ch.qos.logback.classic.Level.INFO,
                        "{}",
                        null,
                        new Object[] {new AccessLog.Line(r, payloads)});
                if (r != odd) {
                    assertThat(encoder.encode(e)).isEqualTo(pattern.encode(e));
                } else {
                    assertThat(encoder.encode(e)).isEqualTo(utf8);
                }
            }
        }
    }

    @Test
    void aBatchOfRecordsIsWrittenByTheAccessLogAppenderInOneCall() {
        var ctx = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger logger = ctx.getLogger(AccessLog.LOGGER);
        AccessLogAppenderTest.Writes out = new AccessLogAppenderTest.Writes();
        AccessLogEncoder enc = new AccessLogEncoder();
        enc.setContext(ctx);
        enc.start();
        AccessLogAppender appender = new AccessLogAppender();
        appender.setContext(ctx);
        appender.setEncoder(enc);
        appender.start();
        appender.setOutputStream(out);
        boolean additive = logger.isAdditive();
        logger.addAppender(appender);
        logger.setAdditive(false);
        try {
            var sink = AccessLog.of(new io.junction.core.config.LoggingSpec(true, false));
            sink.beginBatch();
            sink.accept(record(access()));
            sink.accept(record(null));
            assertThat(out.calls).as("held until the batch ends").isEmpty();
            sink.endBatch();
            assertThat(out.calls).hasSize(1);
            assertThat(out.calls.get(0).split("\n"))
                    .containsExactly(AccessLog.line(record(access()), false), AccessLog.line(record(null), false));
            sink.accept(record(null)); // outside a batch: at once
            assertThat(out.calls).hasSize(2);
        } finally {
            logger.detachAppender(appender);
            logger.setAdditive(additive);
            appender.stop();
        }
    }
}
