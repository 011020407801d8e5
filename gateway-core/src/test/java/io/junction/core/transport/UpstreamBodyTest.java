package io.junction.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamBodyTest {
    private static ChatRequest request() throws Exception {
        return Json.MAPPER.readValue(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"the secret prompt é\"}],"
                        + "\"tags\":[\"gateway-only\"]}",
                ChatRequest.class);
    }

    @Test
    void aJsonBodyWritesWhatTheUpstreamWriterWrites() throws Exception {
        ChatRequest r = request();
        UpstreamBody body = UpstreamBody.json(Json.UPSTREAM_WRITER, r);
        byte[] expected = Json.upstreamBytes(r);
        assertThat(body.bytes()).isEqualTo(expected);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writeTo(out);
        assertThat(out.toByteArray()).isEqualTo(expected);
        assertThat(new String(expected, java.nio.charset.StandardCharsets.UTF_8))
                .as("the upstream view leaves the gateway's fields out")
                .doesNotContain("gateway-only");
    }

    @Test
    void bytesAreKeptAsTheyAre() throws Exception {
        byte[] b = {1, 2, 3};
        UpstreamBody body = UpstreamBody.of(b);
        assertThat(body.bytes()).isSameAs(b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writeTo(out);
        assertThat(out.toByteArray()).containsExactly(1, 2, 3);
    }

    @Test
    void neitherTheRequestNorItsBodyPrintsThePrompt() throws Exception {
        UpstreamRequest req = new UpstreamRequest(
                "POST",
                URI.create("http://127.0.0.1:1/v1/chat/completions"),
                Map.of("authorization", "Bearer sk-secret"),
                UpstreamBody.json(Json.UPSTREAM_WRITER, request()),
                false,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        assertThat(req.toString()).doesNotContain("secret").contains("JSON of a ChatRequest");
        assertThat(req.body()).isEqualTo(Json.upstreamBytes(request()));
        UpstreamRequest bytes = new UpstreamRequest(
                "POST", req.uri(), Map.of(), new byte[] {'{', '}'}, false, req.connectTimeout(), req.readTimeout());
        assertThat(bytes.toString()).contains("2 bytes");
        assertThat(List.of(bytes.content())).first().isInstanceOf(UpstreamBody.Bytes.class);
    }
}
