package io.junction.provider.mock;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.MessageContent;
import io.junction.core.schema.ToolCall;
import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamExchange;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process "upstream" that speaks the OpenAI wire format. It honours demand exactly like the
 * network transport: each {@code request()} releases one more piece of the body, after the configured
 * delay, on the caller's event loop.
 */
final class MockTransport implements UpstreamTransport {
    private final AtomicLong ids = new AtomicLong();

    @Override
    public UpstreamExchange open(UpstreamRequest request, EventExecutor executor, ExchangeListener listener) {
        Exchange exchange = new Exchange(request, executor, listener);
        executor.execute(exchange::start);
        return exchange;
    }

    private final class Exchange implements UpstreamExchange {
        private final UpstreamRequest request;
        private final EventExecutor executor;
        private final ExchangeListener listener;
        private final ArrayDeque<byte[]> pieces = new ArrayDeque<>();
        private final long firstDelayMs;
        private final long chunkDelayMs;
        private int status = 200;
        private String contentType = "application/json";
        private boolean started;
        private boolean firstSent;
        private boolean demand;
        private boolean scheduled;
        private boolean over;

        Exchange(UpstreamRequest request, EventExecutor executor, ExchangeListener listener) {
            this.request = request;
            this.executor = executor;
            this.listener = listener;
            this.firstDelayMs = Long.parseLong(request.headers().getOrDefault(MockAdapter.FIRST_TOKEN_DELAY, "0"));
            this.chunkDelayMs = Long.parseLong(request.headers().getOrDefault(MockAdapter.CHUNK_DELAY, "0"));
        }

        void start() {
            if (over) {
                return;
            }
            started = true;
            int failStatus = Integer.parseInt(request.headers().getOrDefault(MockAdapter.FAIL_STATUS, "0"));
            if (failStatus != 0) {
                status = failStatus;
                GatewayException e = new GatewayException(
                        failStatus,
                        "api_error",
                        "mock_failure",
                        null,
                        "mock provider configured to fail with " + failStatus,
                        false);
                pieces.add(Json.bytes(e.toBody()));
            } else {
                ChatRequest chat;
                try {
                    chat = Json.MAPPER.readValue(request.body(), ChatRequest.class);
                } catch (IOException e) {
                    throw new IllegalStateException("mock could not read its own request", e);
                }
                MockModel.Answer answer = MockModel.answer(chat);
                String id = "chatcmpl-mock-" + ids.incrementAndGet();
                long created = System.currentTimeMillis() / 1000;
                if (request.stream()) {
                    contentType = "text/event-stream";
                    streamPieces(chat, answer, id, created);
                } else {
                    pieces.add(Json.bytes(response(chat, answer, id, created)));
                }
            }
            String ct = contentType;
            listener.onHeaders(status, name -> "content-type".equalsIgnoreCase(name) ? ct : null);
        }

        @Override
        public void request() {
            if (over || !started) {
                if (!started && !over) {
                    demand = true;
                }
                return;
            }
            demand = true;
            if (!scheduled) {
                scheduled = true;
                long delay = firstSent ? (request.stream() ? chunkDelayMs : 0) : firstDelayMs;
                if (delay == 0) {
                    executor.execute(this::emit);
                } else {
                    executor.schedule(this::emit, delay, TimeUnit.MILLISECONDS);
                }
            }
        }

        private void emit() {
            scheduled = false;
            if (over || !demand) {
                return;
            }
            demand = false;
            byte[] piece = pieces.poll();
            if (piece == null) {
                over = true;
                listener.onEnd();
                return;
            }
            firstSent = true;
            ByteBuf buf = Unpooled.wrappedBuffer(piece);
            try {
                listener.onBody(buf);
            } finally {
                buf.release();
            }
        }

        @Override
        public void cancel() {
            over = true;
        }

        private ChatResponse response(ChatRequest chat, MockModel.Answer a, String id, long created) {
            int n = chat.n() == null ? 1 : chat.n();
            List<ChatResponse.Choice> choices = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ChatMessage message = new ChatMessage(
                        "assistant",
                        a.content() == null ? null : new MessageContent.Text(a.content()),
                        null,
                        a.toolCalls(),
                        null,
                        null,
                        null,
                        null);
                choices.add(new ChatResponse.Choice(i, message, null, a.finishReason(), null));
            }
            return new ChatResponse(
                    id, "chat.completion", created, chat.model(), choices, a.usage(), "fp_mock", null, null, null);
        }

        private void streamPieces(ChatRequest chat, MockModel.Answer a, String id, long created) {
            int n = chat.n() == null ? 1 : chat.n();
            for (int i = 0; i < n; i++) {
                add(chunk(
                        chat,
                        id,
                        created,
                        i,
                        new ChatChunk.Delta("assistant", a.content() == null ? null : "", null, null, null, null),
                        null));
            }
            if (a.toolCalls() != null) {
                for (int i = 0; i < n; i++) {
                    int index = 0;
                    for (ToolCall call : a.toolCalls()) {
                        ToolCall head = new ToolCall(
                                index,
                                call.id(),
                                "function",
                                new ToolCall.FunctionCall(call.function().name(), ""));
                        add(chunk(
                                chat,
                                id,
                                created,
                                i,
                                new ChatChunk.Delta(null, null, null, List.of(head), null, null),
                                null));
                        ToolCall args = new ToolCall(
                                index,
                                null,
                                null,
                                new ToolCall.FunctionCall(null, call.function().arguments()));
                        add(chunk(
                                chat,
                                id,
                                created,
                                i,
                                new ChatChunk.Delta(null, null, null, List.of(args), null, null),
                                null));
                        index++;
                    }
                }
            } else {
                for (String word : MockModel.splitWords(a.content())) {
                    for (int i = 0; i < n; i++) {
                        add(chunk(chat, id, created, i, ChatChunk.Delta.content(word), null));
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                add(chunk(chat, id, created, i, ChatChunk.Delta.EMPTY, a.finishReason()));
            }
            if (chat.includeUsage()) {
                add(new ChatChunk(
                        id,
                        ChatChunk.OBJECT,
                        created,
                        chat.model(),
                        "fp_mock",
                        null,
                        List.of(),
                        a.usage(),
                        null,
                        null));
            }
            pieces.add("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        }

        private ChatChunk chunk(
                ChatRequest chat, String id, long created, int index, ChatChunk.Delta delta, String finish) {
            return new ChatChunk(
                    id,
                    ChatChunk.OBJECT,
                    created,
                    chat.model(),
                    "fp_mock",
                    null,
                    List.of(new ChatChunk.Choice(index, delta, finish)),
                    null,
                    null,
                    null);
        }

        private void add(ChatChunk chunk) {
            byte[] json = Json.bytes(chunk);
            byte[] frame = new byte[json.length + 8];
            System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, frame, 0, 6);
            System.arraycopy(json, 0, frame, 6, json.length);
            frame[frame.length - 2] = '\n';
            frame[frame.length - 1] = '\n';
            pieces.add(frame);
        }
    }
}
