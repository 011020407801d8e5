package io.junction.server.observe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.config.LoggingSpec;
import io.junction.core.pricing.PricingTable;
import io.junction.core.schema.Json;
import io.junction.core.schema.Usage;
import io.junction.server.ledger.UsageRecord;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
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
public final class AccessLog implements Consumer<UsageRecord> {
    public static final String LOGGER = "junction.access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final boolean payloads;

    private AccessLog(boolean payloads) {
        this.payloads = payloads;
    }

    /** The access log {@code spec} asks for: a no-op when {@code access_log: false}. */
    public static Consumer<UsageRecord> of(LoggingSpec spec) {
        return spec.accessLog() ? new AccessLog(spec.logPayloads()) : r -> {};
    }

    @Override
    public void accept(UsageRecord r) {
        if (log.isInfoEnabled()) {
            log.info(line(r, payloads));
        }
    }

    /** The JSON line for {@code r}; payloads only when asked for and captured. */
    public static String line(UsageRecord r, boolean payloads) {
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
}
