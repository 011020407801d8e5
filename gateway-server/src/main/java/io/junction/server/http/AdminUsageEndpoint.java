package io.junction.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.error.GatewayException;
import io.junction.core.pricing.Cost;
import io.junction.core.schema.Json;
import io.junction.server.ledger.UsageQuery;
import io.junction.server.ledger.UsageRow;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * {@code GET /admin/usage} (JSON) and {@code GET /admin/usage.csv}: spend and tokens from the ledger,
 * summed over {@code [from, to)} and grouped by key, model, provider, tag or day. The query runs on
 * the ledger's query thread; the answer is written from the connection's event loop when it is
 * ready. Records still waiting in the writer's queue (at most {@code flush_interval_ms} old) are not
 * counted yet.
 */
final class AdminUsageEndpoint {
    private AdminUsageEndpoint() {}

    static final String[] COLUMNS = {
        "group",
        "requests",
        "prompt_tokens",
        "completion_tokens",
        "cached_tokens",
        "cache_write_tokens",
        "reasoning_tokens",
        "cost_usd",
        "estimated_requests",
        "unpriced_requests",
        "failed_requests",
        "cache_hits"
    };

    /**
     * Parses the query (a bad one throws at once) and starts it; {@code onDone} runs on the event loop
     * after the response was written.
     */
    static void start(
            ChannelHandlerContext ctx,
            GatewayContext gw,
            FullHttpRequest req,
            String requestId,
            boolean csv,
            long startNanos,
            java.util.function.IntConsumer onDone) {
        UsageQuery q = UsageQuery.parse(new QueryStringDecoder(req.uri()).parameters(), System.currentTimeMillis());
        gw.accountant().recorder().query(q).whenComplete((rows, error) -> ctx.executor()
                .execute(() -> {
                    FullHttpResponse response;
                    if (error == null) {
                        response = csv
                                ? HttpResponses.full(200, csv(rows), "text/csv; charset=utf-8", requestId)
                                : HttpResponses.json(200, json(q, rows), requestId);
                    } else {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause()
                                : error;
                        GatewayException e = cause instanceof GatewayException ge
                                ? ge
                                : GatewayException.internal("The usage ledger query failed.", cause);
                        response = HttpResponses.error(e, requestId);
                    }
                    int status = response.status().code();
                    ctx.writeAndFlush(response);
                    gw.metrics().request("admin", "none", "none", status, System.nanoTime() - startNanos);
                    onDone.accept(status);
                }));
    }

    static byte[] json(UsageQuery q, List<UsageRow> rows) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("object", "usage_report");
        root.put("from", Instant.ofEpochMilli(q.fromMs()).toString());
        root.put("to", Instant.ofEpochMilli(q.toMs()).toString());
        root.put("group_by", q.groupBy().label());
        ArrayNode out = root.putArray("rows");
        long requests = 0;
        double cost = 0;
        for (UsageRow r : rows) {
            ObjectNode o = out.addObject();
            o.put("group", r.group());
            o.put("requests", r.requests());
            o.put("prompt_tokens", r.promptTokens());
            o.put("completion_tokens", r.completionTokens());
            o.put("cached_tokens", r.cachedTokens());
            o.put("cache_write_tokens", r.cacheWriteTokens());
            o.put("reasoning_tokens", r.reasoningTokens());
            o.put("cost_usd", r.costUsd());
            o.put("estimated_requests", r.estimatedRequests());
            o.put("unpriced_requests", r.unpricedRequests());
            o.put("failed_requests", r.failedRequests());
            o.put("cache_hits", r.cacheHits());
            requests += r.requests();
            cost += r.costUsd();
        }
        if (q.groupBy() != UsageQuery.GroupBy.TAG) { // a request has many tags: tag rows do not add up
            ObjectNode totals = root.putObject("totals");
            totals.put("requests", requests);
            totals.put("cost_usd", cost);
        }
        return Json.bytes(root);
    }

    static byte[] csv(List<UsageRow> rows) {
        StringBuilder sb = new StringBuilder(64 * (rows.size() + 1));
        sb.append(String.join(",", COLUMNS)).append("\r\n");
        for (UsageRow r : rows) {
            sb.append(csvField(r.group()))
                    .append(',')
                    .append(r.requests())
                    .append(',')
                    .append(r.promptTokens())
                    .append(',')
                    .append(r.completionTokens())
                    .append(',')
                    .append(r.cachedTokens())
                    .append(',')
                    .append(r.cacheWriteTokens())
                    .append(',')
                    .append(r.reasoningTokens())
                    .append(',')
                    .append(Cost.format(r.costUsd()))
                    .append(',')
                    .append(r.estimatedRequests())
                    .append(',')
                    .append(r.unpricedRequests())
                    .append(',')
                    .append(r.failedRequests())
                    .append(',')
                    .append(r.cacheHits())
                    .append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 4180: quoted when it holds a comma, quote or line break; a leading formula character is defused. */
    static String csvField(String v) {
        if (v == null) {
            return "";
        }
        String s = v;
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
