package io.junction.server.cli;

import io.junction.core.config.AliasSpec;
import io.junction.core.config.BreakerSpec;
import io.junction.core.config.JunctionConfig;
import io.junction.core.config.ProviderSpec;
import io.junction.core.config.RetrySpec;
import io.junction.core.route.ModelResolver;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.spi.Target;
import java.util.List;
import java.util.Locale;

/**
 * {@code --explain-route MODEL}: how a request for {@code MODEL} would be routed under a config,
 * resolved exactly as the server resolves it, without sending anything.
 */
public final class RouteExplainer {
    private RouteExplainer() {}

    /**
     * The explanation; throws {@link io.junction.core.error.GatewayException} ({@code model_not_found})
     * for a model the config cannot route.
     */
    public static String explain(JunctionConfig config, ProviderRegistry registry, String model) {
        ModelResolver resolver = new ModelResolver(config, registry);
        List<Target> targets = resolver.resolve(model);
        AliasSpec alias = config.models().get(model);
        StringBuilder sb = new StringBuilder();
        sb.append("model '")
                .append(model)
                .append("': ")
                .append(alias != null ? "alias" : "provider/model")
                .append(", ")
                .append(targets.size())
                .append(targets.size() == 1 ? " target" : " targets")
                .append('\n');
        sb.append("strategy: ordered failover (targets are tried in order; the next one on a retryable"
                + " failure before the first content chunk reached the client)\n");
        var server = config.server();
        sb.append("request deadline: ")
                .append(server.requestTimeoutMs())
                .append(" ms, all attempts and backoffs included (server.request_timeout_ms;"
                        + " header x-junction-timeout-ms overrides)\n");
        sb.append("stream keep-alive: ")
                .append(
                        server.streamKeepaliveMs() > 0
                                ? "SSE comment every " + server.streamKeepaliveMs()
                                        + " ms while waiting for the first token"
                                : "off")
                .append(" (server.stream_keepalive_ms)\n");
        sb.append("first-token deadline (streams): ");
        if (alias != null && alias.ttftTimeoutMs() != null) {
            sb.append(alias.ttftTimeoutMs())
                    .append(" ms for every target (models.")
                    .append(model)
                    .append(".ttft_timeout_ms)");
        } else {
            sb.append("each target's provider ttft_timeout_ms, shown below");
        }
        sb.append("; the request's max_ttft_ms or header x-junction-max-ttft-ms overrides\n");
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            ProviderSpec p = t.provider().spec();
            sb.append('\n').append(i + 1).append(". ").append(t.id()).append('\n');
            sb.append("   provider: ")
                    .append(t.provider().name())
                    .append(" (type ")
                    .append(p.type())
                    .append(", base_url ")
                    .append(p.baseUrl() == null || p.baseUrl().isBlank() ? "the type's default" : p.baseUrl())
                    .append(")\n");
            sb.append("   retry: ").append(retry(p.retry())).append('\n');
            sb.append("   timeouts: connect ")
                    .append(p.connectTimeoutMs())
                    .append(" ms, read ")
                    .append(p.readTimeoutMs())
                    .append(" ms, first token ")
                    .append(
                            alias != null && alias.ttftTimeoutMs() != null
                                    ? alias.ttftTimeoutMs() + " ms (alias)"
                                    : p.ttftTimeoutMs() == null ? "none" : p.ttftTimeoutMs() + " ms")
                    .append('\n');
            sb.append("   circuit breaker: ")
                    .append(breaker(p.circuitBreaker()))
                    .append('\n');
            if (p.limits().any()) {
                sb.append("   local limits: ")
                        .append(p.limits().rpm() == null ? "" : p.limits().rpm() + " requests")
                        .append(p.limits().rpm() != null && p.limits().tpm() != null ? " and " : "")
                        .append(p.limits().tpm() == null ? "" : p.limits().tpm() + " tokens")
                        .append(" per minute per key, counted by this replica; skipped when reached\n");
            }
        }
        return sb.toString();
    }

    private static String retry(RetrySpec r) {
        if (r.maxRetries() == 0) {
            return "none on the same target (max_retries 0)";
        }
        return "up to " + r.maxRetries() + (r.maxRetries() == 1 ? " retry" : " retries")
                + " on the same target after a retryable failure; backoff " + r.initialBackoffMs()
                + " ms doubling up to " + r.maxBackoffMs() + " ms, full jitter; a Retry-After up to "
                + r.maxRetryAfterMs() + " ms is honoured";
    }

    private static String breaker(BreakerSpec b) {
        if (!b.enabled()) {
            return "off";
        }
        return "on: opens after " + b.consecutiveFailures() + " consecutive failures or a "
                + String.format(Locale.ROOT, "%.0f", b.failureRate() * 100) + "% failure rate over the last "
                + b.window() + " calls (once " + b.minCalls() + " are counted); stays open " + b.cooldownMs()
                + " ms, then lets one probe through";
    }
}
