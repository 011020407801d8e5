package io.junction.server.metrics;

import io.junction.core.config.MetricsSpec;
import io.junction.core.pricing.Cost;
import io.junction.core.pricing.PricingTable;
import io.junction.core.route.Attempt;
import io.junction.core.route.CircuitBreaker;
import io.junction.core.route.RoutedCall;
import io.junction.core.schema.Usage;
import io.junction.server.observe.ErrorTypes;
import io.junction.server.observe.trace.TraceExemplars;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Every meter name Junction publishes, in one place (see docs/observability.md). Tag values that
 * come from clients (model names) are capped, so a client cannot explode the number of time
 * series; key names become label values only when {@code metrics.key_labels} is on, up to
 * {@code metrics.max_key_labels}. Meters are looked up once per call (cached), never per chunk.
 */
public final class GatewayMetrics implements AutoCloseable {
    public static final String REQUESTS = "junction.requests";
    public static final String DURATION = "junction.request.duration";
    public static final String TTFT = "junction.time.to.first.token";
    public static final String INTER_CHUNK = "junction.inter.chunk";
    public static final String OVERHEAD = "junction.overhead";
    public static final String TOKENS = "junction.tokens";
    public static final String COST = "junction.cost.usd";
    public static final String COST_UNKNOWN = "junction.cost.unknown.model";
    public static final String ATTEMPTS = "junction.upstream.attempts";
    public static final String FALLBACKS = "junction.fallbacks";
    public static final String RATELIMIT_SKIPS = "junction.provider.ratelimit.skips";
    public static final String INFLIGHT = "junction.inflight.requests";
    public static final String CIRCUIT = "junction.circuit.state";
    public static final String LEDGER_DROPPED = "junction.ledger.dropped";
    public static final String LEDGER_WRITTEN = "junction.ledger.written";
    public static final String LEDGER_QUEUED = "junction.ledger.queued";
    public static final String TAG_REQUESTS = "junction.tag.requests";
    public static final String TAG_COST = "junction.tag.cost.usd";
    static final int MAX_MODEL_TAGS = 200;
    /** The OpenMetrics content type (the only text format that carries exemplars). */
    public static final String OPENMETRICS = "application/openmetrics-text";

    static final String OTHER = "other";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final MetricsSpec spec;
    private final ConcurrentHashMap<Key, Meters> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> attemptCounters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> rateLimitSkips = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UsageKey, UsageMeters> usageMeters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StreamMeters> streamMeters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> unknownCost = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> ledgerDropped = new ConcurrentHashMap<>();
    private final Set<String> models = ConcurrentHashMap.newKeySet();
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final Set<String> tagValues = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Counter[]> tagMeters = new ConcurrentHashMap<>();
    private final Counter fallbacks;
    private final Counter ledgerWritten;
    private final Timer overhead;
    private final AtomicLong inflight = new AtomicLong();
    private final MultiGauge circuits;
    private volatile Supplier<Map<String, CircuitBreaker>> breakers = Map::of;

    private record Key(String endpoint, String model, String provider, int status, String errorType) {}

    private record Meters(Counter count, Timer duration) {}

    private record UsageKey(String provider, String model, String key) {}

    /** The counters of one provider/model/key: tokens by type and cost, looked up once per call. */
    public record UsageMeters(
            Counter prompt, Counter completion, Counter cached, Counter cacheWrite, Counter reasoning, Counter cost) {
        public void add(Usage u, Cost c) {
            prompt.increment(u.prompt());
            completion.increment(u.completion());
            cached.increment(u.cached());
            cacheWrite.increment(PricingTable.cacheWriteTokens(u));
            reasoning.increment(u.reasoning());
            if (c != null) {
                cost.increment(c.total());
            }
        }
    }

    /** A stream's time-to-first-token and inter-chunk timers, for its provider. */
    public record StreamMeters(Timer ttft, Timer interChunk) {}

    public GatewayMetrics() {
        this(MetricsSpec.DEFAULTS);
    }

    public GatewayMetrics(MetricsSpec spec) {
        this(spec, false);
    }

