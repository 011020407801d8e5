package io.junction.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The suite's open-loop load generator (coordinated-omission safe): requests are due on a fixed
 * schedule ({@code start + i / rate}) and every latency is measured from that <em>intended</em> send
 * time, so a stalled server is charged for the requests it kept waiting, as wrk2 does. Netty client
 * (epoll), HTTP/1.1 keep-alive connections opened on demand up to {@code --max-connections}; a request
 * that finds no free connection waits in a queue (and that wait counts).
 *
 * <pre>
 * java -cp benchmarks.jar io.junction.bench.LoadGen rate   --url URL --body FILE --rate R --duration S [--warmup S]
 *                                                            [--slow-log FILE --slow-us N] [--arrivals fixed|poisson]
 * java -cp benchmarks.jar io.junction.bench.LoadGen stream --url URL --body FILE --rate R --duration S [--warmup S]
 *                                                            [--arrivals fixed|poisson] [--timeline FILE]
 * java -cp benchmarks.jar io.junction.bench.LoadGen hold   --url URL --body FILE --streams N --ramp S --hold S
 * </pre>
 *
 * <p>{@code rate}: non-streaming requests at a fixed rate; latency to the last response byte.
 * {@code stream}: streams started at a fixed rate; time to the first chunk (TTFT) from the intended
 * start, and each chunk's one-way delay from the mock's {@code x_sent_ns} stamp to its arrival here
 * (both processes read the same CLOCK_MONOTONIC). {@code hold}: opens N slow streams, holds them,
 * reports how many stayed healthy. Each prints one {@code RESULT key=value ...} line.
 *
 * <p>{@code --arrivals} (rate and stream): {@code fixed}, the default, sends on the fixed schedule;
 * {@code poisson} draws exponential gaps of the same mean (a seeded Poisson process), as independent
 * clients would arrive. It matters for streams: at 50 streams/s on the mock's 20 ms cadence, fixed
 * starts put every open stream's chunks on the same instant, a burst of ~50 chunks every 20 ms that a
 * proxy relays one after another (docs/performance-log.md, "Eleventh session").
 */
public final class LoadGen {
    private static final byte[] SENT_NS = "\"x_sent_ns\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] RECV_NS = "\"x_recv_ns\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final URI uri;
    private final byte[] body;
    private final EventLoopGroup group;
    private final boolean epoll;
    private final String hostHeader;

