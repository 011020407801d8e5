package io.junction.server.ledger;

/**
 * One group of {@code /admin/usage}: request count, tokens by type, spend in USD (priced requests
 * only), how many requests had estimated usage, how many used tokens without a price, and how many
 * failed (status 400 or more), and how many were answered from the response cache.
 */
public record UsageRow(
        String group,
        long requests,
        long promptTokens,
        long completionTokens,
        long cachedTokens,
        long cacheWriteTokens,
        long reasoningTokens,
        double costUsd,
        long estimatedRequests,
        long unpricedRequests,
        long failedRequests,
        long cacheHits) {

    public UsageRow(
            String group,
            long requests,
            long promptTokens,
            long completionTokens,
            long cachedTokens,
            long cacheWriteTokens,
            long reasoningTokens,
            double costUsd,
            long estimatedRequests,
            long unpricedRequests,
            long failedRequests) {
        this(
                group,
                requests,
                promptTokens,
                completionTokens,
                cachedTokens,
                cacheWriteTokens,
                reasoningTokens,
                costUsd,
                estimatedRequests,
                unpricedRequests,
                failedRequests,
                0);
    }
}
