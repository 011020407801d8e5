package io.junction.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Request ids, model listing, health and metrics, seen from a client. */
class GatewayEndpointsIT {
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        junction = JunctionProcess.start("endpoints", port -> Configs.standard(port, JunctionProcess.freePort(), ""));
        client = Clients.sdk(junction, Configs.KEY);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (junction != null) {
            junction.close();
        }
    }

    private static ChatCompletionCreateParams.Builder hello() {
        return ChatCompletionCreateParams.builder().model("mock/echo").addUserMessage("hello");
    }

    @Test
    void clientRequestIdIsEchoedOnAnswersStreamsAndErrors() {
        HttpResponseFor<ChatCompletion> ok = client.chat()
                .completions()
                .withRawResponse()
                .create(hello().putAdditionalHeader("x-request-id", "it-req-1").build());
        assertThat(ok.headers().values("x-request-id")).containsExactly("it-req-1");
        assertThat(ok.requestId()).hasValue("it-req-1");

        HttpResponseFor<StreamResponse<ChatCompletionChunk>> stream = client.chat()
                .completions()
                .withRawResponse()
                .createStreaming(
                        hello().putAdditionalHeader("x-request-id", "it-req-2").build());
        try (StreamResponse<ChatCompletionChunk> s = stream.parse()) {
            assertThat(s.stream().count()).isPositive();
        }
        assertThat(stream.headers().values("x-request-id")).containsExactly("it-req-2");

        NotFoundException e = catchThrowableOfType(NotFoundException.class, () -> client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("no-such-model")
                        .addUserMessage("hello")
                        .putAdditionalHeader("x-request-id", "it-req-3")
                        .build()));
        assertThat(e.headers().values("x-request-id")).containsExactly("it-req-3");

        HttpResponse<String> health = Clients.send(HttpRequest.newBuilder(junction.uri("/health"))
                .timeout(Duration.ofSeconds(5))
                .header("x-request-id", "it-req-4")
                .GET()
                .build());
        assertThat(health.headers().firstValue("x-request-id")).hasValue("it-req-4");
    }

    @Test
    void aRequestIdIsGeneratedWhenTheClientSendsNone() {
        HttpResponse<String> a = Clients.get(junction, "/health", null);
        HttpResponse<String> b = Clients.get(junction, "/health", null);
        String idA = a.headers().firstValue("x-request-id").orElseThrow();
        String idB = b.headers().firstValue("x-request-id").orElseThrow();
        assertThat(idA).isNotBlank().isNotEqualTo(idB);
    }

    @Test
    void healthIsOk() {
        HttpResponse<String> r = Clients.get(junction, "/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Fixtures.parse(r.body()).path("status").asText()).isEqualTo("ok");
    }

    @Test
    void modelsListsAliasesAndProviderModelsFilteredByKey() {
        List<Model> all = client.models().list().data();
        assertThat(all).extracting(Model::id).containsExactlyInAnyOrder("managed", "up/gpt-4o-mini", "mock/echo");
        assertThat(all)
                .filteredOn(m -> m.id().equals("managed"))
                .singleElement()
                .satisfies(m -> assertThat(m.ownedBy()).isEqualTo("junction"));
        assertThat(all)
                .filteredOn(m -> m.id().equals("up/gpt-4o-mini"))
                .singleElement()
                .satisfies(m -> assertThat(m.ownedBy()).isEqualTo("up"));

        OpenAIClient limited = Clients.sdk(junction, Configs.LIMITED_KEY);
        try (Clients.Closer closer = limited::close) {
            assertThat(limited.models().list().data()).extracting(Model::id).containsExactly("mock/echo");
        }
    }

    @Test
    void modelsRetrieveResolvesAliasesAndProviderModels() {
        Model alias = client.models().retrieve("managed");
        assertThat(alias.id()).isEqualTo("managed");
        assertThat(alias.ownedBy()).isEqualTo("junction");

        // A provider/model id has a '/' in it: the SDK percent-encodes it in the path.
        Model direct = client.models().retrieve("up/gpt-4o-mini");
        assertThat(direct.id()).isEqualTo("up/gpt-4o-mini");
        assertThat(direct.ownedBy()).isEqualTo("up");

        NotFoundException e = catchThrowableOfType(
                NotFoundException.class, () -> client.models().retrieve("no-such-model"));
        assertThat(e.code()).hasValue("model_not_found");
    }

    @Test
    void metricsCountChatRequestsByModelProviderAndStatus() {
        String before = Clients.get(junction, "/metrics", null).body();
        double ok = Metrics.requests(before, "chat.completions", "mock/echo", "mock", 200);
        double notFound = Metrics.requests(before, "chat.completions", "none", "none", 404);

        for (int i = 0; i < 3; i++) {
            client.chat().completions().create(hello().build());
        }
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(hello().build())) {
            s.stream().forEach(c -> {});
        }
        catchThrowableOfType(NotFoundException.class, () -> client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("nope/x")
                        .addUserMessage("hello")
                        .build()));

        HttpResponse<String> r = Clients.get(junction, "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
        assertThat(r.body()).contains("# TYPE junction_requests_total counter");
        assertThat(Metrics.requests(r.body(), "chat.completions", "mock/echo", "mock", 200))
                .isEqualTo(ok + 4);
        assertThat(Metrics.requests(r.body(), "chat.completions", "none", "none", 404))
                .isEqualTo(notFound + 1);
    }

    /** What Main sets for every launch (lifecycle/NettyDefaults): Netty's pooled allocator, not its adaptive default. */
    @Test
    void buffersComeFromNettysPooledAllocator() {
        String metrics = Clients.get(junction, "/metrics", null).body();
        assertThat(metrics)
                .contains("allocator_type=\"PooledByteBufAllocator\"")
                .doesNotContain("AdaptiveByteBufAllocator");
    }

    @Test
    void unknownPathIsAnOpenAiStyle404() {
        HttpResponse<String> r = Clients.get(junction, "/v1/nothing-here", Configs.KEY);
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode error = Fixtures.parse(r.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(r.headers().firstValue("x-request-id")).isPresent();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        int port = junction.port();
        String stream = "{\"model\":\"mock/echo\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"first of three\"}]}";
        String plain = "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"second\"}]}";
        try (RawHttp http = new RawHttp(port)) {
            // All three requests in one write, before any answer.
            http.write(RawHttp.post(port, "/v1/chat/completions", Configs.KEY, stream, "p-1")
                    + RawHttp.post(port, "/v1/chat/completions", Configs.KEY, plain, "p-2")
                    + RawHttp.get(port, "/health", "p-3"));

            RawHttp.Response first = http.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("x-request-id")).isEqualTo("p-1");
            assertThat(first.header("content-type")).startsWith("text/event-stream");
            assertThat(Fixtures.concatenatedContent(Fixtures.sseData(first.body())))
                    .isEqualTo("first of three");
            assertThat(first.body()).endsWith("data: [DONE]\n\n");

            RawHttp.Response second = http.read();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.header("x-request-id")).isEqualTo("p-2");
            assertThat(Fixtures.parse(second.body())
                            .at("/choices/0/message/content")
                            .asText())
                    .isEqualTo("second");

            RawHttp.Response third = http.read();
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.header("x-request-id")).isEqualTo("p-3");
            assertThat(Fixtures.parse(third.body()).path("status").asText()).isEqualTo("ok");
        }
    }

    @Test
    void expectContinueAndChunkedRequestBodiesWorkOnAKeptAliveConnection() throws Exception {
        int port = junction.port();
        String json = "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"continued\"}]}";
        try (RawHttp http = new RawHttp(port)) {
            // curl's way for larger bodies: headers first, the body only after 100 Continue.
            http.write("POST /v1/chat/completions HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Authorization: Bearer " + Configs.KEY + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Expect: 100-continue\r\n"
                    + "Content-Length: " + json.length() + "\r\n"
                    + "\r\n");
            RawHttp.Response interim = http.read();
            assertThat(interim.status()).isEqualTo(100);
            http.write(json);
            RawHttp.Response first = http.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(Fixtures.parse(first.body())
                            .at("/choices/0/message/content")
                            .asText())
                    .isEqualTo("continued");

            // Same connection: a chunked request body.
            String half1 = json.substring(0, 20);
            String half2 = json.substring(20).replace("continued", "chunked!!");
            http.write("POST /v1/chat/completions HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Authorization: Bearer " + Configs.KEY + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n"
                    + "\r\n"
                    + Integer.toHexString(half1.length()) + "\r\n" + half1 + "\r\n"
                    + Integer.toHexString(half2.length()) + "\r\n" + half2 + "\r\n"
                    + "0\r\n\r\n");
            RawHttp.Response second = http.read();
            assertThat(second.status()).isEqualTo(200);
            assertThat(Fixtures.parse(second.body())
                            .at("/choices/0/message/content")
                            .asText())
                    .isEqualTo("chunked!!");
        }
    }

    @Test
    void modelsNeedAKeyWhenAuthIsOn() {
        HttpResponse<String> r = Clients.get(junction, "/v1/models", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(Fixtures.parse(r.body()).at("/error/type").asText()).isEqualTo("authentication_error");
    }
}
