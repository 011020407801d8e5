package io.junction.provider;

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
import io.junction.core.schema.ForwardedAnswer;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The router over the real adapters, with no network: the mock provider (its in-process transport,
 * on an inline executor) and the OpenAI adapter fed a recorded stream by a replaying transport.
 */
class RoutedCallOverAdaptersTest {
    private final ProviderRegistry registry = ProviderRegistry.load();

    private Target target(String name, String type, Map<String, Object> options, String model) {
        ProviderSpec spec = new ProviderSpec(type, null, "sk-x", null, null, null, null, new LinkedHashMap<>(options));
        return new Target(new Provider(name, spec, registry.get(type)), model);
    }

    private static ChatRequest ask(String text, boolean stream, boolean includeUsage) {
        ChatRequest.Builder b = new ChatRequest.Builder()
                .model("alias").messages(List.of(ChatMessage.of("user", text))).stream(stream ? Boolean.TRUE : null);
        if (includeUsage) {
            b.streamOptions(new StreamOptions(true, null));
        }
        return b.build();
    }

    static final class Listener implements CallListener {
        final List<String> events = new ArrayList<>();
        final List<String> raw = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
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
            try {
                events.add("chunk");
                raw.add(rawJson == null ? null : rawJson.toString(StandardCharsets.UTF_8));
                for (ChatChunk.Choice c : chunk.choices()) {
                    if (c.delta().content() != null) {
                        text.append(c.delta().content());
                    }
                }
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

    private static RoutedCall run(ChatRequest r, UpstreamTransport network, CallListener l, Target... plan) {
        RoutedCall call =
                new RoutedCall(r, Arrays.asList(plan), network, ImmediateEventExecutor.INSTANCE, l, System::nanoTime);
        call.start();
        return call;
    }

    private static final UpstreamTransport NO_NETWORK = (r, e, l) -> {
        throw new AssertionError("no network in this test");
    };

    // ---------------------------------------------------------------- mock provider

    @Test
    void aNonStreamedCallToTheMockEchoes() {
        Listener l = new Listener();
        RoutedCall call = run(ask("ping pong", false, false), NO_NETWORK, l, target("m", "mock", Map.of(), "echo"));

        assertThat(call.isFinished()).isTrue();
        assertThat(l.events).containsExactly("response");
        assertThat(l.response.choices().get(0).message().text()).isEqualTo("ping pong");
        assertThat(l.response.model()).isEqualTo("echo");
        assertThat(call.info().usage().completionTokens()).isEqualTo(2);
    }

    @Test
    void aStreamedCallToTheMockRelaysEveryWordAndDropsTheUnaskedUsage() {
        Listener l = new Listener();
        RoutedCall call = run(ask("one two three", true, false), NO_NETWORK, l, target("m", "mock", Map.of(), "echo"));

        assertThat(call.isFinished()).isTrue();
        assertThat(l.text.toString()).isEqualTo("one two three");
        assertThat(l.events).containsExactly("start", "chunk", "chunk", "chunk", "chunk", "chunk", "end");
        assertThat(call.info().usage()).as("usage known to the gateway").isNotNull();
        assertThat(call.info().finishReason()).isEqualTo("stop");
    }

    @Test
    void aFailingMockFailsOverToAWorkingOne() {
        Listener l = new Listener();
        RoutedCall call = run(
                ask("hello", true, true),
                NO_NETWORK,
                l,
                target("down", "mock", Map.of("fail_status", 503), "echo"),
                target("up", "mock", Map.of(), "echo"));

        assertThat(l.events).startsWith("start").endsWith("chunk", "end");
        assertThat(l.text.toString()).isEqualTo("hello");
        assertThat(call.info().attempts()).extracting(a -> a.status()).containsExactly(503, 200);
        assertThat(call.info().target().provider().name()).isEqualTo("up");
    }

    @Test
    void aMock400IsReturnedWithoutFailover() {
        Listener l = new Listener();
        RoutedCall call = run(
                ask("hello", false, false),
                NO_NETWORK,
                l,
                target("bad", "mock", Map.of("fail_status", 400), "echo"),
                target("up", "mock", Map.of(), "echo"));

        assertThat(l.events).containsExactly("failure");
        assertThat(l.failure.status()).isEqualTo(400);
        assertThat(call.info().attempts()).hasSize(1);
    }

    // ---------------------------------------------------------------- OpenAI adapter, recorded stream

    /** Plays a recorded body back in fixed-size pieces, one per request(), inline. */
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

    private static List<String> recordedPayloads() {
        List<String> out = new ArrayList<>();
        for (String ev :
                Fixtures.string("openai/chat-completion.tool-calls.stream.sse").split("\n\n")) {
            if (ev.startsWith("data: ") && !ev.equals("data: [DONE]")) {
                out.add(ev.substring(6));
            }
        }
        return out;
    }

    @Test
    void aRecordedOpenAiStreamIsRelayedByteForByte() {
        Replay upstream = new Replay(200, Fixtures.bytes("openai/chat-completion.tool-calls.stream.sse"), 37);
        Listener l = new Listener();
        RoutedCall call =
                run(ask("capital?", true, true), upstream, l, target("oai", "openai", Map.of(), "gpt-4o-mini"));

        assertThat(call.isFinished()).isTrue();
        assertThat(l.events).first().isEqualTo("start");
        assertThat(l.events).last().isEqualTo("end");
        assertThat(l.raw).containsExactlyElementsOf(recordedPayloads());
        assertThat(call.info().usage().totalTokens()).isEqualTo(68);
        assertThat(call.info().finishReason()).isEqualTo("tool_calls");
        assertThat(upstream.requests.get(0).uri().toString()).isEqualTo("https://api.openai.com/v1/chat/completions");
    }

    @Test
    void theRecordedUsageChunkIsNotRelayedToAClientThatDidNotAskForIt() {
        Replay upstream = new Replay(200, Fixtures.bytes("openai/chat-completion.tool-calls.stream.sse"), 512);
        Listener l = new Listener();
        RoutedCall call =
                run(ask("capital?", true, false), upstream, l, target("oai", "openai", Map.of(), "gpt-4o-mini"));

        List<String> expected = recordedPayloads();
        assertThat(l.raw).containsExactlyElementsOf(expected.subList(0, expected.size() - 1));
        assertThat(call.info().usage().totalTokens()).as("still counted").isEqualTo(68);
    }

    @Test
    void aRecordedOpenAiErrorIsReturnedToTheClientAsSent() {
        Replay upstream = new Replay(400, Fixtures.bytes("openai/error-400.unsupported-parameter.json"), 64);
        Listener l = new Listener();
        run(
                ask("x", false, false),
                upstream,
                l,
                target("oai", "openai", Map.of(), "o3"),
                target("b", "mock", Map.of(), "e"));

        assertThat(l.events).containsExactly("failure");
        assertThat(l.failure.status()).isEqualTo(400);
        assertThat(l.failure.param()).isEqualTo("max_tokens");
        assertThat(l.failure.code()).isEqualTo("unsupported_parameter");
        assertThat(upstream.requests).hasSize(1);
    }

    @Test
    void aRecordedNonStreamedCompletionIsDelivered() {
        Replay upstream = new Replay(200, Fixtures.bytes("openai/chat-completion.text.json"), 100);
        Listener l = new Listener();
        run(ask("x", false, false), upstream, l, target("oai", "openai", Map.of(), "gpt-4.1-nano"));

        assertThat(l.events).containsExactly("response");
        assertThat(l.response.usage().totalTokens()).isEqualTo(379);
        assertThat(l.response.choices().get(0).message().text()).startsWith("**Holiday Name:** Galaxy Day");
    }

    /** A listener that only forwards answers (no cache, no payload log), as the server's usually is. */
    static final class Forwarder implements CallListener {
        final List<String> events = new ArrayList<>();
        ForwardedAnswer answer;
        ChatResponse response;
        String body;

        @Override
        public boolean readsWholeAnswer() {
            return false;
        }

        @Override
        public void onForwarded(ForwardedAnswer answer, ByteBuf rawJson, CallInfo info) {
            events.add("forwarded");
            this.answer = answer;
            body = rawJson.toString(StandardCharsets.UTF_8);
            rawJson.release();
        }

        @Override
        public void onResponse(ChatResponse response, ByteBuf rawJson, CallInfo info) {
            events.add("response+raw");
            this.response = response;
            body = rawJson.toString(StandardCharsets.UTF_8);
            rawJson.release();
        }

        @Override
        public void onResponse(ChatResponse response, CallInfo info) {
            events.add("response");
        }

        @Override
        public void onStreamStart(CallInfo info) {}

        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson, CallInfo info) {
            rawJson.release();
        }

        @Override
        public void onStreamEnd(CallInfo info) {}

        @Override
        public void onFailure(GatewayException error, CallInfo info) {
            events.add("failure");
        }

        @Override
        public boolean clientWritable() {
            return true;
        }
    }

