package io.junction.bench.jmh;

import io.junction.server.http.FlatHttpHeaders;
import io.junction.server.http.HttpResponses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The headers of the two messages Junction writes for a non-streamed request, built as Junction
 * builds them and encoded by Netty's HTTP encoder into a pooled direct buffer, as on a socket:
 *
 * <ul>
 *   <li>{@link #answerHeaders}: the client's answer ({@code HttpResponses.json}, then
 *       {@code ChatResponder}'s routing, cost and overhead headers);
 *   <li>{@link #upstreamHeaders}: the request to an OpenAI-compatible provider ({@code NettyExchange}:
 *       host, user agent, the adapter's {@code Authorization} and {@code Content-Type}, the length).
 * </ul>
 *
 * <p>Each operation also writes the message through an {@link EmbeddedChannel}'s pipeline (the same
 * for every build), so the figures are for comparing builds, not absolute. Netty's leak detector is
 * off in the fork, as it samples one buffer in 128 in production.
 *
 * <p>Run: {@code java -jar gateway-benchmarks/target/benchmarks.jar HeadersBenchmark -prof gc}
 * (build: {@code ./mvnw -B -q -Pbench -DskipTests package -pl gateway-benchmarks -am}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "-Xms1g",
            "-Xmx1g",
            "-Dio.netty.allocator.type=pooled",
            "-Dio.netty.leakDetection.level=disabled"
        })
public class HeadersBenchmark {
    /** What the OpenAI adapter puts in {@code UpstreamRequest.headers()}. */
    private static final Map<String, String> ADAPTER_HEADERS =
            Map.of("Authorization", "Bearer sk-bench-0123456789abcdef", "Content-Type", "application/json");

    private static final AsciiString USER_AGENT = AsciiString.cached("junction/0.1");

    private EmbeddedChannel server;
    private EmbeddedChannel client;

    @Setup
    public void setup() {
        server = new EmbeddedChannel(new HttpResponseEncoder());
        client = new EmbeddedChannel(new HttpRequestEncoder());
    }

    @TearDown
    public void tearDown() {
        server.finishAndReleaseAll();
        client.finishAndReleaseAll();
    }

    @Benchmark
    public int answerHeaders() {
        FullHttpResponse r = HttpResponses.json(200, Unpooled.EMPTY_BUFFER, "chatcmpl-req-01JD8Q7Z5X3M2N4P6R8T0V2W4Y");
        HttpHeaders h = r.headers();
        h.set("x-junction-provider", "upstream");
        h.set("x-junction-model", "gpt-4.1-mini");
        h.set("x-junction-attempts", Integer.toString(1));
        h.set("x-junction-cost-usd", "0.000412");
        h.set("x-junction-overhead-us", Long.toString(183));
        return drain(server, r);
    }

    @Benchmark
    public int upstreamHeaders() {
        FlatHttpHeaders h = new FlatHttpHeaders();
        h.set(HttpHeaderNames.HOST, "127.0.0.1:18081");
        h.set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        for (Map.Entry<String, String> e : ADAPTER_HEADERS.entrySet()) {
            h.set(e.getKey(), e.getValue());
        }
        FullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                "/v1/chat/completions",
                Unpooled.EMPTY_BUFFER,
                h,
                EmptyHttpHeaders.INSTANCE);
        HttpUtil.setContentLength(req, 912);
        return drain(client, req);
    }

    private static int drain(EmbeddedChannel ch, Object message) {
        ch.writeOutbound(message);
        int bytes = 0;
        for (Object m; (m = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            bytes += b.readableBytes();
            b.release();
        }
        return bytes;
    }
}
