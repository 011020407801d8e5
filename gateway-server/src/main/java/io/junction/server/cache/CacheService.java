package io.junction.server.cache;

import io.junction.core.cache.CacheKey;
import io.junction.core.cache.CachePolicy;
import io.junction.core.cache.CaffeineResponseCache;
import io.junction.core.cache.ResponseCache;
import io.junction.core.config.AliasSpec;
import io.junction.core.config.CacheSpec;
import io.junction.core.config.JunctionConfig;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.spi.Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The response cache of one config: its settings, its store and its meters. Immutable; shared by
 * every event loop. A reload with the same {@code cache:} section keeps the same service (and so
 * its entries: see {@link #reconfigured}); a changed section starts an empty in-process store, or a new
 * Redis client (entries in Redis stay, under the same prefix).
 *
 * <p>Meters: {@code junction_cache_requests_total{result=hit|miss|bypass}} (one per chat request that
 * the enabled cache saw; {@code refresh} counts as a miss), {@code junction_cache_entries} (entries of
 * the in-process store; NaN for Redis, whose size is not known cheaply) and
 * {@code junction_cache_errors_total{op=get|put}} (a shared store failed: the lookup was a miss, the
 * write was dropped).
 */
public final class CacheService {
    /** The value of the {@code x-junction-cache} response header. */
    public static final String HIT = "HIT";

    public static final String MISS = "MISS";
    public static final String BYPASS = "BYPASS";

    private static final CacheService DISABLED = new CacheService(CacheSpec.DEFAULTS, null, null);

    private final CacheSpec spec;
    private final ResponseCache store;
    private final Meters meters;

    /** The counters and the entries gauge, registered once per registry and pointed at the live store. */
    public static final class Meters {
        final Counter hit;
        final Counter miss;
        final Counter bypass;
        final Counter getErrors;
        final Counter putErrors;
        final AtomicReference<ResponseCache> live = new AtomicReference<>();

        public Meters(MeterRegistry registry) {
            hit = counter(registry, "hit");
            miss = counter(registry, "miss");
            bypass = counter(registry, "bypass");
            getErrors = errors(registry, "get");
            putErrors = errors(registry, "put");
            Gauge.builder("junction.cache.entries", live, r -> {
                        ResponseCache c = r.get();
                        if (c == null) {
                            return 0;
                        }
                        long n = c.size();
                        return n < 0 ? Double.NaN : n; // a shared store: unknown
                    })
                    .description("Entries in the in-process response cache (NaN for a shared store)")
                    .register(registry);
        }

        private static Counter errors(MeterRegistry registry, String op) {
            return Counter.builder("junction.cache.errors")
                    .description("Response cache store failures: a failed lookup is a miss, a failed write is dropped")
                    .tag("op", op)
                    .register(registry);
        }

        void failed(String op) {
            ("get".equals(op) ? getErrors : putErrors).increment();
        }

        private static Counter counter(MeterRegistry registry, String result) {
            return Counter.builder("junction.cache.requests")
                    .description("Chat requests seen by the response cache, by result")
                    .tag("result", result)
                    .register(registry);
        }
    }

    private CacheService(CacheSpec spec, ResponseCache store, Meters meters) {
        this.spec = spec;
        this.store = store;
        this.meters = meters;
    }

    /** No cache: every request is {@link CachePolicy.Decision#OFF}. */
    public static CacheService disabled() {
        return DISABLED;
    }

    /** A service for {@code spec}: a new (empty) store when enabled. */
    public static CacheService create(CacheSpec spec, Meters meters) {
        if (!spec.enabled()) {
            if (meters != null) {
                meters.live.set(null);
            }
            return new CacheService(spec, null, meters);
        }
        ResponseCache store =
                switch (spec.store()) {
                    case "memory" -> new CaffeineResponseCache(spec);
                    case "redis" ->
                        new RedisResponseCache(
                                spec.url(),
                                spec.effectivePrefix(),
                                spec.ttlMillis(),
                                spec.effectiveTimeoutMs(),
                                meters == null ? null : meters::failed);
                    default ->
                        throw new IllegalArgumentException("cache.store '" + spec.store() + "' is not supported");
                };
        if (meters != null) {
            meters.live.set(store);
        }
        return new CacheService(spec, store, meters);
    }

    /**
     * The service for a reloaded config: this one, entries and all, when the {@code cache:} section is
     * unchanged; otherwise a new one, and this one's store is closed (calls in flight that still use it
     * then miss, and their answers are not stored).
     */
    public CacheService reconfigured(CacheSpec newSpec) {
        if (newSpec.equals(spec)) {
            return this;
        }
        CacheService next = create(newSpec, meters);
        close();
        return next;
    }

    public CacheSpec spec() {
        return spec;
    }

    /** Null when the cache is off. */
    public ResponseCache store() {
        return store;
    }

    /** Closes the store; a Redis store waits up to a few seconds for its threads: call it off the event loops. */
    public void close() {
        if (store != null) {
            store.close();
        }
    }

    /**
     * For {@code /ready}: the cache is optional, so this never makes an instance unready; it says what
     * the cache is and, for Redis, whether it is reachable ({@code degraded: ...} when not: lookups are
     * misses meanwhile).
     */
    public String readinessDetail() {
        if (store == null) {
            return "off";
        }
        if (store instanceof RedisResponseCache redis) {
            String reason = redis.unhealthyReason();
            return reason == null ? redis.toString() : "degraded (every lookup a miss): redis: " + reason;
        }
        return spec.store();
    }

    /**
     * What the cache does for one request (null when it is off): the decision and, when it reads or
     * writes, the key. {@code rendered} is the request as it will be sent (system prompt applied);
     * {@code targets} the plan's targets; {@code keyName} the caller's key name.
     *
     * @throws GatewayException 400 for an invalid {@code x-junction-cache} header
     */
    public CachePlan plan(
            JunctionConfig config,
            ChatRequest request,
            ChatRequest rendered,
            List<Target> targets,
            String keyName,
            String team,
            String header) {
        AliasSpec alias = config.models().get(request.model());
        CachePolicy.Decision d;
        try {
            d = CachePolicy.decide(spec, alias == null ? null : alias.cache(), header, request);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest(CachePolicy.HEADER, e.getMessage());
        }
        if (d == CachePolicy.Decision.OFF) {
            return null;
        }
        if (d == CachePolicy.Decision.BYPASS) {
            meters.bypass.increment();
            return new CachePlan(this, d, null);
        }
        List<String> ids = new ArrayList<>(targets.size());
        for (Target t : targets) {
            ids.add(t.id());
        }
        return new CachePlan(this, d, CacheKey.of(scope(keyName, team), ids, rendered));
    }

    /**
     * The scope part of a key: {@code key:<name>}, {@code team:<team>} or {@code global}. Under
     * {@code scope: team} a key without a team is its own team (never wider than {@code key}).
     */
    String scope(String keyName, String team) {
        return switch (spec.scope()) {
            case "global" -> "global";
            case "team" -> team != null ? "team:" + team : "key:" + keyName;
            default -> "key:" + keyName;
        };
    }

    void hit() {
        meters.hit.increment();
    }

    void miss() {
        meters.miss.increment();
    }
}