    /**
     * @param exemplars attach trace ids as exemplars to {@code junction_request_duration_seconds}
     *     (tracing on; see {@link TraceExemplars})
     */
    public GatewayMetrics(MetricsSpec spec, boolean exemplars) {
        this.spec = spec;
        registry = exemplars
                ? new PrometheusMeterRegistry(
                        PrometheusConfig.DEFAULT,
                        new io.prometheus.metrics.model.registry.PrometheusRegistry(),
                        io.micrometer.core.instrument.Clock.SYSTEM,
                        new TraceExemplars())
                : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config()
                .meterFilter(MeterFilter.maximumAllowableTags(REQUESTS, "model", MAX_MODEL_TAGS, MeterFilter.deny()))
                .meterFilter(MeterFilter.maximumAllowableTags(DURATION, "model", MAX_MODEL_TAGS, MeterFilter.deny()));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            new NettyAllocatorMetrics(p).bindTo(registry);
        }
        fallbacks = Counter.builder(FALLBACKS)
                .description("Calls answered by a target other than the first one tried")
                .register(registry);
        ledgerWritten = Counter.builder(LEDGER_WRITTEN)
                .description("Usage records written to the ledger")
                .register(registry);
        overhead = Timer.builder(OVERHEAD)
                .description("Time spent inside Junction per chat call, upstream waits excluded")
                .serviceLevelObjectives(slos(10e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 50e-3))
                .register(registry);
        Gauge.builder(INFLIGHT, inflight, AtomicLong::get)
                .description("Chat calls in progress")
                .register(registry);
        circuits = MultiGauge.builder(CIRCUIT)
                .description("Circuit breaker state per target: 0 closed, 1 open, 2 half-open")
                .register(registry);
        ledgerDropped("queue_full", 0); // published at 0, so an alert on it has a series from the start
        ledgerDropped("write_failed", 0);
    }

    private static Duration[] slos(double... seconds) {
        Duration[] d = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            d[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        }
        return d;
    }

    /** Netty event-loop metrics (pending tasks per loop) for the server's worker group. */
    public void bindEventLoops(EventExecutorGroup group) {
        new NettyEventExecutorMetrics(group).bindTo(registry);
    }

    /** Where {@code junction_circuit_state} reads breaker states from at scrape time. */
    public void breakers(Supplier<Map<String, CircuitBreaker>> source) {
        this.breakers = source;
    }

    private final ConcurrentHashMap<String, Counter> abCounters = new ConcurrentHashMap<>();

    /** Counts one call assigned to an A/B arm: {@code junction_ab_assignments_total{campaign,arm}} (both from config). */
    public void abAssignment(String campaign, String arm) {
        abCounters
                .computeIfAbsent(campaign + '\0' + arm, k -> Counter.builder("junction.ab.assignments")
                        .description("Calls assigned to each arm of an A/B campaign")
                        .tags("campaign", campaign, "arm", arm)
                        .register(registry))
                .increment();
    }

    /**
     * Counts a finished call's upstream attempts by provider and outcome ({@code success}, {@code error},
     * {@code skipped} for an open circuit or a spent rate limit), a rate-limit skip per provider, and a
     * fallback when the answer came from another target.
     */
    public void attempts(List<Attempt> attempts, boolean succeeded) {
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            boolean rateLimited = RoutedCall.PROVIDER_RATE_LIMITED.equals(a.errorCode());
            String outcome = "circuit_open".equals(a.errorCode()) || rateLimited || a.status() == 0
                    ? "skipped"
                    : (a.status() >= 200 && a.status() < 300 && a.errorCode() == null ? "success" : "error");
            String provider = a.target().substring(0, Math.max(0, a.target().indexOf('/')));
            if (rateLimited) {
                rateLimitSkips
                        .computeIfAbsent(provider, p -> Counter.builder(RATELIMIT_SKIPS)
                                .description("Targets skipped because the provider's rate limit was spent")
                                .tags("provider", p)
                                .register(registry))
                        .increment();
            }
            String key = provider + '\0' + outcome;
            Counter c = attemptCounters.get(key);
            if (c == null) {
                c = attemptCounters.computeIfAbsent(key, k -> Counter.builder(ATTEMPTS)
                        .description("Upstream attempts by provider and outcome")
                        .tags("provider", provider, "outcome", outcome)
                        .register(registry));
            }
            c.increment();
        }
        if (succeeded && attempts.size() > 1) {
            String first = attempts.get(0).target();
            String last = attempts.get(attempts.size() - 1).target();
            if (!first.equals(last)) {
                fallbacks.increment();
            }
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Records one finished request; its {@code error_type} is derived from the status alone. */
    public void request(String endpoint, String model, String provider, int status, long nanos) {
        request(endpoint, model, provider, status, ErrorTypes.classify(status, null, false), nanos);
    }

    /**
     * Records one finished request whose trace is {@code span} (null: none): with exemplars on, its
     * duration may carry the trace id as an exemplar.
     */
    public void request(
            String endpoint,
            String model,
            String provider,
            int status,
            String errorType,
            long nanos,
            io.opentelemetry.api.trace.SpanContext span) {
        if (span == null) {
            request(endpoint, model, provider, status, errorType, nanos);
        } else {
            TraceExemplars.recording(span, () -> request(endpoint, model, provider, status, errorType, nanos));
        }
    }

    /** Records one finished request. {@code model} and {@code provider} may be "none". */
    public void request(String endpoint, String model, String provider, int status, String errorType, long nanos) {
        Key key = new Key(endpoint, model, provider, status, errorType);
        Meters m = cache.get(key);
        if (m == null) {
            m = cache.computeIfAbsent(
                    key,
                    k -> new Meters(
                            Counter.builder(REQUESTS)
                                    .description("Requests served, by endpoint, requested model, provider, status and"
                                            + " error type")
                                    .tags(
                                            "endpoint",
                                            k.endpoint(),
                                            "model",
                                            k.model(),
                                            "provider",
                                            k.provider(),
                                            "status",
                                            Integer.toString(k.status()),
                                            "error_type",
                                            k.errorType())
                                    .register(registry),
                            Timer.builder(DURATION)
                                    .description("Request latency from arrival to the last byte sent")
                                    .tags(
                                            "endpoint",
                                            k.endpoint(),
                                            "model",
                                            k.model(),
                                            "provider",
                                            k.provider(),
                                            "status",
                                            Integer.toString(k.status()))
                                    .publishPercentileHistogram()
                                    .minimumExpectedValue(Duration.ofMillis(1))
                                    .maximumExpectedValue(Duration.ofMinutes(10))
                                    .register(registry)));
            if (cache.size() > 4 * MAX_MODEL_TAGS) {
                cache.clear(); // a flood of distinct models; the registry itself still caps series
            }
        }
        m.count().increment();
        m.duration().record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A model name as a label value: the first {@value #MAX_MODEL_TAGS} distinct ones, then "other". */
    private String modelLabel(String model) {
        if (model == null) {
            return "none";
        }
        if (models.contains(model)) {
            return model;
        }
        if (models.size() < MAX_MODEL_TAGS && models.add(model)) {
            return model;
        }
        return models.contains(model) ? model : OTHER;
    }

    /** A key name as a label value: "all" unless key labels are on, then capped. */
    String keyLabel(String key) {
        if (!spec.keyLabels()) {
            return "all";
        }
        if (key == null) {
            return "none";
        }
        if (keys.contains(key)) {
            return key;
        }
        if (keys.size() < spec.maxKeyLabels() && keys.add(key)) {
            return key;
        }
        return keys.contains(key) ? key : OTHER;
    }

    /** Token and cost counters for calls to {@code provider} for requested {@code model} by {@code key}. */
    public UsageMeters usage(String provider, String model, String key) {
        UsageKey k = new UsageKey(provider, modelLabel(model), keyLabel(key));
        UsageMeters m = usageMeters.get(k);
        if (m == null) {
            m = usageMeters.computeIfAbsent(k, u -> {
                Tags tags = Tags.of("provider", u.provider(), "model", u.model(), "key", u.key());
                return new UsageMeters(
                        tokens(tags, "prompt"),
                        tokens(tags, "completion"),
                        tokens(tags, "cached"),
                        tokens(tags, "cache_write"),
                        tokens(tags, "reasoning"),
                        Counter.builder(COST)
                                .description("Spend in USD by provider, requested model and key (priced calls only)")
                                .tags(tags)
                                .register(registry));
            });
        }
        return m;
    }

    private Counter tokens(Tags tags, String type) {
        return Counter.builder(TOKENS)
                .description("Tokens by type: prompt (cached included), completion (reasoning included), cached,"
                        + " cache_write, reasoning")
                .tags(tags)
                .tag("type", type)
                .register(registry);
    }

    /**
     * Per-tag request and spend counters, when {@code metrics.tag_labels} is on: each tag of a request
     * counts it once (so tag series do not add up to the total). Tags past the cap count as "other".
     */
    public void tags(List<String> tags, Cost cost) {
        if (!spec.tagLabels() || tags.isEmpty()) {
            return;
        }
        for (int i = 0; i < tags.size(); i++) {
            String t = tags.get(i);
            String label = tagValues.contains(t)
                    ? t
                    : (tagValues.size() < spec.maxTagLabels() && tagValues.add(t)) || tagValues.contains(t) ? t : OTHER;
            Counter[] c = tagMeters.get(label);
            if (c == null) {
                c = tagMeters.computeIfAbsent(label, l -> new Counter[] {
                    Counter.builder(TAG_REQUESTS)
                            .description("Chat requests per request tag (metrics.tag_labels)")
                            .tag("tag", l)
                            .register(registry),
                    Counter.builder(TAG_COST)
                            .description("Spend in USD per request tag (metrics.tag_labels; priced calls only)")
                            .tag("tag", l)
                            .register(registry)
                });
            }
            c[0].increment();
            if (cost != null) {
                c[1].increment(cost.total());
            }
        }
    }

    /** A call whose model has no price. */
    public void costUnknown(String provider, String model) {
        String k = provider + '\0' + modelLabel(model);
        Counter c = unknownCost.get(k);
        if (c == null) {
            c = unknownCost.computeIfAbsent(k, x -> Counter.builder(COST_UNKNOWN)
                    .description("Calls whose model has no price: their cost is null")
                    .tags("provider", provider, "model", modelLabel(model))
                    .register(registry));
        }
        c.increment();
    }

    /** TTFT and inter-chunk timers of one provider. */
    public StreamMeters stream(String provider) {
        StreamMeters m = streamMeters.get(provider);
        if (m == null) {
            m = streamMeters.computeIfAbsent(
                    provider,
                    p -> new StreamMeters(
                            Timer.builder(TTFT)
                                    .description("Streams: time from request arrival to the first chunk sent")
                                    .tags("provider", p)
                                    .serviceLevelObjectives(slos(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120))
                                    .register(registry),
                            Timer.builder(INTER_CHUNK)
                                    .description("Streams: time between consecutive chunks sent to the client")
                                    .tags("provider", p)
                                    .serviceLevelObjectives(slos(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5))
                                    .register(registry)));
        }
        return m;
    }

    public void overhead(long nanos) {
        overhead.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void callStarted() {
        inflight.incrementAndGet();
    }

    public void callEnded() {
        inflight.decrementAndGet();
    }

    public long inflight() {
        return inflight.get();
    }

    /** A usage record the ledger could not keep: {@code queue_full} or {@code write_failed}. */
    public void ledgerDropped(String reason, int n) {
        Counter c = ledgerDropped.get(reason);
        if (c == null) {
            c = ledgerDropped.computeIfAbsent(reason, r -> Counter.builder(LEDGER_DROPPED)
                    .description("Usage records lost: the queue was full, or the store failed")
                    .tags("reason", r)
                    .register(registry));
        }
        c.increment(n);
    }

    public void ledgerWritten(int n) {
        ledgerWritten.increment(n);
    }

    /**
     * The ledger's backlog, read at each scrape: records handed over by the event loops and not yet
     * taken by the writer. A backlog that grows toward {@code ledger.queue_size} comes before drops.
     */
    public void ledgerQueued(IntSupplier waiting) {
        Gauge.builder(LEDGER_QUEUED, waiting, IntSupplier::getAsInt)
                .description("Usage records waiting for the ledger's writer")
                .strongReference(true)
                .register(registry);
    }

    /** Prometheus text exposition format. */
    public String scrape() {
        return scrape(null);
    }

    /** OpenMetrics text (with exemplars) for {@value #OPENMETRICS}, else Prometheus text format. */
    public String scrape(String contentType) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Map.Entry<String, CircuitBreaker> e : breakers.get().entrySet()) {
            int v =
                    switch (e.getValue().state()) {
                        case CLOSED -> 0;
                        case OPEN -> 1;
                        case HALF_OPEN -> 2;
                    };
            rows.add(MultiGauge.Row.of(Tags.of("target", e.getKey()), v));
        }
        circuits.register(rows, true);
        return OPENMETRICS.equals(contentType) ? registry.scrape(OPENMETRICS) : registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
