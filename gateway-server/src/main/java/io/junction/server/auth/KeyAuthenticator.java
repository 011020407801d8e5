package io.junction.server.auth;

import io.junction.core.config.KeySpec;
import io.junction.core.error.GatewayException;
import io.junction.core.util.Glob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Client keys ({@code Authorization: Bearer <key>}). Keys are held only as SHA-256 digests; a lookup
 * hashes the presented key and compares digests with {@link MessageDigest#isEqual}, so timing does
 * not reveal how much of a key matched. With no keys configured, auth is off.
 */
public final class KeyAuthenticator {
    /** The caller: a key's name and what it may call. */
    public record Principal(String name, List<Glob> models) {
        public static final Principal ANONYMOUS = new Principal("anonymous", List.of(Glob.of("*")));

        public boolean mayCall(String model) {
            for (Glob g : models) {
                if (g.matches(model)) {
                    return true;
                }
            }
            return false;
        }
    }

    private record Entry(byte[] digest, Principal principal) {}

    private final Map<String, Entry> byDigest = new HashMap<>();

    public KeyAuthenticator(List<KeySpec> keys) {
        for (int i = 0; i < keys.size(); i++) {
            KeySpec k = keys.get(i);
            byte[] d = sha256(k.key());
            String name = k.name() == null || k.name().isBlank() ? "key-" + i : k.name();
            byDigest.put(
                    hex(d),
                    new Entry(
                            d,
                            new Principal(
                                    name, k.models().stream().map(Glob::of).toList())));
        }
    }

    public boolean enabled() {
        return !byDigest.isEmpty();
    }

    /** The principal for an {@code Authorization} header value, or a 401. */
    public Principal authenticate(String authorization) {
        if (!enabled()) {
            return Principal.ANONYMOUS;
        }
        if (authorization == null || authorization.isBlank()) {
            throw GatewayException.unauthorized(
                    "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
        }
        String token = authorization.strip();
        if (token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).strip();
        } else {
            throw GatewayException.unauthorized("The Authorization header must use the Bearer scheme.");
        }
        byte[] d = sha256(token);
        Entry e = byDigest.get(hex(d));
        if (e == null || !MessageDigest.isEqual(e.digest(), d)) {
            throw GatewayException.unauthorized("Incorrect API key provided.");
        }
        return e.principal();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