    LoadGen(URI uri, byte[] body, int threads) {
        this.uri = uri;
        this.body = body;
        this.epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(
                threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.hostHeader = uri.getHost() + ":" + uri.getPort();
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: LoadGen rate|stream|hold --url URL --body FILE ...");
            System.exit(2);
        }
        Args a = new Args(args, 1);
        URI uri = URI.create(a.required("url"));
        byte[] body = Files.readAllBytes(Path.of(a.required("body")));
        String mode = args[0];
        LoadGen gen = new LoadGen(uri, body, a.integer("threads", mode.equals("hold") ? 2 : 1));
        try {
            switch (mode) {
                case "rate", "stream" ->
                    gen.fixedRate(
                            mode.equals("stream"),
                            a.decimal("rate", 1000),
                            a.decimal("duration", 20),
                            a.decimal("warmup", 5),
                            a.integer("max-connections", 2000),
                            a.string("slow-log", null),
                            a.decimal("slow-us", 1000),
                            arrivals(a.string("arrivals", "fixed")),
                            a.string("timeline", null));
                case "hold" -> gen.hold(a.integer("streams", 1000), a.decimal("ramp", 20), a.decimal("hold", 30));
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            }
        } finally {
            gen.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static boolean arrivals(String name) {
        return switch (name) {
            case "fixed" -> false;
            case "poisson" -> true;
            default -> throw new IllegalArgumentException("--arrivals: fixed or poisson, not " + name);
        };
    }

    FullHttpRequest newRequest() {
        FullHttpRequest r = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, uri.getRawPath(), Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, hostHeader);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer bench");
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    Bootstrap bootstrap(EventLoop loop, ChannelInitializer<SocketChannel> init) {
        return new Bootstrap()
                .group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(init);
    }

    // ------------------------------------------------------------------ fixed rate (rate, stream)

    /** Everything below runs on one event loop: no locks. */
    final class FixedRun {
        final boolean stream;
        final EventLoop loop;
        final long periodNs;
        /**
         * Exponential gaps between the intended starts (a Poisson process of the same mean rate), from
         * a fixed seed so that runs compare; null for a fixed schedule, {@code start + i / rate}.
         */
        final java.util.SplittableRandom gaps;

        final long startNs;
        final long warmupEndNs;
        final long endNs;
        final int maxConnections;
        final ArrayDeque<Conn> idle = new ArrayDeque<>();
        final ArrayDeque<Long> pending = new ArrayDeque<>();
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        final Histogram ttft = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        /** TTFT less the mock's own wait before its first token (its {@code x_sent_ns - x_recv_ns}). */
        final Histogram ttftNet = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);

        final Histogram chunkDelay = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        final CountDownLatch finished = new CountDownLatch(1);
        long issued;
        /** When the next request is due to be sent. */
        long nextDue;

        long completed;
        long measured;
        long errors;
        long lateChunks;
        long chunks;
        long incomplete;
        long outstanding;
        long maxLagNs;
        int connections;
        boolean issuing = true;

        /** Measured requests slower than {@code slowNs}: intended send time (epoch ms), latency (ns). */
        final long slowNs;

        final java.util.List<long[]> slow = new java.util.ArrayList<>();

        /**
         * Stream mode with {@code --timeline}: per measured stream, when it was due, sent, received by the
         * mock, answered by the mock and its first chunk seen here (all CLOCK_MONOTONIC ns), and whether
         * it opened its connection. Null otherwise.
         */
        java.util.List<long[]> timeline;

        final long wallAtStartMs = System.currentTimeMillis();
        final long nanoAtStart = System.nanoTime();

        FixedRun(
                boolean stream,
                EventLoop loop,
                double rate,
                double duration,
                double warmup,
                int maxConnections,
                long slowNs,
                boolean poisson) {
            this.stream = stream;
            this.gaps = poisson ? new java.util.SplittableRandom(6) : null;
            this.slowNs = slowNs;
            this.loop = loop;
            this.periodNs = (long) (1e9 / rate);
            this.startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            this.warmupEndNs = startNs + (long) (warmup * 1e9);
            this.endNs = warmupEndNs + (long) (duration * 1e9);
            this.maxConnections = maxConnections;
            this.nextDue = startNs;
        }

        void tick() {
            long now = System.nanoTime();
            while (issuing) {
                long due = nextDue;
                if (due >= endNs) {
                    issuing = false;
                    maybeFinish();
                    break;
                }
                if (due > now) {
                    loop.schedule(this::tick, due - now, TimeUnit.NANOSECONDS);
                    return;
                }
                maxLagNs = Math.max(maxLagNs, now - due);
                issued++;
                nextDue = gaps == null
                        ? startNs + issued * periodNs
                        : due + (long) (-Math.log(1 - gaps.nextDouble()) * periodNs);
                outstanding++;
                dispatch(due);
            }
        }

        void dispatch(long intended) {
            Conn c = idle.pollFirst();
            if (c != null) {
                c.send(intended);
            } else if (connections < maxConnections) {
                connections++;
                openConn(intended);
            } else {
                pending.addLast(intended);
            }
        }

        void openConn(long intended) {
            Conn conn = new Conn(this);
            ChannelFuture f = bootstrap(loop, new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec()).addLast(conn);
                        }
                    })
                    .connect(uri.getHost(), uri.getPort());
            f.addListener(x -> {
                if (x.isSuccess()) {
                    conn.channel = f.channel();
                    conn.send(intended);
                } else {
                    connections--;
                    done(intended, false, 0);
                }
            });
        }

        /** A connection is free again: next queued request, or idle. */
        void free(Conn c) {
            Long next = pending.pollFirst();
            if (next != null) {
                c.send(next);
            } else {
                idle.addLast(c);
            }
        }

        void done(long intended, boolean ok, long endNs) {
            outstanding--;
            completed++;
            if (intended >= warmupEndNs) {
                measured++;
                if (ok) {
                    if (!stream) {
                        long ns = Math.max(0, endNs - intended);
                        latency.recordValue(ns);
                        if (ns >= slowNs && slow.size() < 1_000_000) {
                            slow.add(new long[] {wallAtStartMs * 1000 + (intended - nanoAtStart) / 1000, ns});
                        }
                    }
                } else {
                    errors++;
                }
            }
            maybeFinish();
        }

        void maybeFinish() {
            if (!issuing && outstanding == 0) {
                finished.countDown();
            }
        }
    }

    /** One keep-alive client connection of a fixed-rate run; one request at a time. */
    final class Conn extends ChannelInboundHandlerAdapter {
        final FixedRun run;
        Channel channel;
        long intended = -1;
        int status;
        boolean first;
        boolean sawDone;
        int streamChunks;
        final LineScanner lines = new LineScanner();
        /** When the current request was written; and how many this connection has carried. */
        long sentNs;

        int uses;

        Conn(FixedRun run) {
            this.run = run;
        }

        void send(long intended) {
            this.intended = intended;
            status = 0;
            first = true;
            sawDone = false;
            streamChunks = 0;
            lines.reset();
            sentNs = System.nanoTime();
            uses++;
            channel.writeAndFlush(newRequest(), channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            long now = System.nanoTime();
            try {
                if (msg instanceof HttpResponse r) {
                    status = r.status().code();
                }
                if (msg instanceof HttpContent c) {
                    if (run.stream && status == 200) {
                        scan(c.content(), now);
                    }
                    if (msg instanceof LastHttpContent) {
                        long t = intended;
                        intended = -1;
                        boolean ok = status == 200;
                        if (run.stream && t >= run.warmupEndNs) {
                            if (!sawDone) {
                                run.incomplete++;
                                ok = false;
                            }
                        }
                        run.done(t, ok, now);
                        run.free(this);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void scan(ByteBuf content, long now) {
            lines.feed(content, line -> {
                if (line.length < 6 || line[0] != 'd' || line[4] != ':') {
                    return;
                }
                if (line.length >= 12 && line[6] == '[' && line[7] == 'D') {
                    sawDone = true;
                    return;
                }
                boolean measure = intended >= run.warmupEndNs;
                long sent = stamp(line, SENT_NS);
                if (first) {
                    first = false;
                    if (measure) {
                        run.ttft.recordValue(Math.max(0, now - intended));
                        long recv = stamp(line, RECV_NS);
                        if (recv > 0 && sent >= recv) {
                            run.ttftNet.recordValue(Math.max(0, now - intended - (sent - recv)));
                        }
                        if (run.timeline != null) {
                            run.timeline.add(new long[] {intended, sentNs, recv, sent, now, uses == 1 ? 1 : 0});
                        }
                    }
                }
                if (sent > 0 && measure) {
                    long d = Math.max(0, now - sent);
                    run.chunkDelay.recordValue(Math.min(d, run.chunkDelay.getHighestTrackableValue()));
                    run.chunks++;
                    if (d > 1_000_000) {
                        run.lateChunks++;
                    }
                }
                streamChunks++;
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            run.connections--;
            run.idle.remove(this);
            if (intended >= 0) {
                long t = intended;
                intended = -1;
                run.done(t, false, System.nanoTime());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The digits after {@code key} (a {@code "name":} prefix) in {@code line}, or -1 when it has none. */
    static long stamp(byte[] line, byte[] key) {
        outer:
        for (int i = 0; i + key.length < line.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (line[i + j] != key[j]) {
                    continue outer;
                }
            }
            long v = 0;
            for (int k = i + key.length; k < line.length && line[k] >= '0' && line[k] <= '9'; k++) {
                v = v * 10 + (line[k] - '0');
            }
            return v;
        }
        return -1;
    }

    /** Splits a byte stream into lines (LF or CRLF), across buffer boundaries. */
    static final class LineScanner {
        private byte[] buf = new byte[1024];
        private int len;

        interface LineHandler {
            void line(byte[] line);
        }

        void reset() {
            len = 0;
        }

        void feed(ByteBuf in, LineHandler h) {
            int end = in.writerIndex();
            for (int i = in.readerIndex(); i < end; i++) {
                byte b = in.getByte(i);
                if (b == '\n') {
                    int l = len > 0 && buf[len - 1] == '\r' ? len - 1 : len;
                    if (l > 0) {
                        h.line(java.util.Arrays.copyOf(buf, l));
                    }
                    len = 0;
                } else {
                    if (len == buf.length) {
                        buf = java.util.Arrays.copyOf(buf, len * 2);
                    }
                    buf[len++] = b;
                }
            }
        }
    }

    void fixedRate(
            boolean stream,
            double rate,
            double duration,
            double warmup,
            int maxConnections,
            String slowLog,
            double slowUs,
            boolean poisson,
            String timelineFile)
            throws InterruptedException, java.io.IOException {
        EventLoop loop = group.next();
        long slowNs = slowLog == null ? Long.MAX_VALUE : (long) (slowUs * 1000);
        FixedRun run = new FixedRun(stream, loop, rate, duration, warmup, maxConnections, slowNs, poisson);
        if (stream && timelineFile != null) {
            run.timeline = new java.util.ArrayList<>();
        }
        SchedStat sched0 = SchedStat.self();
        loop.execute(run::tick);
        long waitMs = (long) ((warmup + duration) * 1000) + 60_000;
        boolean ok = run.finished.await(waitMs, TimeUnit.MILLISECONDS);
        SchedStat sched1 = SchedStat.self();
        CountDownLatch snap = new CountDownLatch(1);
        StringBuilder out = new StringBuilder("RESULT");
        loop.execute(() -> {
            double secs = duration;
            kv(out, "mode", stream ? "stream" : "rate");
            kv(out, "arrivals", poisson ? "poisson" : "fixed");
            kv(out, "target_rps", fmt(rate));
            kv(out, "achieved_rps", fmt(run.measured / secs));
            kv(out, "requests", run.measured);
            kv(out, "total", run.completed);
            kv(out, "errors", run.errors + (ok ? 0 : run.outstanding));
            kv(out, "connections", run.connections);
            kv(out, "max_send_lag_us", run.maxLagNs / 1000);
            if (sched0 != null && sched1 != null) { // this JVM's own CPU, and its threads' wait for one
                kv(out, "cpu_loadgen_s", secs(sched1.cpuNs() - sched0.cpuNs()));
                kv(out, "wait_loadgen_s", secs(sched1.waitNs() - sched0.waitNs()));
            }
            if (stream) {
                kv(out, "incomplete", run.incomplete);
                hist(out, "ttft", run.ttft);
                hist(out, "ttft_net", run.ttftNet);
                hist(out, "chunk", run.chunkDelay);
                kv(out, "chunks", run.chunks);
                kv(out, "late_chunks_1ms", run.lateChunks);
            } else {
                hist(out, "lat", run.latency);
            }
            snap.countDown();
        });
        snap.await(5, TimeUnit.SECONDS);
        System.out.println(out);
        if (slowLog != null) { // one line per slow measured request: when it was due to be sent, how long it took
            StringBuilder lines = new StringBuilder("intended_epoch_us\tlatency_us\n");
            for (long[] r : run.slow) {
                lines.append(r[0]).append('\t').append(r[1] / 1000).append('\n');
            }
            Files.writeString(Path.of(slowLog), lines);
        }
        if (run.timeline != null) { // read by bench/probe/timeline.py
            StringBuilder lines = new StringBuilder(
                    "intended_ns\tsend_ns\tmock_recv_ns\tmock_sent_ns\tfirst_chunk_ns\tnew_connection\n");
            for (long[] r : run.timeline) {
                for (int i = 0; i < r.length; i++) {
                    lines.append(r[i]).append(i == r.length - 1 ? '\n' : '\t');
                }
            }
            Files.writeString(Path.of(timelineFile), lines);
        }
    }

    private static void hist(StringBuilder out, String name, Histogram h) {
        kv(out, name + "_p50_us", us(h.getValueAtPercentile(50)));
        kv(out, name + "_p99_us", us(h.getValueAtPercentile(99)));
        kv(out, name + "_p999_us", us(h.getValueAtPercentile(99.9)));
        kv(out, name + "_max_us", us(h.getMaxValue()));
        kv(out, name + "_mean_us", fmt(h.getMean() / 1000.0));
    }

    private static String secs(long ns) {
        return String.format(Locale.ROOT, "%.3f", ns / 1e9);
    }

    private static String us(long ns) {
        return fmt(ns / 1000.0);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static void kv(StringBuilder out, String k, Object v) {
        out.append(' ').append(k).append('=').append(v);
    }

    // ------------------------------------------------------------------ hold (concurrency)

    void hold(int streams, double rampSeconds, double holdSeconds) throws InterruptedException {
        AtomicLong connected = new AtomicLong();
        AtomicLong ok200 = new AtomicLong();
        AtomicLong receiving = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong closedEarly = new AtomicLong();
        AtomicLong chunks = new AtomicLong();
        AtomicLong finishedStreams = new AtomicLong();
        Channel[] channels = new Channel[streams];
        long periodNs = (long) (rampSeconds * 1e9 / streams);
        long t0 = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            long due = t0 + i * periodNs;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int idx = i;
            EventLoop loop = group.next();
            bootstrap(loop, new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec()).addLast(new ChannelInboundHandlerAdapter() {
                                boolean got;
                                boolean ended;

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    try {
                                        if (msg instanceof HttpResponse r) {
                                            if (r.status().code() == 200) {
                                                ok200.incrementAndGet();
                                            } else {
                                                errors.incrementAndGet();
                                            }
                                        }
                                        if (msg instanceof HttpContent c
                                                && c.content().isReadable()) {
                                            chunks.incrementAndGet();
                                            if (!got) {
                                                got = true;
                                                receiving.incrementAndGet();
                                            }
                                        }
                                        if (msg instanceof LastHttpContent) {
                                            ended = true;
                                            finishedStreams.incrementAndGet();
                                        }
                                    } finally {
                                        ReferenceCountUtil.release(msg);
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    if (!ended && channels[idx] != null && !stopping) {
                                        closedEarly.incrementAndGet();
                                    }
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .connect(uri.getHost(), uri.getPort())
                    .addListener((ChannelFuture f) -> {
                        if (f.isSuccess()) {
                            connected.incrementAndGet();
                            channels[idx] = f.channel();
                            f.channel().writeAndFlush(newRequest());
                        } else {
                            errors.incrementAndGet();
                        }
                    });
            if (i > 0 && i % 1000 == 0) {
                System.out.println("progress opened=" + i + " connected=" + connected + " receiving=" + receiving
                        + " errors=" + errors + " closed_early=" + closedEarly);
            }
        }
        TimeUnit.SECONDS.sleep(3); // let the last ones get their first chunk
        System.out.println("HOLDING streams=" + streams + " connected=" + connected + " receiving=" + receiving
                + " errors=" + errors + " closed_early=" + closedEarly);
        System.out.flush();
        long holdEnd = System.nanoTime() + (long) (holdSeconds * 1e9);
        while (System.nanoTime() < holdEnd) {
            TimeUnit.SECONDS.sleep(Math.min(5, Math.max(1, (holdEnd - System.nanoTime()) / 1_000_000_000L)));
            System.out.println("hold connected=" + connected + " ok200=" + ok200 + " receiving=" + receiving
                    + " chunks=" + chunks + " errors=" + errors + " closed_early=" + closedEarly + " finished="
                    + finishedStreams);
        }
        long open = 0;
        for (Channel c : channels) {
            if (c != null && c.isActive()) {
                open++;
            }
        }
        System.out.println("RESULT mode=hold streams=" + streams + " connected=" + connected + " ok200=" + ok200
                + " receiving=" + receiving + " open_at_end=" + open + " chunks=" + chunks + " errors=" + errors
                + " closed_early=" + closedEarly + " finished=" + finishedStreams);
        stopping = true;
        for (Channel c : channels) {
            if (c != null) {
                c.close();
            }
        }
    }

    private volatile boolean stopping;
}
