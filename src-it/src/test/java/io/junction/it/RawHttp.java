package io.junction.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what JDK and SDK clients will not do: pipelining, lying about
 * Content-Length, leaving mid-response. Reads responses framed by Content-Length or chunked encoding.
 */
final class RawHttp implements AutoCloseable {
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();

    RawHttp(int port) throws IOException {
        this(port, 0);
    }

    /** {@code receiveBuffer} > 0 sets SO_RCVBUF before connecting (a small TCP window: a slow reader). */
    RawHttp(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    void write(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    static String post(int port, String path, String apiKey, String json, String requestId) {
        int length = json.getBytes(StandardCharsets.UTF_8).length;
        return "POST " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + (apiKey == null ? "" : "Authorization: Bearer " + apiKey + "\r\n")
                + (requestId == null ? "" : "x-request-id: " + requestId + "\r\n")
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + length + "\r\n"
                + "\r\n"
                + json;
    }

    static String get(int port, String path, String requestId) {
        return "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + (requestId == null ? "" : "x-request-id: " + requestId + "\r\n")
                + "\r\n";
    }

    /** Reads one whole response. */
    Response read() throws IOException {
        String status = line();
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            headers.put(
                    l.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    l.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                String size = line();
                if (size == null) {
                    throw new IOException("connection closed inside a chunked body");
                }
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while ((l = line()) != null && !l.isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(n));
                line();
            }
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        }
        return new Response(code, headers, body.toString(StandardCharsets.UTF_8));
    }

    /** Reads raw bytes (framing included) until they contain {@code marker}; returns everything read so far. */
    String readUntil(String marker) throws IOException {
        while (!raw.toString(StandardCharsets.UTF_8).contains(marker)) {
            int c = in.read();
            if (c < 0) {
                throw new IOException(
                        "connection closed before '" + marker + "'; got:\n" + raw.toString(StandardCharsets.UTF_8));
            }
            raw.write(c);
        }
        return raw.toString(StandardCharsets.UTF_8);
    }

    /** Reads raw bytes (framing included) until the server closes the connection; returns everything read. */
    String readToClose() throws IOException {
        in.transferTo(raw);
        return raw.toString(StandardCharsets.UTF_8);
    }

    /** True when the server closed the connection (EOF) within the socket timeout. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true; // reset also counts as closed
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
