package io.junction.provider.bedrock;

import static io.junction.provider.bedrock.BedrockTestSupport.NOVA;
import static io.junction.provider.bedrock.BedrockTestSupport.fixture;
import static io.junction.provider.bedrock.BedrockTestSupport.signed;
import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.route.CallInfo;
import io.junction.core.route.CallListener;
import io.junction.core.route.RoutedCall;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.StreamOptions;
import io.junction.core.spi.Provider;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.spi.Target;
import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamExchange;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import io.junction.provider.bedrock.eventstream.EventStreamFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The router over the Bedrock adapter (found through ServiceLoader), fed recorded bodies by a replaying transport. */
class BedrockRoutedCallTest {
    private final ProviderRegistry registry = ProviderRegistry.load();

    private Target bedrock() {
        ProviderSpec spec =
                new ProviderSpec("bedrock", null, null, null, null, null, null, new LinkedHashMap<>(signed(Map.of())));
        return new Target(new Provider("aws", spec, registry.get("bedrock")), NOVA);
    }

    private Target mock() {
        ProviderSpec spec = new ProviderSpec("mock", null, "k", null, null, null, null, new LinkedHashMap<>());
        return new Target(new Provider("backup", spec, registry.get("mock")), "echo");
    }

    private static ChatRequest ask(boolean stream, boolean includeUsage) {
        ChatRequest.Builder b = new ChatRequest.Builder()
                .model("alias").messages(List.of(ChatMessage.of("user", "hello"))).stream(stream ? Boolean.TRUE : null);
        if (includeUsage) {
            b.streamOptions(new StreamOptions(true, null));
        }
        return b.build();
    }

    static final class Listener implements CallListener {
        final List<String> events = new ArrayList<>();
        final List<ChatChunk> chunks = new ArrayList<>();
        ChatResponse response;
        GatewayException failure;

        @Override
        public void onResponse(ChatResponse response, CallInfo info) {
            events.add("response");
            this.response = response;
        }

        @Override
        public void onStreamStart(CallInfo info) {
            events.add("start");
        }

        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson, CallInfo info) {
            if (rawJson != null) {
                rawJson.release();
            }
            events.add("chunk");
            chunks.add(chunk);
        }

        @Override
        public void onStreamEnd(CallInfo info) {
            events.add("end");
        }

        @Override
        public void onFailure(GatewayException error, CallInfo info) {
            events.add("failure");
            failure = error;
        }

