package io.junction.server.ledger;

import io.junction.core.pricing.Cost;
import io.junction.core.schema.Usage;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ledger row: everything known about one chat request once it ended.
 *
 * @param requestId the {@code x-request-id} (client's or Junction's)
 * @param timestampMs when the request arrived, epoch milliseconds
 * @param keyName the client key's name ({@code anonymous} with auth off)
 * @param modelRequested the {@code model} the client asked for (alias or provider/model)
 * @param modelUsed the model of the target that answered (or was last tried); null if none
 * @param provider the provider that answered (or was last tried); null if none
 * @param usage normalized token counts (zeros when nothing was billed)
 * @param cost USD by part, or null when the model has no price or nothing reached a provider
 * @param usageEstimated true when Junction counted the tokens because the provider reported none
 * @param latencyMs arrival to the end of the response
 * @param ttftMs streams: arrival to the first chunk sent; null otherwise
 * @param overheadUs time spent inside Junction, upstream waits excluded
 * @param status the HTTP status sent (499 when the client went away first)
 * @param errorType see {@code ErrorTypes}
 * @param attempts upstream attempts made (including skipped open circuits)
 * @param stream whether the client asked for a stream
 * @param sessionId the request's {@code session_id}, if any
 * @param tags the request's {@code tags}
 * @param labels the request's {@code labels} (or {@code metadata}), kept in the request's order
 * @param access what only the access log adds (not stored in the ledger); nullable
 * @param cacheHit true when the answer came from the response cache: {@code usage} is the cached
 *     answer's, {@code cost} is zero and no provider was called
 */
public record UsageRecord(
        String requestId,
        long timestampMs,
        String keyName,
        String modelRequested,
        String modelUsed,
        String provider,
        Usage usage,
        Cost cost,
        boolean usageEstimated,
        long latencyMs,
        Long ttftMs,
        Long overheadUs,
        int status,
        String errorType,
        int attempts,
        boolean stream,
        String sessionId,
        List<String> tags,
        Map<String, String> labels,
        Access access,
        boolean cacheHit)
        implements UsageRecorder.Item {

    /**
     * What the access log adds to a ledger row (not stored in the ledger): the client's address and
     * user agent, the W3C {@code traceparent} it sent, and — only with {@code logging.log_payloads} —
     * the request's messages and the completion text it received.
     */
    public record Access(
            String clientAddress,
            String userAgent,
            String traceparent,
            List<io.junction.core.schema.ChatMessage> messages,
            io.junction.core.usage.CompletionText completion) {}

    /** Not a cache hit. */
    public UsageRecord(
            String requestId,
            long timestampMs,
            String keyName,
            String modelRequested,
            String modelUsed,
            String provider,
            Usage usage,
            Cost cost,
            boolean usageEstimated,
            long latencyMs,
            Long ttftMs,
            Long overheadUs,
            int status,
            String errorType,
            int attempts,
            boolean stream,
            String sessionId,
            List<String> tags,
            Map<String, String> labels,
            Access access) {
        this(
                requestId,
                timestampMs,
                keyName,
                modelRequested,
                modelUsed,
                provider,
                usage,
                cost,
                usageEstimated,
                latencyMs,
                ttftMs,
                overheadUs,
                status,
                errorType,
                attempts,
                stream,
                sessionId,
                tags,
                labels,
                access,
                false);
    }

    public UsageRecord(
            String requestId,
            long timestampMs,
            String keyName,
            String modelRequested,
            String modelUsed,
            String provider,
            Usage usage,
            Cost cost,
            boolean usageEstimated,
            long latencyMs,
            Long ttftMs,
            Long overheadUs,
            int status,
            String errorType,
            int attempts,
            boolean stream,
            String sessionId,
            List<String> tags,
            Map<String, String> labels) {
        this(
                requestId,
                timestampMs,
                keyName,
                modelRequested,
                modelUsed,
                provider,
                usage,
                cost,
                usageEstimated,
                latencyMs,
                ttftMs,
                overheadUs,
                status,
                errorType,
                attempts,
                stream,
                sessionId,
                tags,
                labels,
                null);
    }

    public UsageRecord {
        usage = usage == null ? Usage.of(0, 0) : usage;
        tags = tags == null ? List.of() : List.copyOf(tags);
        labels = Labels.copyOf(labels);
    }

    /**
     * A record's labels: an unmodifiable copy that keeps the request's order, for the ledger's
     * {@code labels} column and the access log. ({@code Map.copyOf} would not: its iteration order
     * changes from one JVM to the next.) The entries sit in one array, read in place (a request has a
     * handful of labels); the records derived from a record ({@link #withUsage}) share its copy.
     */
    private static final class Labels extends AbstractMap<String, String> {
        private final Entry<String, String>[] entries;

        private Labels(Entry<String, String>[] entries) {
            this.entries = entries;
        }

        @SuppressWarnings("unchecked")
        static Map<String, String> copyOf(Map<String, String> labels) {
            if (labels == null || labels.isEmpty()) {
                return Map.of();
            }
            if (labels instanceof Labels) {
                return labels;
            }
            Entry<String, String>[] copy = new Entry[labels.size()];
            int i = 0;
            for (Entry<String, String> e : labels.entrySet()) {
                copy[i++] = Map.entry(e.getKey(), e.getValue()); // null keys or values are refused
            }
            return new Labels(copy);
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, String>> iterator() {
                    return Arrays.asList(entries).iterator();
                }

                @Override
                public int size() {
                    return entries.length;
                }
            };
        }

        @Override
        public int size() {
            return entries.length;
        }
    }

    public UsageRecord withUsage(Usage newUsage, Cost newCost, boolean estimated) {
        return new UsageRecord(
                requestId,
                timestampMs,
                keyName,
                modelRequested,
                modelUsed,
                provider,
                newUsage,
                newCost,
                estimated,
                latencyMs,
                ttftMs,
                overheadUs,
                status,
                errorType,
                attempts,
                stream,
                sessionId,
                tags,
                labels,
                access,
                cacheHit);
    }

    /** This record marked as a cache hit. */
    public UsageRecord asCacheHit() {
        return new UsageRecord(
                requestId,
                timestampMs,
                keyName,
                modelRequested,
                modelUsed,
                provider,
                usage,
                cost,
                usageEstimated,
                latencyMs,
                ttftMs,
                overheadUs,
                status,
                errorType,
                attempts,
                stream,
                sessionId,
                tags,
                labels,
                access,
                true);
    }

    @Override
    public UsageRecord resolve() {
        return this;
    }
}
