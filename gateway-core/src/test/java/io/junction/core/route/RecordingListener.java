package io.junction.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatResponse;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Records every {@link CallListener} callback as a short string, keeps the raw chunk bytes (releasing
 * the buffers it is given, as the server does) and flags protocol violations: any callback after a
 * terminal one, or a chunk before onStreamStart.
 */
final class RecordingListener implements CallListener {
    final List<String> events = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    final List<ChatChunk> chunks = new ArrayList<>();
    final List<String> rawChunks = new ArrayList<>();
    ChatResponse response;
    GatewayException failure;
    CallInfo failureInfo;
    boolean writable = true;
    boolean started;
    boolean terminal;
    /** Hooks a test can use to act from inside a callback (cancel, flip writability). */
    Consumer<ChatChunk> onChunkHook;

    Runnable onStartHook;

    private void event(String e, boolean isTerminal) {
        if (terminal) {
            violations.add("callback after terminal: " + e);
        }
        events.add(e);
        if (isTerminal) {
            terminal = true;
        }
    }

    @Override
    public void onResponse(ChatResponse response, CallInfo info) {
        event("response", true);
        this.response = response;
    }

    @Override
    public void onStreamStart(CallInfo info) {
        if (started) {
            violations.add("onStreamStart twice");
        }
        started = true;
        event("start", false);
        if (onStartHook != null) {
            onStartHook.run();
        }
    }

    @Override
    public void onChunk(ChatChunk chunk, ByteBuf rawJson, CallInfo info) {
        try {
            if (!started) {
                violations.add("chunk before onStreamStart");
            }
            if (!info.committed()) {
                violations.add("chunk delivered while info.committed() is false");
            }
            event("chunk", false);
            chunks.add(chunk);
            rawChunks.add(rawJson == null ? null : rawJson.toString(StandardCharsets.UTF_8));
        } finally {
            if (rawJson != null) {
                rawJson.release();
            }
        }
        if (onChunkHook != null) {
            onChunkHook.accept(chunk);
        }
    }

    @Override
    public void onStreamEnd(CallInfo info) {
        if (!started) {
            violations.add("onStreamEnd without onStreamStart");
        }
        event("end", true);
    }

    @Override
    public void onFailure(GatewayException error, CallInfo info) {
        event("failure", true);
        this.failure = error;
        this.failureInfo = info;
    }

    int keepalives;

    @Override
    public void onKeepAlive(CallInfo info) {
        if (terminal) {
            violations.add("keep-alive after terminal");
        }
        if (info.committed()) {
            violations.add("keep-alive after the commit point");
        }
        keepalives++;
    }

    @Override
    public boolean clientWritable() {
        return writable;
    }

    /** The text of every content delta, in order. */
    String content() {
        StringBuilder sb = new StringBuilder();
        for (ChatChunk c : chunks) {
            for (ChatChunk.Choice ch : c.choices()) {
                if (ch.delta().content() != null) {
                    sb.append(ch.delta().content());
                }
            }
        }
        return sb.toString();
    }

    void assertNoViolations() {
        assertThat(violations).as("listener protocol violations").isEmpty();
    }
}
