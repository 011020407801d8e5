package io.junction.server.metrics;

import io.junction.core.route.Attempt;
import io.junction.core.route.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Every meter name Junction publishes, in one place. Tag values that come from clients (model names)
 * are capped, so a client cannot explode the number of time series.
 */
public final class GatewayMetrics implements AutoCloseable {
    public static final String REQUESTS = "junction.requests";
    public static final String DURATION = "junction.request.duration";
    public static final String ATTEMPTS = "junction.upstream.attempts";
    public static final String FALLBACKS = "junction.fallbacks";
    public static final String CIRCUIT = "junction.circuit.state";
    static final int MAX_MODEL_TAGS = 200;

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ConcurrentHashMap<Key, Meters> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> attemptCounters = new ConcurrentHashMap<>();
    private final Counter fallbacks;
    private final MultiGauge circuits;
    private volatile Supplier<Map<String, CircuitBreaker>> breakers = Map::of;

    private record Key(String endpoint, String model, String provider, int status) {}

    private record Meters(Counter count, Timer duration) {}

    public GatewayMetrics() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config()
                .meterFilter(MeterFilter.maximumAllowableTags(REQUESTS, "model", MAX_MODEL_TAGS, MeterFilter.deny()))
                .meterFilter(MeterFilter.maximumAllowableTags(DURATION, "model", MAX_MODEL_TAGS, MeterFilter.deny()));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        fallbacks = Counter.builder(FALLBACKS)
                .description("Calls answered by a target other than the first one tried")
                .register(registry);
        circuits = MultiGauge.builder(CIRCUIT)
                .description("Circuit breaker state per target: 0 closed, 1 open, 2 half-open")
                .register(registry);
    }

    /** Where {@code junction_circuit_state} reads breaker states from at scrape time. */
    public void breakers(Supplier<Map<String, CircuitBreaker>> source) {
        this.breakers = source;
    }

    /**
     * Counts a finished call's upstream attempts by provider and outcome ({@code success}, {@code error},
     * {@code skipped} for an open circuit), and a fallback when the answer came from another target.
     */
    public void attempts(List<Attempt> attempts, boolean succeeded) {
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            String outcome = "circuit_open".equals(a.errorCode()) || a.status() == 0
                    ? "skipped"
                    : (a.status() >= 200 && a.status() < 300 && a.errorCode() == null ? "success" : "error");
            String provider = a.target().substring(0, Math.max(0, a.target().indexOf('/')));
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

    /** Records one finished request. {@code model} and {@code provider} may be "none". */
    public void request(String endpoint, String model, String provider, int status, long nanos) {
        Key key = new Key(endpoint, model, provider, status);
        Meters m = cache.get(key);
        if (m == null) {
            m = cache.computeIfAbsent(
                    key,
                    k -> new Meters(
                            Counter.builder(REQUESTS)
                                    .description("Requests served, by endpoint, requested model, provider and status")
                                    .tags(
                                            "endpoint",
                                            k.endpoint(),
                                            "model",
                                            k.model(),
                                            "provider",
                                            k.provider(),
                                            "status",
                                            Integer.toString(k.status()))
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
        m.duration().record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Prometheus text exposition format. */
    public String scrape() {
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
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
