package io.junction.server.observe;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.junction.core.config.LoggingSpec;
import io.junction.core.pricing.PricingTable;
import io.junction.core.schema.Json;
import io.junction.core.schema.Usage;
import io.junction.server.ledger.RecordSink;
import io.junction.server.ledger.UsageRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured JSON line per chat request on the {@code junction.access} logger (its own Logback
 * appender: the line is the message), written from the ledger's writer thread, never an event
 * loop. Fields: the ledger's, plus the client's address and user agent and its {@code traceparent}.
 * No header is ever logged, so API keys and {@code Authorization} never appear; the client key is
 * identified by its configured name. Prompts and completions are logged only with
 * {@code logging.log_payloads: true}.
 */
public final class AccessLog implements RecordSink {
    public static final String LOGGER = "junction.access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final boolean payloads;

    private AccessLog(boolean payloads) {
        this.payloads = payloads;
    }

    /** The access log {@code spec} asks for: a no-op when {@code access_log: false}. */
    public static RecordSink of(LoggingSpec spec) {
        return spec.accessLog() ? new AccessLog(spec.logPayloads()) : RecordSink.NONE;
    }

    /** A drain's lines are gathered by each {@link AccessLogAppender} and written in one call. */
    @Override
    public void beginBatch() {
        forEachBatchingAppender(true);
    }

    @Override
    public void endBatch() {
        forEachBatchingAppender(false);
    }

    private static void forEachBatchingAppender(boolean hold) {
        if (!(log instanceof ch.qos.logback.classic.Logger logger)) {
            return; // another SLF4J binding: each line as it comes
        }
        for (var it = logger.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof AccessLogAppender a) {
                if (hold) {
                    a.hold();
                } else {
                    a.release();
                }
            }
        }
    }

    @Override
    public void accept(UsageRecord r) {
        if (log.isInfoEnabled()) {
            // formatted only when an appender asks: AccessLogEncoder writes the line's UTF-8 directly
            log.info("{}", new Line(r, payloads));
        }
    }

    /**
     * One access-log line, formatted on demand. {@link #toString()} is the JSON text, for any layout;
     * {@link AccessLogEncoder} instead asks for {@link #utf8WithNewline()}, the same JSON written as
     * UTF-8 straight into the array the appender writes (no {@code String}, no re-encoding). The two
     * are the same bytes except for characters outside the Basic Multilingual Plane (an emoji in a
     * label) and unpaired surrogates, which the UTF-8 writer escapes as {@code \\uXXXX}: the same
     * JSON values, and for an unpaired surrogate more faithful than the text's {@code '?'}.
     */
    public record Line(UsageRecord record, boolean payloads) {
        @Override
        public String toString() {
            return line(record, payloads);
        }

        /** The line and a newline, as UTF-8 (see above for the two escapes that differ from the text). */
        public byte[] utf8WithNewline() {
            ByteArrayBuilder out = new ByteArrayBuilder(Json.MAPPER.getFactory()._getBufferRecycler());
            try {
                writeUtf8WithNewline(out);
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                out.release();
            }
        }

        /**
         * Writes the line and a newline into {@code out}, with no array of its own. A line that fails
         * part-way may have written part of itself: the caller discards what it wrote.
         */
        public void writeUtf8WithNewline(OutputStream out) throws IOException {
            try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                write(g, record, payloads);
                g.writeRaw('\n');
            }
        }
    }

    /**
     * The JSON line for {@code r}; payloads only when asked for and captured. Written field by field
     * with a generator (no tree of nodes per line); the fields, their order and their formatting are
     * those of the {@code ObjectNode} this used to build.
     */
    public static String line(UsageRecord r, boolean payloads) {
        SegmentedStringWriter out =
                new SegmentedStringWriter(Json.MAPPER.getFactory()._getBufferRecycler());
        try {
            try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
                write(g, r, payloads);
            }
            return out.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(JsonGenerator g, UsageRecord r, boolean payloads) throws IOException {
        g.writeStartObject();
        char[] ts = new char[IsoMillis.MAX_CHARS];
        int tsLength = IsoMillis.write(r.timestampMs(), ts);
        if (tsLength > 0) {
            g.writeFieldName("ts");
            g.writeString(ts, 0, tsLength);
        } else {
            g.writeStringField("ts", Instant.ofEpochMilli(r.timestampMs()).toString());
        }
        g.writeStringField("type", "access");
        g.writeStringField("request_id", r.requestId());
        g.writeStringField("endpoint", "chat.completions");
        g.writeStringField("key", r.keyName());
        UsageRecord.Access a = r.access();
        if (a != null) {
            g.writeStringField("client", a.clientAddress());
            g.writeStringField("user_agent", a.userAgent());
            if (a.traceparent() != null) {
                g.writeStringField("traceparent", a.traceparent());
                g.writeStringField("trace_id", a.traceparent().substring(3, 35));
            }
        }
        g.writeStringField("model_requested", r.modelRequested());
        g.writeStringField("model_used", r.modelUsed());
        g.writeStringField("provider", r.provider());
        g.writeNumberField("status", r.status());
        g.writeStringField("error_type", r.errorType());
        g.writeBooleanField("stream", r.stream());
        g.writeNumberField("latency_ms", r.latencyMs());
        if (r.ttftMs() != null) {
            g.writeNumberField("ttft_ms", r.ttftMs().longValue());
        }
        if (r.overheadUs() != null) {
            g.writeNumberField("overhead_us", r.overheadUs().longValue());
        }
        g.writeNumberField("attempts", r.attempts());
        Usage u = r.usage();
        g.writeNumberField("prompt_tokens", u.prompt());
        g.writeNumberField("completion_tokens", u.completion());
        g.writeNumberField("cached_tokens", u.cached());
        g.writeNumberField("cache_write_tokens", PricingTable.cacheWriteTokens(u));
        g.writeNumberField("reasoning_tokens", u.reasoning());
        g.writeBooleanField("usage_estimated", r.usageEstimated());
        if (r.cacheHit()) {
            g.writeBooleanField("cache_hit", true);
        }
        if (r.cost() == null) {
            g.writeNullField("cost_usd");
        } else {
            g.writeNumberField("cost_usd", r.cost().total());
        }
        if (r.sessionId() != null) {
            g.writeStringField("session_id", r.sessionId());
        }
        if (!r.tags().isEmpty()) {
            g.writeArrayFieldStart("tags");
            for (String t : r.tags()) {
                g.writeString(t);
            }
            g.writeEndArray();
        }
        if (!r.labels().isEmpty()) {
            g.writeObjectFieldStart("labels");
            for (Map.Entry<String, String> e : r.labels().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        if (payloads && a != null) {
            if (a.messages() != null) {
                g.writeFieldName("messages");
                g.writeTree(Json.MAPPER.valueToTree(a.messages()));
            }
            if (a.completion() != null) {
                g.writeStringField("completion", a.completion().text());
            }
        }
        g.writeEndObject();
    }
}
