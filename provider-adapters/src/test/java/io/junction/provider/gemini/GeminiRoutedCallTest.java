package io.junction.provider.gemini;

import static io.junction.provider.gemini.GeminiTestSupport.fixture;
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
 * The router over the gemini adapter, with recorded Gemini bodies replayed by an in-process transport:
 * a Gemini stream has no end marker, so completeness rests on the finish reason; failures before the
 * first chunk fail over.
 */
class GeminiRoutedCallTest {
    private final ProviderRegistry registry = ProviderRegistry.load();

    private Target target(String name, String type, String model) {
        ProviderSpec spec = new ProviderSpec(type, null, "key-x", null, null, null, null, new LinkedHashMap<>());
        return new Target(new Provider(name, spec, registry.get(type)), model);
    }

    private static ChatRequest ask(boolean stream, boolean includeUsage) {
        ChatRequest.Builder b = new ChatRequest.Builder()
                .model("alias").messages(List.of(ChatMessage.of("user", "How do I cross the street?"))).stream(
                        stream ? Boolean.TRUE : null);
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
        final byte[] body;
        final int pieceSize;
        final List<UpstreamRequest> requests = new ArrayList<>();

        Replay(int status, byte[] body, int pieceSize) {
            this.status = status;
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
            executor.execute(() -> listener.onHeaders(status, name -> null));
            return ex;
        }
    }

    private static RoutedCall run(ChatRequest r, UpstreamTransport network, Listener l, Target... plan) {
        RoutedCall call =
                new RoutedCall(r, Arrays.asList(plan), network, ImmediateEventExecutor.INSTANCE, l, System::nanoTime);
        call.start();
        return call;
    }

    private static String text(Listener l) {
        StringBuilder sb = new StringBuilder();
        for (ChatChunk c : l.chunks) {
            for (ChatChunk.Choice ch : c.choices()) {
                if (ch.delta().content() != null) {
                    sb.append(ch.delta().content());
                }
            }
        }
        return sb.toString();
    }

    @Test
    void aRecordedStreamWithoutAnEndMarkerCompletesAndCarriesUsage() {
        Replay upstream = new Replay(200, fixture("stream-generate-content.thinking.sse"), 41);
        Listener l = new Listener();
        RoutedCall call = run(ask(true, true), upstream, l, target("g", "gemini", "gemini-2.5-pro"));

        assertThat(call.isFinished()).isTrue();
        assertThat(l.events).first().isEqualTo("start");
        assertThat(l.events).last().isEqualTo("end");
        assertThat(l.events).doesNotContain("failure");
        assertThat(l.chunks.get(l.chunks.size() - 1).isUsageOnly()).isTrue();
        assertThat(text(l)).startsWith("This is a great question!");
        assertThat(call.info().usage().totalTokens()).isEqualTo(1290);
        assertThat(call.info().finishReason()).isEqualTo("stop");
        UpstreamRequest sent = upstream.requests.get(0);
        assertThat(sent.uri())
                .hasToString(
                        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
        assertThat(sent.headers()).containsEntry("x-goog-api-key", "key-x");
        assertThat(new String(sent.body(), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"How do I cross the street?\"}]}]}");
    }

    @Test
    void theUsageChunkIsNotRelayedToAClientThatDidNotAskButIsCounted() {
        Replay upstream = new Replay(200, fixture("stream-generate-content.function-call.sse"), 512);
        Listener l = new Listener();
        RoutedCall call = run(ask(true, false), upstream, l, target("g", "gemini", "gemini-3-pro-preview"));

        assertThat(l.events).containsExactly("start", "chunk", "chunk", "end");
        assertThat(l.chunks).noneMatch(ChatChunk::isUsageOnly);
        assertThat(call.info().usage().totalTokens()).isEqualTo(241);
        assertThat(call.info().finishReason()).isEqualTo("tool_calls");
    }

    @Test
    void aStreamCutBeforeTheFinishReasonIsReportedNotEndedCleanly() {
        String body = new String(fixture("stream-generate-content.thinking.sse"), StandardCharsets.UTF_8);
        byte[] cut = body.substring(0, body.lastIndexOf("data: ")).getBytes(StandardCharsets.UTF_8);
        Listener l = new Listener();
        run(ask(true, true), new Replay(200, cut, 64), l, target("g", "gemini", "gemini-2.5-pro"));

        assertThat(l.events).first().isEqualTo("start");
        assertThat(l.events).last().isEqualTo("failure");
        assertThat(l.events).doesNotContain("end");
        assertThat(l.failure.status()).isEqualTo(502);
        assertThat(l.failure.getMessage()).contains("closed the stream before it was complete");
    }

    @Test
    void aMalformedFunctionCallBeforeAnyChunkFailsOverToTheNextTarget() {
        byte[] malformed = ("data: {\"candidates\":[{\"finishReason\":\"MALFORMED_FUNCTION_CALL\",\"index\":0}],"
                        + "\"responseId\":\"x\"}\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        Listener l = new Listener();
        RoutedCall call = run(
                ask(true, false),
                new Replay(200, malformed, 1000),
                l,
                target("g", "gemini", "gemini-2.5-flash"),
                target("backup", "mock", "echo"));

        assertThat(l.events).first().isEqualTo("start");
        assertThat(l.events).last().isEqualTo("end");
        assertThat(call.info().target().provider().name()).isEqualTo("backup");
        assertThat(call.info().attempts()).hasSize(2);
    }

    @Test
    void aRecorded429FailsOverAndA400DoesNot() {
        Listener l = new Listener();
        RoutedCall call = run(
                ask(false, false),
                new Replay(429, fixture("error-429.resource-exhausted.json"), 100),
                l,
                target("g", "gemini", "gemini-2.5-flash"),
                target("backup", "mock", "echo"));
        assertThat(l.events).containsExactly("response");
        assertThat(call.info().attempts()).extracting(a -> a.status()).containsExactly(429, 200);

        Listener bad = new Listener();
        Replay upstream = new Replay(400, fixture("error-400.invalid-argument.vertex.json"), 100);
        run(
                ask(false, false),
                upstream,
                bad,
                target("g", "gemini", "gemini-2.5-flash"),
                target("backup", "mock", "echo"));
        assertThat(bad.events).containsExactly("failure");
        assertThat(bad.failure.status()).isEqualTo(400);
        assertThat(bad.failure.code()).isEqualTo("invalid_argument");
        assertThat(upstream.requests).hasSize(1);
    }

    @Test
    void aRecordedNonStreamedAnswerIsDelivered() {
        Replay upstream = new Replay(200, fixture("generate-content.implicit-cache.json"), 100);
        Listener l = new Listener();
        RoutedCall call = run(ask(false, false), upstream, l, target("g", "gemini", "gemini-2.5-flash"));

        assertThat(l.events).containsExactly("response");
        assertThat(l.response.usage().promptTokensDetails().cachedTokens()).isEqualTo(204);
        assertThat(call.info().usage().totalTokens()).isEqualTo(629);
        assertThat(upstream.requests.get(0).uri())
                .hasToString(
                        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(upstream.requests.get(0).stream()).isFalse();
        assertThat(l.response.choices().get(0).finishReason()).isEqualTo("stop");
    }
}
