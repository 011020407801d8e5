package io.junction.provider.azure;

import static io.junction.provider.azure.AzureTestSupport.BASE;
import static io.junction.provider.azure.AzureTestSupport.recordedPayloads;
import static io.junction.provider.azure.AzureTestSupport.recordedSse;
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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The router over the azure adapter, fed the recorded Azure stream by a replaying transport: the
 * prompt-filter annotation that opens it must neither reach the client nor commit the stream, and the
 * usage chunk must stay last (dropped for clients that did not ask for it).
 */
class AzureRouterTest {
    private final ProviderRegistry registry = ProviderRegistry.load();

    private Target azure() {
        ProviderSpec spec = new ProviderSpec("azure", BASE, "azure-key", null, null, null, null, new LinkedHashMap<>());
        return new Target(new Provider("az", spec, registry.get("azure")), "gpt-5-nano");
    }

    private Target mock() {
        ProviderSpec spec = new ProviderSpec("mock", null, null, null, null, null, null, new LinkedHashMap<>());
        return new Target(new Provider("m", spec, registry.get("mock")), "echo");
    }

    private static ChatRequest ask(boolean includeUsage) {
        ChatRequest.Builder b = new ChatRequest.Builder()
                .model("alias").messages(List.of(ChatMessage.of("user", "hello"))).stream(Boolean.TRUE);
        if (includeUsage) {
            b.streamOptions(new StreamOptions(true, null));
        }
        return b.build();
    }

    /** Plays a body back in fixed-size pieces, one per request(), inline. */
    private static final class Replay implements UpstreamTransport {
        final byte[] body;
        final int pieceSize;
        final List<UpstreamRequest> requests = new ArrayList<>();

        Replay(byte[] body, int pieceSize) {
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
            executor.execute(() -> listener.onHeaders(200, name -> null));
            return ex;
        }
    }

    private static final class Listener implements CallListener {
        final List<String> events = new ArrayList<>();
        final List<String> raw = new ArrayList<>();
        GatewayException failure;

        @Override
        public void onResponse(ChatResponse response, CallInfo info) {
            events.add("response");
        }

        @Override
        public void onStreamStart(CallInfo info) {
            events.add("start");
        }

        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson, CallInfo info) {
            try {
                events.add("chunk");
                raw.add(rawJson == null ? null : rawJson.toString(StandardCharsets.UTF_8));
            } finally {
                if (rawJson != null) {
                    rawJson.release();
                }
            }
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

    private static RoutedCall run(ChatRequest r, UpstreamTransport network, Listener l, Target... plan) {
        RoutedCall call =
                new RoutedCall(r, Arrays.asList(plan), network, ImmediateEventExecutor.INSTANCE, l, System::nanoTime);
        call.start();
        return call;
    }

    @Test
    void theRecordedStreamReachesAClientWithoutTheAnnotationOrTheUnaskedUsage() {
        Replay upstream = new Replay(recordedSse(), 41);
        Listener l = new Listener();
        RoutedCall call = run(ask(false), upstream, l, azure());

        List<String> recorded = recordedPayloads();
        assertThat(call.isFinished()).isTrue();
        assertThat(l.events).containsExactly("start", "chunk", "chunk", "chunk", "chunk", "chunk", "chunk", "end");
        assertThat(l.raw).containsExactlyElementsOf(recorded.subList(1, 7));
        assertThat(call.info().usage().totalTokens()).as("still counted").isEqualTo(93);
        assertThat(call.info().finishReason()).isEqualTo("stop");
        assertThat(upstream.requests.get(0).uri().toString())
                .isEqualTo(BASE + "/openai/deployments/gpt-5-nano/chat/completions?api-version=2024-10-21");
    }

    @Test
    void aClientThatAskedForUsageGetsItLast() {
        Listener l = new Listener();
        run(ask(true), new Replay(recordedSse(), 512), l, azure());

        List<String> recorded = recordedPayloads();
        assertThat(l.raw).containsExactlyElementsOf(recorded.subList(1, recorded.size()));
        assertThat(l.events).last().isEqualTo("end");
    }

    @Test
    void aStreamThatBreaksRightAfterTheAnnotationStillFailsOver() {
        String annotationOnly = "data: " + recordedPayloads().get(0) + "\n\n";
        Replay upstream = new Replay(annotationOnly.getBytes(StandardCharsets.UTF_8), 64);
        Listener l = new Listener();
        RoutedCall call = run(ask(false), upstream, l, azure(), mock());

        assertThat(call.isFinished()).isTrue();
        assertThat(l.events).first().isEqualTo("start");
        assertThat(l.events).last().isEqualTo("end");
        assertThat(l.events).doesNotContain("failure");
        assertThat(call.info().attempts()).extracting(a -> a.status()).containsExactly(502, 200);
        assertThat(call.info().target().provider().name()).isEqualTo("m");
        assertThat(l.raw).noneMatch(r -> r != null && r.contains("prompt_filter_results"));
    }
}
