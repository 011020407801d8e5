package io.junction.server.lifecycle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 on a plain socket: keeps a connection open across requests, reads streams as they come. */
final class RawClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

    RawClient(int port) throws IOException {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    static String post(String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n" + json;
    }

    void send(String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** Reads until everything received so far contains {@code marker}; returns all of it. */
    String readUntil(String marker) throws IOException {
        byte[] buf = new byte[8192];
        while (!text().contains(marker)) {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("connection closed before '" + marker + "'; got:\n" + text());
            }
            seen.write(buf, 0, n);
        }
        return text();
    }

    /** Reads until the server closes the connection (or the read timeout); returns all received. */
    String readToEnd() throws IOException {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                seen.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("the server did not close the connection; got:\n" + text(), e);
        }
        return text();
    }

    /** Reads one response framed by Content-Length (and forgets it afterwards); returns head and body. */
    String readResponse() throws IOException {
        String head = readUntil("\r\n\r\n");
        int end = head.indexOf("\r\n\r\n") + 4;
        int length = 0;
        for (String line : head.substring(0, end).split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] buf = new byte[8192];
        while (seen.size() < end + length) {
            int n = in.read(buf, 0, Math.min(buf.length, end + length - seen.size()));
            if (n < 0) {
                throw new IOException("connection closed inside a response; got:\n" + text());
            }
            seen.write(buf, 0, n);
        }
        String all = text();
        seen.reset();
        return all;
    }

    /** Forgets what was read so far (the next response starts clean). */
    void reset() {
        seen.reset();
    }

    String text() {
        return seen.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