    @Test
    void aListenerThatOnlyForwardsGetsTheRecordedBodyAndItsUsageWithoutAParse() {
        byte[] recorded = Fixtures.bytes("openai/chat-completion.text.json");
        Replay upstream = new Replay(200, recorded, 100);
        Forwarder l = new Forwarder();
        RoutedCall call = run(ask("x", false, false), upstream, l, target("oai", "openai", Map.of(), "gpt-4.1-nano"));

        assertThat(l.events).containsExactly("forwarded");
        assertThat(l.body).isEqualTo(new String(recorded, StandardCharsets.UTF_8));
        assertThat(l.answer.usage().totalTokens()).isEqualTo(379);
        assertThat(l.answer.model()).isEqualTo("gpt-4.1-nano-2025-04-14");
        assertThat(call.info().usage().totalTokens()).isEqualTo(379);
        assertThat(call.info().finishReason()).isEqualTo("stop");
    }

    @Test
    void anAnswerWithoutUsageIsStillParsedForTheEstimate() {
        String noUsage = "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"four words of text\"},\"finish_reason\":\"length\"}]}";
        Replay upstream = new Replay(200, noUsage.getBytes(StandardCharsets.UTF_8), 100);
        Forwarder l = new Forwarder();
        RoutedCall call = run(ask("x", false, false), upstream, l, target("oai", "openai", Map.of(), "gpt-4.1-nano"));

        assertThat(l.events).containsExactly("response+raw");
        assertThat(l.response.choices().get(0).message().text()).isEqualTo("four words of text");
        assertThat(l.body).isEqualTo(noUsage);
        assertThat(call.info().finishReason()).isEqualTo("length");
    }
}
