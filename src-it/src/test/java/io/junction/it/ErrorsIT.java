package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Errors as the official SDK sees them: Junction's own (validation, auth, routing) and the provider's. */
class ErrorsIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String UNSUPPORTED_VALUE = "openai/error-400.unsupported-value.json";

    static WireMockServer upstream;
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        junction = JunctionProcess.start("errors", port -> Configs.standard(port, upstream.port(), ""));
        client = Clients.sdk(junction, Configs.KEY);
    }

    @AfterAll
    static void stop() {
        try {
            if (client != null) {
                client.close();
            }
            if (junction != null) {
                junction.close();
            }
        } finally {
            upstream.stop();
        }
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
    }

    private static ChatCompletionCreateParams.Builder hello(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello");
    }

    @Test
    void invalidParameterIs400NamingTheParamAndNeverReachesTheUpstream() {
        BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> client.chat()
                .completions()
                .create(hello("up/gpt-4o-mini").temperature(5.0).build()));

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.param()).hasValue("temperature");
        assertThat(e.type()).hasValue("invalid_request_error");
        JsonNode body = e.body().convert(JsonNode.class);
        assertThat(body.path("message").asText()).contains("temperature").contains("between 0 and 2");
        assertThat(e.headers().values("x-request-id")).hasSize(1);
        upstream.verify(exactly(0), anyRequestedFor(anyUrl()));
    }

    @Test
    void unknownKeyIs401() {
        OpenAIClient wrongKey = Clients.sdk(junction, "sk-not-a-key");
        try (Clients.Closer closer = wrongKey::close) {
            UnauthorizedException e = catchThrowableOfType(UnauthorizedException.class, () -> wrongKey.chat()
                    .completions()
                    .create(hello("mock/echo").build()));
            assertThat(e.statusCode()).isEqualTo(401);
            assertThat(e.code()).hasValue("invalid_api_key");
            assertThat(e.type()).hasValue("authentication_error");
        }
    }

    @Test
    void missingKeyIs401() {
        HttpResponse<String> r = Clients.postJson(
                junction,
                CHAT,
                null,
                "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).isEqualTo(401);
        JsonNode error = Fixtures.parse(r.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("authentication_error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
    }

    @Test
    void keyNotAllowedTheModelIs403AndNeverReachesTheUpstream() {
        OpenAIClient limited = Clients.sdk(junction, Configs.LIMITED_KEY);
        try (Clients.Closer closer = limited::close) {
            PermissionDeniedException e = catchThrowableOfType(PermissionDeniedException.class, () -> limited.chat()
                    .completions()
                    .create(hello("up/gpt-4o-mini").build()));
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.code()).hasValue("model_not_allowed");
            assertThat(e.param()).hasValue("model");

            // The same key may call what its globs allow.
            ChatCompletion ok =
                    limited.chat().completions().create(hello("mock/echo").build());
            assertThat(ok.choices().get(0).message().content()).hasValue("hello");
        }
        upstream.verify(exactly(0), anyRequestedFor(anyUrl()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-unknown", "nope/gpt-4o-mini"})
    void unknownModelIs404ModelNotFound(String model) {
        NotFoundException e = catchThrowableOfType(
                NotFoundException.class,
                () -> client.chat().completions().create(hello(model).build()));
        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.code()).hasValue("model_not_found");
        assertThat(e.param()).hasValue("model");
        upstream.verify(exactly(0), anyRequestedFor(anyUrl()));
    }

    @Test
    void upstream400IsReturnedAsIsAndNotRetriedOrFailedOver() {
        JsonNode fixture = Fixtures.json(UNSUPPORTED_VALUE).path("error");
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/json")
                        .withBody(Fixtures.text(UNSUPPORTED_VALUE))));

        // 'managed' = up then mock: a retryable failure would have been answered by the mock.
        BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("managed")
                        .addSystemMessage("You are a helpful assistant.")
                        .addUserMessage("hello")
                        .build()));

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.code()).hasValue("unsupported_value");
        assertThat(e.param()).hasValue("messages[0].role");
        assertThat(e.type()).hasValue("invalid_request_error");
        assertThat(e.body().convert(JsonNode.class).path("message").asText())
                .isEqualTo(fixture.path("message").asText());
        assertThat(e.headers().values("x-junction-provider")).containsExactly("up");
        assertThat(e.headers().values("x-junction-attempts")).containsExactly("1");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void upstream400OnAStreamRequestIsReturnedAsIsBeforeAnyEvent() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/json")
                        .withBody(Fixtures.text("openai/error-400.unsupported-parameter.json"))));

        BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> s = client.chat()
                    .completions()
                    .createStreaming(hello("managed").maxTokens(10).build())) {
                s.stream().forEach(c -> {});
            }
        });

        assertThat(e.code()).hasValue("unsupported_parameter");
        assertThat(e.param()).hasValue("max_tokens");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 404})
    void otherNonRetryableUpstreamStatusesKeepTheirStatus(int status) {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"upstream says " + status
                                + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"up_" + status
                                + "\"}}")));

        OpenAIServiceException e = catchThrowableOfType(
                OpenAIServiceException.class,
                () -> client.chat().completions().create(hello("managed").build()));

        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.code()).hasValue("up_" + status);
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void bodyOverTheLimitIs413AndTheConnectionIsClosed() throws Exception {
        int port = junction.port();
        try (RawHttp http = new RawHttp(port)) {
            // Announce more than server.max_body_bytes (10 MiB); send only a little of it.
            http.write("POST /v1/chat/completions HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Authorization: Bearer " + Configs.KEY + "\r\n"
                    + "x-request-id: big-1\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: " + (11 * 1024 * 1024) + "\r\n"
                    + "\r\n"
                    + "{\"model\":\"mock/echo\",");
            RawHttp.Response r = http.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("x-request-id")).isEqualTo("big-1");
            assertThat(Fixtures.parse(r.body()).at("/error/code").asText()).isEqualTo("request_too_large");
            assertThat(http.closedByServer()).isTrue();
        }
        upstream.verify(exactly(0), anyRequestedFor(anyUrl()));
    }

    @Test
    void malformedJsonIs400() {
        HttpResponse<String> r =
                Clients.postJson(junction, CHAT, Configs.KEY, "{\"model\": \"mock/echo\", \"messages\": [");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = Fixtures.parse(r.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("parse the JSON body");
    }
}