        @Override
        public boolean clientWritable() {
            return true;
        }
    }

    /** Plays a recorded body back in fixed-size pooled pieces, one per request(), inline. */
    static final class Replay implements UpstreamTransport {
        final int status;
        final Map<String, String> headers;
        final byte[] body;
        final int pieceSize;
        final List<UpstreamRequest> requests = new ArrayList<>();

        Replay(int status, Map<String, String> headers, byte[] body, int pieceSize) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.pieceSize = pieceSize;
        }

        @Override
        public UpstreamExchange open(UpstreamRequest request, EventExecutor executor, ExchangeListener listener) {
            requests.add(request);
            UpstreamExchange ex = new UpstreamExchange() {
                int at;
                boolean over;

                @Override
                public void request() {
                    executor.execute(() -> {
                        if (over) {
                            return;
                        }
                        if (at >= body.length) {
                            over = true;
                            listener.onEnd();
                            return;
                        }
                        int n = Math.min(pieceSize, body.length - at);
                        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(n).writeBytes(body, at, n);
                        at += n;
                        try {
                            listener.onBody(b);
                        } finally {
                            b.release();
                        }
                    });
                }

                @Override
                public void cancel() {
                    over = true;
                }
            };
            executor.execute(() -> listener.onHeaders(status, name -> headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(null)));
            return ex;
        }
    }

    private static RoutedCall run(ChatRequest r, UpstreamTransport network, Listener l, Target... plan) {
        RoutedCall call =
                new RoutedCall(r, Arrays.asList(plan), network, ImmediateEventExecutor.INSTANCE, l, System::nanoTime);
        call.start();
        return call;
    }

    @Test
    void recordedStreamReachesTheClientWithoutTheUnaskedUsageChunk() {
        Replay upstream = new Replay(200, Map.of(), fixture("converse-stream.tool-use.eventstream.bin"), 97);
        Listener l = new Listener();
        RoutedCall call = run(ask(true, false), upstream, l, bedrock());

        assertThat(call.isFinished()).isTrue();
        assertThat(l.events).first().isEqualTo("start");
        assertThat(l.events).last().isEqualTo("end");
        assertThat(l.chunks).hasSize(19 + 3); // text, tool start, tool arguments, finish; no usage chunk
        assertThat(l.chunks).noneMatch(ChatChunk::isUsageOnly);
        assertThat(call.info().usage().totalTokens()).as("still counted").isEqualTo(562);
        assertThat(call.info().finishReason()).isEqualTo("tool_calls");
        UpstreamRequest sent = upstream.requests.get(0);
        assertThat(sent.uri().getRawPath()).isEqualTo("/model/us.amazon.nova-micro-v1%3A0/converse-stream");
        assertThat(sent.headers()).containsKeys("authorization", "x-amz-date", "x-amz-content-sha256");
    }

    @Test
    void recordedStreamWithIncludeUsageEndsWithTheUsageChunk() {
        Replay upstream = new Replay(200, Map.of(), fixture("converse-stream.reasoning.eventstream.bin"), 512);
        Listener l = new Listener();
        run(ask(true, true), upstream, l, bedrock());
        assertThat(l.chunks.get(l.chunks.size() - 1).isUsageOnly()).isTrue();
        assertThat(l.chunks.get(l.chunks.size() - 2).choices().get(0).finishReason())
                .isEqualTo("stop");
        assertThat(l.events).last().isEqualTo("end");
    }

    @Test
    void throttlingBeforeAnyContentFailsOverToTheNextTarget() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(EventStreamFrames.event("messageStart", "{\"role\":\"assistant\"}"));
        body.writeBytes(EventStreamFrames.exception(
                "throttlingException", "{\"message\":\"Too many tokens, please wait before trying again.\"}"));
        Replay upstream = new Replay(200, Map.of(), body.toByteArray(), 64);
        Listener l = new Listener();
        RoutedCall call = run(ask(true, false), upstream, l, bedrock(), mock());

        assertThat(l.events).first().isEqualTo("start");
        assertThat(l.events).last().isEqualTo("end");
        assertThat(call.info().attempts()).extracting(a -> a.status()).containsExactly(429, 200);
        assertThat(call.info().target().provider().name()).isEqualTo("backup");
    }

    @Test
    void recordedValidationErrorIsReturnedWithoutFailover() {
        Replay upstream = new Replay(
                400,
                Map.of("x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
                fixture("error-400.validation.json"),
                16);
        Listener l = new Listener();
        run(ask(false, false), upstream, l, bedrock(), mock());

        assertThat(l.events).containsExactly("failure");
        assertThat(l.failure.status()).isEqualTo(400);
        assertThat(l.failure.code()).isEqualTo("model_not_found");
        assertThat(upstream.requests).hasSize(1);
    }

    @Test
    void recordedNonStreamedResponseIsDelivered() {
        Replay upstream = new Replay(200, Map.of(), fixture("converse.cache-read.json"), 100);
        Listener l = new Listener();
        run(ask(false, false), upstream, l, bedrock());

        assertThat(l.events).containsExactly("response");
        assertThat(l.response.choices().get(0).message().text()).isEqualTo("21");
        assertThat(l.response.usage().promptTokens()).isEqualTo(1324);
        assertThat(l.response.usage().totalTokens()).isEqualTo(1329);
        assertThat(upstream.requests.get(0).uri().getRawPath()).endsWith("/converse");
    }
}
