package io.junction.server.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code HTTPS_PROXY} / {@code HTTP_PROXY} / {@code NO_PROXY} (either case), read once at start.
 * Loopback hosts never go through a proxy.
 */
public final class ProxySettings {
    private final Proxy https;
    private final Proxy http;
    private final List<String> noProxy;

    /** A proxy address with optional basic-auth credentials from the proxy URL. */
    public record Proxy(InetSocketAddress address, String username, String password) {
        @Override
        public String toString() {
            return "Proxy[" + address + (username == null ? "" : ", user=" + username) + "]";
        }
    }

    public ProxySettings(Function<String, String> env) {
        this.https = parse(first(env, "HTTPS_PROXY", "https_proxy"));
        this.http = parse(first(env, "HTTP_PROXY", "http_proxy"));
        List<String> entries = new ArrayList<>();
        String no = first(env, "NO_PROXY", "no_proxy");
        if (no != null) {
            for (String s : no.split(",")) {
                String t = s.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    entries.add(t);
                }
            }
        }
        this.noProxy = List.copyOf(entries);
    }

    public static ProxySettings fromEnvironment() {
        return new ProxySettings(System::getenv);
    }

    /** The proxy to use for this origin, or null to connect directly. */
    public Proxy proxyFor(String scheme, String host) {
        Proxy p = "https".equals(scheme) ? https : http;
        if (p == null || bypass(host)) {
            return null;
        }
        return p;
    }

    private boolean bypass(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]")) {
            return true;
        }
        for (String e : noProxy) {
            if (e.equals("*") || h.equals(e)) {
                return true;
            }
            String suffix = e.startsWith(".") ? e : "." + e;
            if (h.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    private static String first(Function<String, String> env, String a, String b) {
        String v = env.apply(a);
        if (v == null || v.isBlank()) {
            v = env.apply(b);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static Proxy parse(String value) {
        if (value == null) {
            return null;
        }
        URI uri = URI.create(value.contains("://") ? value : "http://" + value);
        int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
        String user = null;
        String pass = null;
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = parts[0];
            pass = parts.length > 1 ? parts[1] : "";
        }
        InetSocketAddress address;
        try {
            // Resolved once, at start-up, off the event loops.
            address = new InetSocketAddress(InetAddress.getByName(uri.getHost()), port);
        } catch (java.net.UnknownHostException e) {
            address = InetSocketAddress.createUnresolved(uri.getHost(), port);
        }
        return new Proxy(address, user, pass);
    }
}
