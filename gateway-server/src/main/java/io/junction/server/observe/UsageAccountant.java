package io.junction.server.observe;

import io.junction.core.govern.Ticket;
import io.junction.core.pricing.Cost;
import io.junction.core.pricing.PricingTable;
import io.junction.core.route.ModelResolver;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Usage;
import io.junction.core.spi.Target;
import io.junction.core.usage.CompletionText;
import io.junction.core.usage.TokenEstimator;
import io.junction.server.ledger.UsageRecord;
import io.junction.server.ledger.UsageRecorder;
import io.junction.server.metrics.GatewayMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The end of a call's accounting: prices usage (once per call), counts tokens and spend in the
 * metrics, and hands the record to the ledger. Usage the provider did not report is estimated on
 * the ledger's writer thread, never on an event loop (except for a non-streamed answer, whose
 * {@code extra_fields} need it at once: see {@link #estimateNow}).
 */
public final class UsageAccountant {
    private final PricingTable pricing;
    private final GatewayMetrics metrics;
    private final UsageRecorder recorder;

    public UsageAccountant(PricingTable pricing, GatewayMetrics metrics, UsageRecorder recorder) {
        this.pricing = pricing;
        this.metrics = metrics;
        this.recorder = recorder;
    }

    public PricingTable pricing() {
        return pricing;
    }

    public UsageRecorder recorder() {
        return recorder;
    }

    /**
     * The cost of {@code usage} on {@code target}, or null when its model has no price; then, if any
     * tokens were used, {@code junction_cost_unknown_model_total} is incremented and a warning is
     * logged the first time. Call once per call.
     */
    public Cost cost(Target target, Usage usage) {
        Cost c = pricing.cost(target, usage).orElse(null);
        if (c == null && usage.prompt() + usage.completion() > 0) {
            metrics.costUnknown(target.provider().name(), target.model());
            pricing.warnUnknownOnce(target.id());
        }
        return c;
    }

    /**
     * Estimated usage, on the calling thread (an event loop, for non-streamed answers): if the
     * model's tokenizer vocabulary is not loaded yet (the first seconds after start, or a model the
     * config does not name), it counts characters / 4 rather than stall the loop loading it, and
     * starts loading it on another thread.
     */
    public static Usage estimateNow(Target target, ChatRequest request, CompletionText received) {
        TokenEstimator.Method m =
                TokenEstimator.methodFor(target.provider().spec().type(), target.model());
        if (!TokenEstimator.loaded(m)) {
            TokenEstimator.loadInBackground(m); // exact from the next estimate on
            m = TokenEstimator.Method.CHARS_PER_4;
        }
        return TokenEstimator.estimate(m, request, received);
    }

    /**
     * The vocabularies the calls {@code resolver} routes can need (its providers, their listed models
     * and the aliases' targets): loaded at start and on reloads.
     */
    public static Set<TokenEstimator.Method> vocabularies(ModelResolver resolver) {
        Map<String, String> types = new HashMap<>();
        Map<String, List<String>> models = new HashMap<>();
        resolver.providers().forEach((name, p) -> {
            types.put(name, p.spec().type());
            if (p.spec().models() != null) {
                models.computeIfAbsent(name, k -> new ArrayList<>())
                        .addAll(p.spec().models());
            }
        });
        resolver.aliases()
                .values()
                .forEach(targets ->
                        targets.forEach(t -> models.computeIfAbsent(t.provider().name(), k -> new ArrayList<>())
                                .add(t.model())));
        return TokenEstimator.methodsFor(types, models);
    }

    /** Estimated usage with the model's own method, loading its vocabulary if needed (writer thread). */
    static Usage estimateOffLoop(Target target, ChatRequest request, CompletionText received) {
        return TokenEstimator.estimate(
                TokenEstimator.methodFor(target.provider().spec().type(), target.model()), request, received);
    }

    /**
     * A call with known usage and cost: its ticket settled (real tokens and spend charged to the key
     * and team), metrics now, record to the ledger.
     */
    public void finish(UsageRecord record, Target target, Usage usage, Cost cost, boolean estimated, Ticket ticket) {
        ticket.settle((long) usage.prompt() + usage.completion(), cost == null ? null : cost.total());
        if (target != null) {
            metrics.usage(target.provider().name(), record.modelRequested(), record.keyName())
                    .add(usage, cost);
        }
        metrics.tags(record.tags(), cost);
        recorder.record(record.withUsage(usage, cost, estimated));
    }

    /** A call that used no tokens (refused, or failed before a provider answered). */
    public void finishWithoutUsage(UsageRecord record, Ticket ticket) {
        ticket.settle(0, null);
        metrics.tags(record.tags(), null);
        recorder.record(record);
    }

    /**
     * A call whose provider reported no usage: the request's prompt and the completion the client
     * received are counted on the ledger's writer thread, then priced, counted in the metrics and
     * written, marked estimated.
     */
    public void finishEstimated(
            UsageRecord record, Target target, ChatRequest request, CompletionText received, Ticket ticket) {
        recorder.record(() -> {
            Usage u = estimateOffLoop(target, request, received);
            Cost c = cost(target, u);
            ticket.settle((long) u.prompt() + u.completion(), c == null ? null : c.total());
            metrics.usage(target.provider().name(), record.modelRequested(), record.keyName())
                    .add(u, c);
            metrics.tags(record.tags(), c);
            return record.withUsage(u, c, true);
        });
    }
}
