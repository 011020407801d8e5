package io.junction.server.auth;

import io.junction.core.config.KeySpec;
import io.junction.core.error.GatewayException;
import io.junction.core.govern.Policy;
import io.junction.core.util.Glob;
import io.junction.server.keys.RuntimeKeys;
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
    /**
     * The caller: a key's name, what it may call and route to, its team, and its own caps (the
     * team's are looked up by the governor).
     */
    public record Principal(String name, List<Glob> models, String team, List<Glob> providers, Policy policy) {
        public static final Principal ANONYMOUS =
                new Principal("anonymous", List.of(Glob.of("*")), null, List.of(Glob.of("*")), null);

        public Principal(String name, List<Glob> models) {
            this(name, models, null, List.of(Glob.of("*")), null);
        }

        public boolean mayCall(String model) {
            return any(models, model);
        }

        /** True when the key's provider allow-list is {@code *}. */
        public boolean mayUseAll() {
            for (Glob g : providers) {
                if (g.toString().equals("*")) {
                    return true;
                }
            }
            return false;
        }

        /** True when calls of this key may be routed to provider {@code provider}. */
        public boolean mayUse(String provider) {
            return any(providers, provider);
        }

        private static boolean any(List<Glob> globs, String s) {
            for (Glob g : globs) {
                if (g.matches(s)) {
                    return true;
                }
            }
            return false;
        }

        /** The principal of a {@code keys:} entry (or a run-time key) named {@code name}. */
        public static Principal of(String name, KeySpec k) {
            return new Principal(
                    name,
                    k.models().stream().map(Glob::of).toList(),
                    k.team(),
                    k.providers().stream().map(Glob::of).toList(),
                    Policy.forKey(name, k.budget(), k.limits()));
        }
    }

    private record Entry(byte[] digest, Principal principal, long expiresAtMs, boolean enabled) {}

    private final Map<String, Entry> byDigest = new HashMap<>();
    private final java.util.Set<String> configNames = new java.util.LinkedHashSet<>();
    private final RuntimeKeys runtime;

    public KeyAuthenticator(List<KeySpec> keys) {
        this(keys, RuntimeKeys.disabled());
    }

    /** Config keys, then run-time keys (docs/governance-keys.md); a config key wins a name clash. */
    public KeyAuthenticator(List<KeySpec> keys, RuntimeKeys runtime) {
        this.runtime = runtime;
        for (int i = 0; i < keys.size(); i++) {
            KeySpec k = keys.get(i);
            byte[] d = sha256(k.key());
            String name = k.effectiveName(i);
            configNames.add(name);
            byDigest.put(hex(d), new Entry(d, Principal.of(name, k), expiry(k.expiresAt()), k.enabled()));
        }
    }

    /** Names of the config's keys (run-time keys may not take them). */
    public java.util.Set<String> configNames() {
        return java.util.Collections.unmodifiableSet(configNames);
    }

    /** The run-time keys this authenticator also accepts. */
    public RuntimeKeys runtime() {
        return runtime;
    }

    /**
     * {@code expires_at} as epoch millis ({@link Long#MAX_VALUE} for none): an ISO-8601 instant, or a
     * date meaning the start of that day in UTC. Throws {@link IllegalArgumentException} on a bad value.
     */
    public static long expiry(String expiresAt) {
        if (expiresAt == null || expiresAt.isBlank()) {
            return Long.MAX_VALUE;
        }
        String s = expiresAt.strip();
        try {
            return java.time.Instant.parse(s).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return java.time.LocalDate.parse(s)
                        .atStartOfDay(java.time.ZoneOffset.UTC)
                        .toInstant()
                        .toEpochMilli();
            } catch (java.time.format.DateTimeParseException e2) {
                throw new IllegalArgumentException(
                        "invalid expires_at '" + s + "': expected an ISO-8601 instant (2027-01-31T00:00:00Z) or date");
            }
        }
    }

    /** Auth is on when the config has keys or any run-time key was ever created. */
    public boolean enabled() {
        return !byDigest.isEmpty() || runtime.any();
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
            return runtime(token);
        }
        return admit(e.principal().name(), e.enabled(), e.expiresAtMs(), e.principal());
    }

    private Principal runtime(String token) {
        RuntimeKeys.Entry r = runtime.lookup(token);
        if (r == null) {
            throw GatewayException.unauthorized("Incorrect API key provided.");
        }
        String name = r.row().name();
        if (r.row().revoked()) {
            throw GatewayException.unauthorized("The API key '" + name + "' has been revoked.");
        }
        if (configNames.contains(name)) {
            throw GatewayException.unauthorized("The API key '" + name + "' is refused: a key in the config now has"
                    + " that name (config keys win a name clash); rename this run-time key.");
        }
        return admit(name, r.row().enabled(), r.expiresAtMs(), r.principal());
    }

    private static Principal admit(String name, boolean enabled, long expiresAtMs, Principal p) {
        if (!enabled) {
            throw GatewayException.unauthorized("The API key '" + name + "' is disabled.");
        }
        if (System.currentTimeMillis() >= expiresAtMs) {
            throw GatewayException.unauthorized("The API key '" + name + "' has expired.");
        }
        return p;
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
