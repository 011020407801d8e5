package io.junction.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on a plain {@link ServerSocket} (127.0.0.1), for wire-level misbehaviour WireMock cannot
 * script: it reads one HTTP/1.1 request per connection, then runs {@link Script} on the raw output
 * and closes the socket, wherever the script stopped (e.g. in the middle of a chunked body).
 */
final class RawSocketUpstream implements AutoCloseable {
    /** Writes (part of) a response; the connection is closed when it returns. */
    interface Script {
        void respond(OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> requestHeads = new CopyOnWriteArrayList<>();
    private volatile Script script;

    RawSocketUpstream(Script script) {
        this.script = script;
        try {
            server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(this::acceptLoop, "raw-socket-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int requests() {
        return requests.get();
    }

    List<String> requestHeads() {
        return requestHeads;
    }

    void script(Script s) {
        this.script = s;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                readRequest(s.getInputStream());
                requests.incrementAndGet();
                OutputStream out = s.getOutputStream();
                script.respond(out);
                out.flush();
            } catch (IOException e) {
                // closed, or the peer went away: next connection
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("request ended early");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        requestHeads.add(text);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
    }

    /** Writes one chunk of a chunked body. */
    static void chunk(OutputStream out, String data) throws IOException {
        chunk(out, data.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one chunk of a chunked body. */
    static void chunk(OutputStream out, byte[] bytes) throws IOException {
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static void sseHeaders(OutputStream out) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\n"
                        + "Content-Type: text/event-stream; charset=utf-8\r\n"
                        + "Transfer-Encoding: chunked\r\n"
                        + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
