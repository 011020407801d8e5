package io.junction.provider.bedrock.sigv4;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.provider.Fixtures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SigV4 known answers. The first two are AWS's published examples (the "get-vanilla" case of the
 * SigV4 test suite, and the signing key of the IAM example in the SigV4 documentation); the Bedrock
 * ones were computed with botocore 1.43.11 ({@code botocore.auth.SigV4Auth}, service {@code bedrock})
 * and are re-derived here step by step with javax.crypto, independently of {@link SigV4Signer}.
 */
class SigV4SignerTest {
    /** AWS's documented example credentials (not a real key). */
    private static final AwsCredentials EXAMPLE =
            new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

    @Test
    void awsTestSuiteGetVanilla() {
        SigV4Signer.Signed s = new SigV4Signer("us-east-1", "service", false)
                .sign(
                        "GET",
                        URI.create("https://example.amazonaws.com/"),
                        Map.of(),
                        new byte[0],
                        EXAMPLE,
                        Instant.parse("2015-08-30T12:36:00Z"));
        assertThat(s.canonicalRequest())
                .isEqualTo("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
                        + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(s.stringToSign())
                .isEqualTo("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                        + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
        assertThat(s.authorization())
                .isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                        + " SignedHeaders=host;x-amz-date,"
                        + " Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        assertThat(s.headers()).containsOnlyKeys("x-amz-date", "authorization");
    }

    @Test
    void awsDocumentedSigningKey() {
        assertThat(SigV4Signer.hex(SigV4Signer.signingKey(
                        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")))
                .isEqualTo("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    }

    @Test
    void bedrockConverseStreamRequestMatchesBotocoreAndAStepByStepComputation() {
        byte[] body = Fixtures.bytes("bedrock/converse-stream.tool-use.request.json");
        URI uri = URI.create(
                "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.amazon.nova-micro-v1%3A0/converse-stream");
        SigV4Signer.Signed s = new SigV4Signer("us-east-1", "bedrock")
                .sign(
                        "POST",
                        uri,
                        Map.of("content-type", "application/json"),
                        body,
                        EXAMPLE,
                        Instant.parse("2026-03-01T12:00:00Z"));
        String payloadHash = "46142b91c7f359d7166e97a40abe4f31a9a834b351110c1eda6dca9cd9ddbe30";
        String canonical = "POST\n"
                + "/model/us.amazon.nova-micro-v1%253A0/converse-stream\n"
                + "\n"
                + "content-type:application/json\n"
                + "host:bedrock-runtime.us-east-1.amazonaws.com\n"
                + "x-amz-content-sha256:" + payloadHash + "\n"
                + "x-amz-date:20260301T120000Z\n"
                + "\n"
                + "content-type;host;x-amz-content-sha256;x-amz-date\n"
                + payloadHash;
        assertThat(s.payloadHash()).isEqualTo(payloadHash);
        assertThat(s.canonicalRequest()).isEqualTo(canonical);
        String expected = "dd9f55fb421f06a4bac6e5be44b9a73e9cdfa48edcb5f5ff72c0435c06a09d98"; // botocore
        assertThat(s.signature()).isEqualTo(expected);
        assertThat(independentSignature(
                        canonical, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20260301T120000Z", "us-east-1"))
                .isEqualTo(expected);
        assertThat(s.headers())
                .containsExactly(
                        Map.entry("x-amz-date", "20260301T120000Z"),
                        Map.entry("x-amz-content-sha256", payloadHash),
                        Map.entry(
                                "authorization",
                                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/bedrock/aws4_request,"
                                        + " SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,"
                                        + " Signature=" + expected));
    }

    @Test
    void sessionTokenIsSentAndSignedAndArnModelIdsAreDoubleEncoded() {
        AwsCredentials session = new AwsCredentials(
                "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN//+==");
        byte[] body =
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}".getBytes(StandardCharsets.UTF_8);
        URI uri = URI.create("https://bedrock-runtime.eu-west-3.amazonaws.com/model/"
                + "arn%3Aaws%3Abedrock%3Aeu-west-3%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("accept", "application/json"); // not signed
        SigV4Signer.Signed s = new SigV4Signer("eu-west-3", "bedrock")
                .sign("POST", uri, headers, body, session, Instant.parse("2025-12-31T23:59:59Z"));
        String payloadHash = "45e583fed2564dc00e823303d7609f8587af7f685b993cb0f998afc0d480b01d";
        String canonical = "POST\n"
                + "/model/arn%253Aaws%253Abedrock%253Aeu-west-3%253A123456789012%253Aapplication-inference-profile%252Fabc123/converse\n"
                + "\n"
                + "content-type:application/json\n"
                + "host:bedrock-runtime.eu-west-3.amazonaws.com\n"
                + "x-amz-content-sha256:" + payloadHash + "\n"
                + "x-amz-date:20251231T235959Z\n"
                + "x-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN//+==\n"
                + "\n"
                + "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token\n"
                + payloadHash;
        assertThat(s.canonicalRequest()).isEqualTo(canonical);
        String expected = "313da17531ddd5c91d77685930bb5ee2dd801e534fd4650412d5bae544487b88"; // botocore
        assertThat(s.signature()).isEqualTo(expected);
        assertThat(independentSignature(
                        canonical, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20251231T235959Z", "eu-west-3"))
                .isEqualTo(expected);
        assertThat(s.headers())
                .containsEntry("x-amz-security-token", "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN//+==")
                .containsKeys("x-amz-date", "x-amz-content-sha256", "authorization");
        assertThat(s.toString()).doesNotContain("IQoJ").doesNotContain("wJalr");
        assertThat(session.toString())
                .isEqualTo("AwsCredentials[AKIDEXAMPLE, secret=<redacted>, sessionToken=<redacted>]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/model/us.amazon.nova-micro-v1%3A0/converse | /model/us.amazon.nova-micro-v1%253A0/converse",
                "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream | /model/anthropic.claude-3-haiku-20240307-v1%253A0/converse-stream",
                "/model/plain/converse | /model/plain/converse",
                "/proxy/model/a%2Fb/converse | /proxy/model/a%252Fb/converse",
                "/ | /",
            })
    void canonicalUriEncodesEachSegmentOnceMore(String wirePath, String canonical) {
        assertThat(SigV4Signer.canonicalUri(wirePath)).isEqualTo(canonical);
        // exactly twice: not the single-encoded path, not a triple encoding
        assertThat(SigV4Signer.canonicalUri(wirePath)).doesNotContain("%2525");
    }

    @Test
    void emptyPathIsSlashAndQueryIsSortedAndStrictlyEncoded() {
        assertThat(SigV4Signer.canonicalUri("")).isEqualTo("/");
        assertThat(SigV4Signer.canonicalQuery("b=2&a=1&a=0&c")).isEqualTo("a=0&a=1&b=2&c=");
        assertThat(SigV4Signer.canonicalQuery("x=a%20b&y=a/b&z=%7e")).isEqualTo("x=a%20b&y=a%2Fb&z=~");
        assertThat(SigV4Signer.uriEncode("us.amazon.nova-micro-v1:0 é"))
                .isEqualTo("us.amazon.nova-micro-v1%3A0%20%C3%A9");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/x/converse, bedrock-runtime.us-east-1.amazonaws.com",
        "https://Bedrock.Example.com:443/x, Bedrock.Example.com",
        "http://127.0.0.1:8089/x, 127.0.0.1:8089",
        "http://localhost:80/x, localhost",
        "https://localhost:8443/x, localhost:8443",
    })
    void hostHeaderIsWhatTheHttpClientSends(String uri, String host) {
        assertThat(SigV4Signer.host(URI.create(uri))).isEqualTo(host);
    }

    @Test
    void headerValuesAreTrimmedAndSpacesCollapsed() {
        SigV4Signer.Signed s = new SigV4Signer("us-east-1", "bedrock")
                .sign(
                        "POST",
                        URI.create("https://h.example.com/p"),
                        Map.of("content-type", "  application/json;   charset=utf-8 ", "X-Amz-Target", "t"),
                        new byte[0],
                        EXAMPLE,
                        Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(s.canonicalRequest())
                .contains("\ncontent-type:application/json; charset=utf-8\n")
                .contains("\nx-amz-target:t\n")
                .contains("\ncontent-type;host;x-amz-content-sha256;x-amz-date;x-amz-target\n");
    }

    /** SigV4 from a canonical request, written out without any code of {@link SigV4Signer}. */
    private static String independentSignature(String canonicalRequest, String secret, String amzDate, String region) {
        try {
            String date = amzDate.substring(0, 8);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String hashedCanonical =
                    HexFormat.of().formatHex(sha.digest(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
            String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + date + "/" + region
                    + "/bedrock/aws4_request\n" + hashedCanonical;
            byte[] kDate = mac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
            byte[] kRegion = mac(kDate, region);
            byte[] kService = mac(kRegion, "bedrock");
            byte[] kSigning = mac(kService, "aws4_request");
            return HexFormat.of().formatHex(mac(kSigning, stringToSign));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] mac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
