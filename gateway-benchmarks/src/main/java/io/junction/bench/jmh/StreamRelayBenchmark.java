package io.junction.bench.jmh;

import io.junction.core.error.GatewayException;
import io.junction.core.route.ModelResolver;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.stream.PassThroughChunk;
import io.junction.core.stream.SseEncoder;
import io.junction.core.validate.RequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Chunk decode + re-encode per adapter: a recorded provider stream (from
 * {@code provider-adapters/src/test/resources/fixtures/}) is fed through the adapter's
 * {@link StreamDecoder}, and every chunk it yields is framed for the client the way
 * {@code ChatResponder} does — {@link SseEncoder#frame} around the upstream's own JSON bytes on the
 * OpenAI pass-through path (for a plain chunk straight from the decoder's buffer, with no
 * {@code ChatChunk} built: {@code Sink.onPassThrough}), {@link SseEncoder#event} (re-serialization) for
 * translated providers —
 * into pooled buffers, which are then released. Times and {@code gc.alloc.rate.norm} are <em>per
 * upstream SSE event</em> ({@link OperationsPerInvocation} = the fixture's event count).
 *
 * <ul>
 *   <li>{@link #openAiPassThrough}: {@code openai/chat-completion.text.stream.jsonl}, 303 events (the
 *       role opener, the content chunks, the finish chunk, the usage chunk) and {@code [DONE]};
 *   <li>{@link #anthropic}: {@code anthropic/message.thinking.stream.sse}, 118 events (thinking, text,
 *       pings, message_delta/stop);
 *   <li>{@link #gemini}: {@code google/stream-generate-content.thinking.sse}, 23 events (thought and
 *       text parts, usage).
 * </ul>
 *
 * <p>The whole body arrives as one direct pooled buffer, as a large network read would deliver it.
 *
 * <p>Run: {@code java -jar gateway-benchmarks/target/benchmarks.jar StreamRelayBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class StreamRelayBenchmark {
    static final int OPENAI_EVENTS = 303;
    static final int ANTHROPIC_EVENTS = 118;
    static final int GEMINI_EVENTS = 23;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private Stream openai;
    private Stream anthropic;
    private Stream gemini;

    /** One fixture with its target and the request that asked for it. */
    final class Stream {
        final Target target;
        final ChatRequest request;
        final ByteBuf body;
        final Sink sink = new Sink();

        Stream(Target target, String requestJson, byte[] body) {
            this.target = target;
            this.request = RequestParser.parse(new ByteArrayInputStream(requestJson.getBytes(StandardCharsets.UTF_8)));
            this.body = alloc.directBuffer(body.length).writeBytes(body);
        }

        int run() {
            StreamDecoder d = target.adapter().newStreamDecoder(request, target);
            sink.chunks = 0;
            d.decode(body.duplicate(), sink);
            d.finish(sink);
            return sink.chunks;
        }
    }

    /** What ChatResponder does with each chunk, minus the socket write: frame it, then free it. */
    final class Sink implements StreamSink {
        int chunks;

        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson) {
            ByteBuf frame = rawJson != null ? SseEncoder.frame(alloc, rawJson) : SseEncoder.event(alloc, chunk);
            chunks++;
            frame.release();
        }

        /** A plain OpenAI chunk (see PassThroughChunk): framed from the upstream bytes, as ChatResponder does. */
        @Override
        public void onPassThrough(PassThroughChunk chunk) {
            ByteBuf frame = SseEncoder.frame(alloc, chunk.bytes(), chunk.length());
            chunks++;
            frame.release();
        }

        @Override
        public void onError(GatewayException error) {
            throw error;
        }

        @Override
        public void onDone() {}
    }

    @Setup
    public void setup() {
        ModelResolver resolver = BenchSupport.resolver();
        String stream = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        openai = new Stream(
                resolver.resolve("oai/gpt-4.1-nano").get(0),
                stream,
                BenchSupport.jsonlAsSse("openai/chat-completion.text.stream.jsonl", true));
        anthropic = new Stream(
                resolver.resolve("ant/claude-sonnet-4-5").get(0),
                stream,
                BenchSupport.fixture("anthropic/message.thinking.stream.sse"));
        gemini = new Stream(
                resolver.resolve("gem/gemini-2.5-pro").get(0),
                stream,
                BenchSupport.fixture("google/stream-generate-content.thinking.sse"));
        System.err.printf(
                "%nchunks out per run: openai %d, anthropic %d, gemini %d%n",
                openai.run(), anthropic.run(), gemini.run());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        openai.body.release();
        anthropic.body.release();
        gemini.body.release();
    }

    @Benchmark
    @OperationsPerInvocation(OPENAI_EVENTS)
    public int openAiPassThrough() {
        return openai.run();
    }

    @Benchmark
    @OperationsPerInvocation(ANTHROPIC_EVENTS)
    public int anthropic() {
        return anthropic.run();
    }

    @Benchmark
    @OperationsPerInvocation(GEMINI_EVENTS)
    public int gemini() {
        return gemini.run();
    }
}
