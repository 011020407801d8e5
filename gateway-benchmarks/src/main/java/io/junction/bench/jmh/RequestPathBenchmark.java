package io.junction.bench.jmh;

import io.junction.core.route.ModelResolver;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.ExtraFields;
import io.junction.core.schema.Json;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.validate.RequestParser;
import io.junction.core.validate.RequestValidator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU work Junction does on a non-streaming OpenAI pass-through request, step by step, each in
 * isolation (no network, no Netty pipeline):
 *
 * <ul>
 *   <li>{@link #parseAndValidate}: the ~1 KB client body ({@link BenchSupport#CHAT_BODY}) from a
 *       {@code ByteBuf} to a validated {@link ChatRequest} — {@link RequestParser#parse} then
 *       {@link RequestValidator#validate}, exactly as {@code ChatCompletionsEndpoint} does;
 *   <li>the router pick ({@link ModelResolver#plan}) is measured by {@link RouterBenchmark};
 *   <li>{@link #encodeUpstream}: the OpenAI adapter building the upstream request (URL, headers), then
 *       its body re-serialized without Junction's fields into a pooled direct buffer, as the transport
 *       does when it sends ({@code UpstreamBody.toBuffer});
 *   <li>{@link #encodeUpstreamSpliced}: the same, with the body written from the client's bytes (the
 *       model put in, Junction's fields left out), as the router sends it when it holds them;
 *   <li>{@link #decodeResponse}: the upstream {@code chat.completion} (the mock's ~800-byte body) to a
 *       {@link ChatResponse};
 *   <li>{@link #encodeResponse}: the response with {@code extra_fields} back to JSON bytes for the
 *       client.
 * </ul>
 *
 * <p>The sum of these four plus the router pick is the serialization work per request; {@code -prof gc} gives the bytes
 * each allocates ({@code gc.alloc.rate.norm}), the main part of the 16 KB per-request budget.
 *
 * <p>Run: {@code java -jar gateway-benchmarks/target/benchmarks.jar RequestPathBenchmark -prof gc}
 * (build: {@code ./mvnw -B -q -Pbench -DskipTests package -pl gateway-benchmarks -am}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RequestPathBenchmark {
    private byte[] body;
    private ModelResolver resolver;
    private ChatRequest request;
    private ByteBuf heldBody;
    private Target target;
    private ByteBuf upstreamResponse;
    private ChatResponse response;
    private ExtraFields extra;

    @Setup
    public void setup() {
        body = BenchSupport.CHAT_BODY.getBytes(StandardCharsets.UTF_8);
        resolver = BenchSupport.resolver();
        request = parseAndValidate();
        // as the server holds it: the aggregated body, a composite of pooled direct pieces (one here)
        io.netty.buffer.PooledByteBufAllocator alloc = io.netty.buffer.PooledByteBufAllocator.DEFAULT;
        heldBody = Unpooled.unreleasableBuffer(alloc.compositeDirectBuffer()
                .addComponent(true, alloc.directBuffer(body.length).writeBytes(body)));
        target = resolver.plan("default", null).get(0);
        upstreamResponse = Unpooled.unreleasableBuffer(
                Unpooled.wrappedBuffer(io.junction.bench.MockUpstream.COMPLETION.getBytes(StandardCharsets.UTF_8)));
        response = decodeResponse();
        extra = new ExtraFields(
                "oai",
                "default",
                response.model(),
                3L,
                List.of(new ExtraFields.AttemptInfo("oai/gpt-4.1-mini", 200, null, 3)));
    }

    /** Body bytes → validated request, as the endpoint does it (ByteBufInputStream over the body). */
    @Benchmark
    public ChatRequest parseAndValidate() {
        ChatRequest r = RequestParser.parse(new ByteBufInputStream(Unpooled.wrappedBuffer(body)));
        RequestValidator.validate(r);
        return r;
    }

    /** The OpenAI adapter's upstream request (URL, headers), and its body written as the transport writes it. */
    @Benchmark
    public int encodeUpstream() throws java.io.IOException {
        UpstreamRequest r = target.adapter().encode(request.withModel(target.model()), target);
        io.netty.buffer.ByteBuf content = r.content().toBuffer(io.netty.buffer.PooledByteBufAllocator.DEFAULT);
        int n = content.readableBytes();
        content.release();
        return n;
    }

    /**
     * As {@link #encodeUpstream}, with the body written from the client's bytes as the router sends it
     * when it holds them ({@code ChatRequestSource}, {@code UpstreamBody.spliced}): no serializer run.
     */
    @Benchmark
    public int encodeUpstreamSpliced() throws java.io.IOException {
        UpstreamRequest r = target.adapter().encode(request.withModel(target.model()), target);
        ChatRequest sent = (ChatRequest) ((io.junction.core.transport.UpstreamBody.Json) r.content()).value();
        // per request, as the endpoint does: the body is held until its first send
        io.junction.core.schema.ChatRequestSource source = new io.junction.core.schema.ChatRequestSource(request);
        source.adopt(heldBody);
        io.netty.buffer.ByteBuf content = io.junction.core.transport.UpstreamBody.spliced(source, sent)
                .toBuffer(io.netty.buffer.PooledByteBufAllocator.DEFAULT);
        int n = content.readableBytes();
        content.release();
        return n;
    }

    /** The upstream chat.completion body → ChatResponse. */
    @Benchmark
    public ChatResponse decodeResponse() {
        return target.adapter().decodeResponse(upstreamResponse.duplicate(), request, target);
    }

    /** ChatResponse with extra_fields → the client's JSON bytes. */
    @Benchmark
    public byte[] encodeResponse() {
        return Json.bytes(response.withExtraFields(extra));
    }
}
