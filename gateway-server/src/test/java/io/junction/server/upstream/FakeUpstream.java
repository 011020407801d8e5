package io.junction.server.upstream;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 server on 127.0.0.1 for transport tests: it counts connections and lets a
 * test script exactly what happens on the wire (keep-alive, close, silence, slow chunks).
 */
final class FakeUpstream implements AutoCloseable {

    /** What to do with one parsed request on a connection; return false to close the connection. */
    @FunctionalInterface
    interface Behaviour {
        boolean respond(String requestHead, byte[] body, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    final CopyOnWriteArrayList<String> heads = new CopyOnWriteArrayList<>();
    final CountDownLatch clientClosed = new CountDownLatch(1);
    private final Thread acceptor;

    FakeUpstream(Behaviour behaviour) throws IOException {
        this(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), behaviour);
    }

    /** Over a given server socket, e.g. an {@code SSLServerSocket}. */
    FakeUpstream(ServerSocket server, Behaviour behaviour) {
        this.server = server;
        this.behaviour = behaviour;
        this.acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return accepted.get();
    }

    int requests() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    clientClosed.countDown();
                    return;
                }
                heads.add(head);
                requests.incrementAndGet();
                int length = contentLength(head);
                byte[] body = in.readNBytes(length);
                if (!behaviour.respond(head, body, out)) {
                    return;
                }
            }
        } catch (IOException e) {
            clientClosed.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads up to and including the blank line; null when the peer closed before a full head. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int last4 = 0;
        int b;
        while ((b = in.read()) >= 0) {
            buf.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0d0a0d0a) {
                return buf.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    static void writeJson(OutputStream out, int status, String json, boolean close) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " X\r\ncontent-type: application/json\r\ncontent-length: " + body.length
                + "\r\n" + (close ? "connection: close\r\n" : "") + "\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
