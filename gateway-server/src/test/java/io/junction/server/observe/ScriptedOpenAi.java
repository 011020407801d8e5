package io.junction.server.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A fake OpenAI upstream on 127.0.0.1 for usage tests. Answers {@code /v1/chat/completions} with a
 * fixed two-word answer; usage is reported (prompt 1000 with 200 cached, completion 100 with 40
 * reasoning) unless the request's text contains {@value #NO_USAGE}. Streams send the usage chunk
 * only when the request asked for it, as OpenAI does. Request bodies are kept for assertions.
 */
final class ScriptedOpenAi implements AutoCloseable {
    static final String NO_USAGE = "NOUSAGE";
    static final String USAGE = "{\"prompt_tokens\":1000,\"completion_tokens\":100,\"total_tokens\":1100,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":200},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":40}}";

    final CopyOnWriteArrayList<String> bodies = new CopyOnWriteArrayList<>();
    /** Each request's {@code traceparent} header ("" when absent), in arrival order. */
    final CopyOnWriteArrayList<String> traceparents = new CopyOnWriteArrayList<>();

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-openai");
        t.setDaemon(true);
        return t;
    });

    ScriptedOpenAi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(pool);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        bodies.add(body);
        String tp = ex.getRequestHeaders().getFirst("traceparent");
        traceparents.add(tp == null ? "" : tp);
        boolean usage = !body.contains(NO_USAGE);
        boolean stream = body.contains("\"stream\":true");
        String model = body.replaceAll("(?s).*\"model\":\"([^\"]*)\".*", "$1");
        try (ex) {
            if (!stream) {
                byte[] out = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model
                                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                                + "\"hello world\"},\"finish_reason\":\"stop\"}]"
                                + (usage ? ",\"usage\":" + USAGE : "") + "}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("content-type", "application/json");
                ex.sendResponseHeaders(200, out.length);
                ex.getResponseBody().write(out);
                return;
            }
            ex.getResponseHeaders().set("content-type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream o = ex.getResponseBody();
            String head = "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\""
                    + model + "\",";
            event(
                    o,
                    head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                            + "\"finish_reason\":null}]}");
            event(o, head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hello\"},\"finish_reason\":null}]}");
            event(o, head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"},\"finish_reason\":null}]}");
            event(o, head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
            if (usage && body.contains("\"include_usage\":true")) {
                event(o, head + "\"choices\":[],\"usage\":" + USAGE + "}");
            }
            o.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
        }
    }

    private static void event(OutputStream o, String json) throws IOException {
        o.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
