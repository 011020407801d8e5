package io.junction.server;

import io.junction.core.config.JunctionConfig;
import io.junction.core.config.ServerSpec;
import io.junction.core.govern.Governor;
import io.junction.core.govern.LimitStore;
import io.junction.core.govern.MemoryLimitStore;
import io.junction.core.pricing.PricingTable;
import io.junction.core.route.ModelResolver;
import io.junction.core.route.RoutePlanner;
import io.junction.core.route.RouteState;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.usage.TokenEstimator;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.cache.CacheService;
import io.junction.server.http.GatewayContext;
import io.junction.server.keys.RuntimeKeys;
import io.junction.server.ledger.UsageRecorder;
import io.junction.server.lifecycle.ConfigStatus;
import io.junction.server.lifecycle.DrainDeadline;
import io.junction.server.lifecycle.Lifecycle;
import io.junction.server.lifecycle.Readiness;
import io.junction.server.limits.BudgetSeeder;
import io.junction.server.limits.LimitStores;
import io.junction.server.metrics.GatewayMetrics;
import io.junction.server.metrics.GovernanceMeters;
import io.junction.server.observe.AccessLog;
import io.junction.server.observe.RequestAccessLog;
import io.junction.server.observe.UsageAccountant;
import io.junction.server.observe.trace.Tracing;
import io.junction.server.pipeline.ServerChannelInitializer;
import io.junction.server.upstream.NettyUpstreamTransport;
import io.junction.server.upstream.ProxySettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: one event-loop group serves client connections and upstream connections
 * alike (native epoll when available, NIO otherwise), plus a one-thread acceptor.
 *
 * <p>Config: the {@link GatewayContext} lives in an {@link AtomicReference} that each new connection
 * and each request reads; {@link #reload} swaps in a new one (calls in flight keep the one they
 * started with). Shared across reloads: the event loops, the upstream transport and its connection
 * pools, the metrics registry, and the circuit breakers as long as no existing provider changed.
 *
 * <p>Shutdown ({@link #shutdown}): readiness turns 503, the listening socket closes, calls in flight
 * get the drain period to finish, the rest end with a {@code server_shutting_down} error, the
 * {@link #onShutdown} hooks run, then the event loops stop.
 */
public final class JunctionServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JunctionServer.class);
    /** Event-loop threads are named so (thread dumps, and the no-blocking test gate looks for them). */
    public static final String LOOP_THREAD_PREFIX = "junction-loop";

    public static final String ACCEPTOR_THREAD_PREFIX = "junction-accept";
    /** After the drain: how long ended calls get to flush their last bytes before connections are cut. */
    private static final Duration FLUSH_GRACE = Duration.ofSeconds(2);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final NettyUpstreamTransport transport;
    private final GatewayMetrics metrics;
    private final ProviderRegistry registry;
    private final UsageRecorder recorder;
    private final RuntimeKeys runtimeKeys;
    /** Rate-limit windows, leases and budget spend: kept across reloads ({@code limits_store} needs a restart). */
    private final LimitStore limitStore;

    private final GovernanceMeters governanceMeters;
    private final CacheService.Meters cacheMeters;
    /** OpenTelemetry export; null when {@code tracing.enabled} is false (then none of the SDK exists). */
    private final Tracing tracing;

    private final AtomicReference<GatewayContext> context;
    private final Lifecycle lifecycle;
    private final JunctionConfig startConfig;
    private final int threads;
    private final String transportName;
    private final List<Runnable> shutdownHooks = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean endDrainNow;

    record Transport(
            IoHandlerFactory factory,
            Class<? extends ServerSocketChannel> server,
            Class<? extends SocketChannel> client,
            Class<? extends DatagramChannel> datagram,
            String name) {}

    private JunctionServer(JunctionConfig config, ProviderRegistry registry, String source, Tracing tracing)
            throws InterruptedException {
        String forced = System.getProperty("junction.transport", "");
        Transport t = chooseTransport(forced.isEmpty() ? config.server().transport() : forced);
        this.transportName = t.name();
        this.registry = registry;
        this.startConfig = config;
        this.tracing = tracing;
        threads = config.server().eventLoopThreads() > 0
                ? config.server().eventLoopThreads()
                : Runtime.getRuntime().availableProcessors();
        metrics = new GatewayMetrics(config.metrics(), tracing != null);
        recorder = UsageRecorder.start(config.ledger(), metrics); // opens/migrates the ledger: fails fast
        runtimeKeys = startRuntimeKeys(config, recorder); // run-time keys live in the ledger's database
        recorder.accessLog(AccessLog.of(config.logging()));
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(ACCEPTOR_THREAD_PREFIX), t.factory());
        workers = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(LOOP_THREAD_PREFIX), t.factory());
        metrics.bindEventLoops(workers);
        transport = new NettyUpstreamTransport(t.client(), t.datagram(), ProxySettings.fromEnvironment(), 50_000);
        ConfigStatus configStatus = new ConfigStatus(source, Instant.now());
        configStatus.bindTo(metrics.registry());
        lifecycle = new Lifecycle(configStatus);
        io.micrometer.core.instrument.Gauge.builder("junction.inflight.calls", lifecycle, Lifecycle::inFlight)
                .description("Chat calls in flight")
                .register(metrics.registry());
        limitStore = LimitStores.open(config.limitsStore()); // a Redis store never waits for Redis here
        if (limitStore instanceof MemoryLimitStore memory) {
            BudgetSeeder.seed(
                    config,
                    runtimeKeys.activeSpecs(),
                    memory,
                    recorder,
                    System.currentTimeMillis(),
                    Duration.ofSeconds(10));
        }
        governanceMeters = new GovernanceMeters(metrics.registry());
        cacheMeters = new CacheService.Meters(metrics.registry());
        context = new AtomicReference<>(newContext(
                config, RouteState.create(config.routing()), CacheService.create(config.cache(), cacheMeters)));
        // only the tokenizer vocabularies the configured providers and targets can need
        TokenEstimator.warmUpInBackground(
                UsageAccountant.vocabularies(context.get().resolver()));
        lifecycle.readiness().add("ledger", () -> {
            String error = recorder.lastWriteError();
            return error == null
                    ? Readiness.Result.up(recorder.describe())
                    : Readiness.Result.down("last write failed: " + error);
        });
        // Redis unreachable: with fail_closed every capped call gets a 503, so not ready; with fail_open
        // calls go ahead, and failing readiness would pull every replica out of the load balancer at
        // once for a shared dependency: stay up and say why.
        boolean limitsFailOpen = !config.limitsStore().failClosed();
        lifecycle.readiness().add("limits_store", () -> {
            String reason = limitStore.unhealthyReason();
            if (reason == null) {
                return Readiness.Result.up(config.limitsStore().type());
            }
            String detail = config.limitsStore().type() + ": " + reason;
            return limitsFailOpen
                    ? Readiness.Result.up("degraded (fail_open): " + detail)
                    : Readiness.Result.down(detail);
        });
        // The response cache is optional: a Redis cache that is down makes every lookup a miss, so the
        // instance stays ready and says so.
        lifecycle
                .readiness()
                .add("cache", () -> Readiness.Result.up(context.get().cache().readinessDetail()));
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(t.server())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ServerChannelInitializer(context::get, lifecycle));
        try {
            serverChannel = b.bind(config.server().host(), config.server().port())
                    .sync()
                    .channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdownGroups();
            runtimeKeys.close();
            limitStore.close();
            context.get().cache().close();
            recorder.close();
            if (tracing != null) {
                tracing.close();
            }
            throw e;
        }
        log.info(
                "Junction listening on http://{}:{} ({} event loops, {} transport)",
                config.server().host(),
                port(),
                threads,
                t.name());
    }

    /** Binds and starts serving; throws if the port cannot be bound. */
    public static JunctionServer start(JunctionConfig config, ProviderRegistry registry) throws InterruptedException {
        return start(config, registry, "in-process config");
    }

    /** Same, naming where the config came from (shown by {@code /admin/config/status}). */
    public static JunctionServer start(JunctionConfig config, ProviderRegistry registry, String source)
            throws InterruptedException {
        return start(config, registry, source, Tracing.start(config.tracing()));
    }

    /**
     * Same, with the given tracing (null: off) instead of the one {@code config.tracing} asks for:
     * tests export to memory. The server closes it at shutdown.
     */
    public static JunctionServer start(JunctionConfig config, ProviderRegistry registry, String source, Tracing tracing)
            throws InterruptedException {
        return new JunctionServer(config, registry, source, tracing);
    }

    private GatewayContext newContext(JunctionConfig config, RouteState routes, CacheService cache) {
        metrics.breakers(routes.breakers()::snapshot);
        ModelResolver resolver = new ModelResolver(config, registry);
        PricingTable prices = PricingTable.load(config.pricing());
        return new GatewayContext(
                config,
                resolver,
                new KeyAuthenticator(config.keys(), runtimeKeys),
                transport,
                metrics,
                routes,
                new RoutePlanner(config, resolver, routes.stats(), prices),
                new UsageAccountant(prices, metrics, recorder),
                new Governor(
                        config.teams(),
                        limitStore,
                        System::currentTimeMillis,
                        config.limitsStore().failClosed(),
                        config.limitsStore().timeoutMs(),
                        config.server().requestTimeoutMs() + LEASE_MARGIN_MS,
                        governanceMeters),
                cache,
                tracing);
    }

    /** Concurrency leases outlive the request timeout by this much before a store drops them. */
    private static final long LEASE_MARGIN_MS = 60_000;

    private static RuntimeKeys startRuntimeKeys(JunctionConfig config, UsageRecorder recorder) {
        try {
            return RuntimeKeys.start(config.admin(), recorder.store());
        } catch (RuntimeException e) {
            recorder.close();
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** The config in use now. */
    public JunctionConfig config() {
        return context.get().config();
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    /** Readiness checks behind {@code /ready}; add one with {@code readiness().add(...)}. */
    public Readiness readiness() {
        return lifecycle.readiness();
    }

    public ConfigStatus configStatus() {
        return lifecycle.configStatus();
    }

    /**
     * Registers work to run once on shutdown, after the drain (no call is in flight any more) and
     * before the event loops stop, on the shutdown thread: e.g. flushing a usage ledger. Hooks run in
     * registration order; one that throws is logged and the next runs. Keep them bounded in time.
     */
    public void onShutdown(Runnable hook) {
        shutdownHooks.add(Objects.requireNonNull(hook));
    }

    /**
     * Swaps in a new, already validated config. Calls in flight finish with the old one; new
     * requests (also on open keep-alive connections) use the new one; new connections take its
     * {@code max_body_bytes} and {@code idle_timeout_ms}. Circuit breakers carry over unless an
     * existing provider was changed or removed (then all start closed again). Returns the settings
     * that changed but need a restart ({@code server.host}, {@code server.port},
     * {@code server.event_loop_threads}): those keep their running values.
     */
    public synchronized List<String> reload(JunctionConfig config) {
        if (stopping.get()) {
            throw new IllegalStateException("shutting down: config not applied");
        }
        GatewayContext old = context.get();
        // Breakers, latency averages, key rests and the retry budget carry over while the providers are
        // unchanged; a changed provider starts everything afresh.
        RouteState routes =
                providersKept(old.config(), config) && old.config().routing().equals(config.routing())
                        ? old.routes()
                        : RouteState.create(config.routing());
        // The response cache (and its entries) carries over while the cache: section is unchanged.
        context.set(newContext(config, routes, old.cache().reconfigured(config.cache())));
        TokenEstimator.warmUpInBackground(
                UsageAccountant.vocabularies(context.get().resolver())); // a new provider's
        return restartRequired(config);
    }

    /** True when every provider of {@code before} is in {@code after} with the same settings. */
    public static boolean providersKept(JunctionConfig before, JunctionConfig after) {
        for (var e : before.providers().entrySet()) {
            if (!e.getValue().equals(after.providers().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private List<String> restartRequired(JunctionConfig config) {
        List<String> out = new ArrayList<>();
        var running = startConfig.server();
        var wanted = config.server();
        if (!running.host().equals(wanted.host())) {
            out.add("server.host changed to '" + wanted.host() + "': restart required (still listening on '"
                    + running.host() + "')");
        }
        if (!running.port().equals(wanted.port())) {
            out.add("server.port changed to " + wanted.port() + ": restart required (still listening on "
                    + running.port() + ")");
        }
        if (!startConfig.limitsStore().equals(config.limitsStore())) {
            out.add("limits_store changed: restart required (still using the "
                    + startConfig.limitsStore().type() + " store it started with)");
        }
        if (!startConfig.tracing().equals(config.tracing())) {
            out.add("tracing changed: restart required (still "
                    + (tracing == null ? "not tracing" : "tracing as at start") + ")");
        }
        if (!running.transport().equals(wanted.transport())) {
            out.add("server.transport changed to " + wanted.transport() + ": restart required (still on "
                    + transportName + ")");
        }
        if (!running.eventLoopThreads().equals(wanted.eventLoopThreads())) {
            out.add("server.event_loop_threads changed to " + wanted.eventLoopThreads()
                    + ": restart required (still running " + threads + " event loops)");
        }
        return out;
    }

    public UsageRecorder recorder() {
        return recorder;
    }

    /**
     * The event loops' transport for {@code wanted} ({@code server.transport}, or the
     * {@code junction.transport} system property when it is set and not empty, which wins: a test
     * suite or a benchmark run on another transport without editing configs). {@code auto} is epoll
     * where Netty's native library loads, NIO elsewhere. A transport this machine lacks falls back
     * the same way, with a warning that says why: io_uring is often refused in containers (Docker's
     * default seccomp profile) and by kernels with {@code kernel.io_uring_disabled} set.
     */
    static Transport chooseTransport(String wanted) {
        if (!ServerSpec.TRANSPORTS.contains(wanted)) {
            throw new IllegalArgumentException("junction.transport: must be one of "
                    + String.join(", ", ServerSpec.TRANSPORTS) + ", got '" + wanted + "'");
        }
        if ("io_uring".equals(wanted)) {
            if (IoUring.isAvailable()) {
                return new Transport(
                        IoUringIoHandler.newFactory(),
                        IoUringServerSocketChannel.class,
                        IoUringSocketChannel.class,
                        IoUringDatagramChannel.class,
                        "io_uring");
            }
            log.warn(
                    "server.transport is io_uring, which this machine does not offer ({}); falling back",
                    String.valueOf(IoUring.unavailabilityCause()));
        }
        if (!"nio".equals(wanted)) {
            if (Epoll.isAvailable()) {
                return new Transport(
                        EpollIoHandler.newFactory(),
                        EpollServerSocketChannel.class,
                        EpollSocketChannel.class,
                        EpollDatagramChannel.class,
                        "epoll");
            }
            if (!"auto".equals(wanted)) {
                log.warn(
                        "server.transport is {}, but epoll is not available here ({}); using NIO",
                        wanted,
                        String.valueOf(Epoll.unavailabilityCause()));
            }
        }
        return new Transport(
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioDatagramChannel.class,
                "nio");
    }

    /** The transport the event loops run on: {@code epoll}, {@code io_uring} or {@code nio}. */
    public String transport() {
        return transportName;
    }

    /** True once {@link #shutdown} has begun. */
    public boolean shuttingDown() {
        return stopping.get();
    }

    /** Ends a running drain at once (a second SIGTERM); the remaining calls get the shutdown error. */
    public void endDrainNow() {
        endDrainNow = true;
    }

    /** Graceful shutdown with the config's {@code server.drain_timeout_ms}. */
    public void shutdownGracefully() {
        shutdown(Duration.ofMillis(context.get().config().server().drainTimeoutMs()));
    }

    /**
     * Stops serving, gracefully: blocks until done. Must not be called on an event loop. A second
     * call waits for the first to finish.
     *
     * <ol>
     *   <li>readiness turns 503 and the listening socket closes (new connections are refused);
     *       requests arriving on open connections get {@code Connection: close}, and new chat calls a
     *       503 {@code server_shutting_down};
     *   <li>calls in flight get up to {@code drain} to finish;
     *   <li>calls still running then end: a stream with an SSE error event
     *       ({@code code: server_shutting_down}), a call that sent nothing with a 503;
     *   <li>{@link #onShutdown} hooks run; the event loops, transport and metrics stop.
     * </ol>
     */
    public void shutdown(Duration drain) {
        if (!stopping.compareAndSet(false, true)) {
            try {
                stopped.await(drain.toMillis() + 30_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            long began = System.nanoTime();
            lifecycle.beginDrain();
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            long inFlight = lifecycle.inFlight();
            log.info(
                    "shutting down: listening socket closed, {} call(s) in flight, drain up to {} ms",
                    inFlight,
                    drain.toMillis());
            long deadline = began + drain.toNanos();
            while (lifecycle.inFlight() > 0 && System.nanoTime() < deadline && !endDrainNow) {
                sleep(20);
            }
            long left = lifecycle.inFlight();
            if (left > 0) {
                log.warn("drain over after {} ms: ending {} call(s) with server_shutting_down", ms(began), left);
            } else {
                log.info("drain complete after {} ms", ms(began));
            }
            endRemainingCalls();
            closeConnections();
            runHooks();
        } catch (RuntimeException e) {
            log.error("error during shutdown", e);
        } finally {
            shutdownGroups();
            transport.close();
            runtimeKeys.close();
            limitStore.close();
            recorder.close(); // after the loops: every finished call's record is queued; writes them all
            context.get().cache().close();
            if (tracing != null) {
                tracing.close(); // after the loops: exports every finished call's spans (bounded wait)
            }
            RequestAccessLog.flush(2000); // access-log lines of the last non-chat requests
            metrics.close();
            stopped.countDown();
            log.info("Junction stopped");
        }
    }

    /**
     * Tells every connection that the drain is over (on its own event loop): one with a call in flight
     * ends it with the shutdown error; each closes once its last bytes are flushed.
     */
    private void endRemainingCalls() {
        List<Future<?>> done = new ArrayList<>();
        for (Channel ch : lifecycle.connections()) {
            done.add(ch.eventLoop().submit(() -> ch.pipeline().fireUserEventTriggered(DrainDeadline.INSTANCE)));
        }
        long until = System.nanoTime() + FLUSH_GRACE.toNanos();
        for (Future<?> f : done) {
            f.awaitUninterruptibly(Math.max(1, (until - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        }
    }

    /** Connections close themselves once their last bytes are flushed; after a grace period the rest are cut. */
    private void closeConnections() {
        long until = System.nanoTime() + FLUSH_GRACE.toNanos();
        while (!lifecycle.connections().isEmpty() && System.nanoTime() < until) {
            sleep(20);
        }
        if (!lifecycle.connections().isEmpty()) {
            log.warn(
                    "closing {} connection(s) that did not finish flushing",
                    lifecycle.connections().size());
            ChannelGroupFuture f = lifecycle.connections().close();
            f.awaitUninterruptibly(FLUSH_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void runHooks() {
        for (Runnable hook : shutdownHooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                log.error("shutdown hook failed", e);
            }
        }
    }

    private static long ms(long sinceNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops at once: no drain (calls in flight get the shutdown error). For tests and embedding. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
