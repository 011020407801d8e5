package io.junction.server.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hashes run-time key secrets: HMAC-SHA256 keyed by the deployment's pepper, as lowercase hex. The
 * secret itself is never stored; {@link #pepperId} (a short fingerprint of the pepper, not the
 * pepper) is stored with each hash so a key hashed under another pepper is recognised as such.
 */
public final class KeyHasher {
    /** Every generated secret starts so: {@code jk-} + 32 random bytes, base64url without padding. */
    public static final String PREFIX = "jk-";
    /** How many leading characters of a secret are kept for display ({@code jk-AbC12}). */
    public static final int SHOWN_CHARS = 8;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String pepperId;
    private final ThreadLocal<Mac> macs;

    public KeyHasher(byte[] pepper) {
        if (pepper == null || pepper.length == 0) {
            throw new IllegalArgumentException("empty pepper");
        }
        this.key = new SecretKeySpec(pepper.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
        this.pepperId = hash("junction-key-pepper-id").substring(0, 16);
    }

    public static KeyHasher of(String pepper) {
        return new KeyHasher(pepper.getBytes(StandardCharsets.UTF_8));
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HMAC-SHA256(pepper, secret) as 64 hex characters. */
    public String hash(String secret) {
        return HexFormat.of().formatHex(digest(secret));
    }

    /** The raw 32-byte digest. */
    public byte[] digest(String secret) {
        Mac m = macs.get();
        return m.doFinal(secret.getBytes(StandardCharsets.UTF_8)); // doFinal resets the Mac
    }

    /** A fingerprint of the pepper (not reversible to it): tells which pepper hashed a row. */
    public String pepperId() {
        return pepperId;
    }

    /** Digests compared in constant time. */
    public static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** A new secret: {@code jk-} + 32 bytes from {@link SecureRandom}, base64url without padding. */
    public static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A new key id: {@code key_} + 12 random bytes as hex. */
    public static String newId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return "key_" + HexFormat.of().formatHex(b);
    }

    /** 32 random bytes, hex: a generated pepper. */
    public static String newPepper() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** What is kept of a secret for display. */
    public static String shown(String secret) {
        return secret.substring(0, Math.min(SHOWN_CHARS, secret.length()));
    }
}
