package io.junction.provider.bedrock.sigv4;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for one request, with the JDK's SHA-256 and HMAC-SHA256 only.
 *
 * <p>Signs for every service except S3: each segment of the canonical URI is URI-encoded once more
 * than the wire path, so a wire path {@code /model/a%3A0/converse} is signed as
 * {@code /model/a%253A0/converse}. No path normalization is done ({@code .}/{@code ..} segments are
 * not expected in the paths signed here).
 *
 * <p>The signed headers are {@code host} (from the URI, with the port when it is not the scheme's
 * default, as the HTTP client sends it) and every header passed to {@link #sign} whose name is
 * {@code content-type} or starts with {@code x-amz-}; other headers are sent unsigned, so an HTTP
 * client that adds or rewrites them cannot break the signature. Stateless and thread-safe.
 */
public final class SigV4Signer {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";

    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    private final String region;
    private final String service;
    private final boolean contentSha256Header;

    /** A signer that also sends and signs {@code x-amz-content-sha256}. */
    public SigV4Signer(String region, String service) {
        this(region, service, true);
    }

    /**
     * @param contentSha256Header whether to add (and sign) {@code x-amz-content-sha256}; the payload hash
     *     ends the canonical request either way
     */
    public SigV4Signer(String region, String service, boolean contentSha256Header) {
        this.region = region;
        this.service = service;
        this.contentSha256Header = contentSha256Header;
    }

    /** Everything computed for one signature; the intermediate strings are exposed for tests. */
    public record Signed(
            String amzDate,
            String payloadHash,
            String canonicalRequest,
            String stringToSign,
            String signature,
            String authorization,
            Map<String, String> headers) {
        @Override
        public String toString() {
            return "Signed[" + amzDate + ", signature=" + signature + "]";
        }
    }

    /**
     * Signs a request: returns the headers to add ({@code x-amz-date}, {@code x-amz-content-sha256} unless
     * turned off,
     * {@code x-amz-security-token} for session credentials, and {@code authorization}). The headers in
     * {@code headers} that are signed are the ones described in the class comment.
     */
    public Signed sign(
            String method, URI uri, Map<String, String> headers, byte[] body, AwsCredentials credentials, Instant now) {
        String amzDate = AMZ_DATE.format(now);
        String date = amzDate.substring(0, 8);
        String payloadHash = hex(sha256(body));

        Map<String, String> added = new LinkedHashMap<>();
        added.put("x-amz-date", amzDate);
        if (contentSha256Header) {
            added.put("x-amz-content-sha256", payloadHash);
        }
        if (credentials.sessionToken() != null) {
            added.put("x-amz-security-token", credentials.sessionToken());
        }

        TreeMap<String, String> signed = new TreeMap<>();
        signed.put("host", host(uri));
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("content-type") || name.startsWith("x-amz-")) {
                signed.put(name, h.getValue());
            }
        }
        signed.putAll(added);

        StringBuilder canonicalHeaders = new StringBuilder();
        for (Map.Entry<String, String> h : signed.entrySet()) {
            canonicalHeaders
                    .append(h.getKey())
                    .append(':')
                    .append(trimAll(h.getValue()))
                    .append('\n');
        }
        String signedHeaders = String.join(";", signed.keySet());
        String canonicalRequest = method.toUpperCase(Locale.ROOT)
                + '\n'
                + canonicalUri(uri.getRawPath())
                + '\n'
                + canonicalQuery(uri.getRawQuery())
                + '\n'
                + canonicalHeaders
                + '\n'
                + signedHeaders
                + '\n'
                + payloadHash;

        String scope = date + '/' + region + '/' + service + "/aws4_request";
        String stringToSign = ALGORITHM
                + '\n'
                + amzDate
                + '\n'
                + scope
                + '\n'
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = signingKey(credentials.secretAccessKey(), date, region, service);
        String signature = hex(hmac(key, stringToSign));
        String authorization = ALGORITHM + " Credential=" + credentials.accessKeyId() + '/' + scope + ", SignedHeaders="
                + signedHeaders + ", Signature=" + signature;
        added.put("authorization", authorization);
        return new Signed(amzDate, payloadHash, canonicalRequest, stringToSign, signature, authorization, added);
    }

    /** {@code HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")}. */
    public static byte[] signingKey(String secret, String date, String region, String service) {
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        k = hmac(k, region);
        k = hmac(k, service);
        return hmac(k, "aws4_request");
    }

    /** The {@code Host} header an HTTP client sends for {@code uri}. */
    static String host(URI uri) {
        String host = uri.getHost(); // as sent: a header value is not case-folded
        int port = uri.getPort();
        boolean defaultPort = port == -1
                || (port == 443 && "https".equalsIgnoreCase(uri.getScheme()))
                || (port == 80 && "http".equalsIgnoreCase(uri.getScheme()));
        return defaultPort ? host : host + ":" + port;
    }

    /** The wire path with each segment encoded once more (non-S3 rule); "/" for an empty path. */
    static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        StringBuilder sb = new StringBuilder(rawPath.length() + 16);
        int from = 0;
        while (true) {
            int slash = rawPath.indexOf('/', from);
            String segment = slash < 0 ? rawPath.substring(from) : rawPath.substring(from, slash);
            sb.append(uriEncode(segment));
            if (slash < 0) {
                break;
            }
            sb.append('/');
            from = slash + 1;
        }
        return sb.toString();
    }

    /** Query parameters decoded, re-encoded strictly, sorted by name then value, joined with {@code &}. */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> params = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.add(new String[] {uriEncode(percentDecode(name)), uriEncode(percentDecode(value))});
        }
        params.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder sb = new StringBuilder();
        for (String[] p : params) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(p[0]).append('=').append(p[1]);
        }
        return sb.toString();
    }

    /**
     * RFC 3986 percent-encoding as SigV4 wants it: every byte of the UTF-8 form except the unreserved
     * characters {@code A-Z a-z 0-9 - . _ ~} becomes {@code %XX} with upper-case hex.
     */
    public static String uriEncode(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** Decodes {@code %XX} escapes (a {@code +} stays a plus); a malformed escape is kept as it is. */
    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length) {
                int hi = Character.digit(raw[i + 1], 16);
                int lo = Character.digit(raw[i + 2], 16);
                if (hi >= 0 && lo >= 0) {
                    out.write((hi << 4) | lo);
                    i += 2;
                    continue;
                }
            }
            out.write(raw[i]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Trims and collapses runs of spaces, as the canonical header value requires. */
    private static String trimAll(String value) {
        return value.strip().replaceAll(" +", " ");
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
