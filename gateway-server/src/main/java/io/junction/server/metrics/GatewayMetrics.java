package io.junction.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every meter name Junction publishes, in one place. Tag values that come from clients (model names)
 * are capped, so a client cannot explode the number of time series.
 */
public final class GatewayMetrics implements AutoCloseable {
    public static final String REQUESTS = "junction.requests";
    public static final String DURATION = "junction.request.duration";
    static final int MAX_MODEL_TAGS = 200;

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ConcurrentHashMap<Key, Meters> cache = new ConcurrentHashMap<>();

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
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
