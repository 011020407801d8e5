package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retryable upstream failures before anything reached the client move on to the next target (the
 * alias's, then the request's {@code fallbacks}); the client sees one clean answer.
 */
class FailoverIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String PROMPT = "fail over to the mock please";

    static WireMockServer upstream;
    /** A second upstream that only ever resets connections, so none of its connections is ever pooled. */
    static WireMockServer flaky;

    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        flaky = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        flaky.start();
        String extra = """
                  flaky: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-flaky, read_timeout_ms: 5000, retry: { max_retries: 0 } }
                  sluggish: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-sluggish, read_timeout_ms: 400, retry: { max_retries: 0 } }
                """.formatted(flaky.port(), upstream.port());
        junction = JunctionProcess.start("failover", port -> Configs.standard(port, upstream.port(), extra));
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
            flaky.stop();
        }
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
        flaky.resetAll();
    }

    private static ChatCompletionCreateParams.Builder ask(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(PROMPT);
    }

    @Test
    void upstream503FailsOverToTheAliasFallback() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(503)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}")));

        HttpResponseFor<ChatCompletion> raw = client.chat()
                .completions()
                .withRawResponse()
                .create(ask("managed").build());
        ChatCompletion c = raw.parse();

        assertThat(c.choices().get(0).message().content()).hasValue(PROMPT);
        JsonNode extra = Sdk.extraFields(c._additionalProperties());
        assertThat(extra.path("provider").asText()).isEqualTo("mock");
        assertThat(extra.path("model_requested").asText()).isEqualTo("managed");
        assertThat(extra.path("attempts")).hasSize(2);
        assertThat(raw.headers().values("x-junction-provider")).containsExactly("mock");
        assertThat(raw.headers().values("x-junction-attempts")).containsExactly("2");
        assertThat(raw.headers().values("x-junction-attempt-log"))
                .singleElement()
                .asString()
                .contains("up/gpt-4o-mini 503");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void upstream429OnAStreamFailsOverBeforeTheFirstChunk() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}")));

        List<ChatCompletionChunk> chunks = new ArrayList<>();
        HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat()
                .completions()
                .withRawResponse()
                .createStreaming(ask("managed").build());
        try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
            s.stream().forEach(chunks::add);
        }

        assertThat(Sdk.text(chunks)).isEqualTo(PROMPT);
        assertThat(raw.headers().values("x-junction-provider")).containsExactly("mock");
        assertThat(raw.headers().values("x-junction-attempts")).containsExactly("2");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void connectionResetFailsOverToTheRequestsFallbacks() {
        flaky.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        HttpResponseFor<ChatCompletion> raw = client.chat()
                .completions()
                .withRawResponse()
                .create(ask("flaky/gpt-4o-mini")
                        .putAdditionalBodyProperty("fallbacks", JsonValue.from(List.of("mock/echo")))
                        .build());
        ChatCompletion c = raw.parse();

        assertThat(c.choices().get(0).message().content()).hasValue(PROMPT);
        assertThat(Sdk.extraFields(c._additionalProperties()).path("provider").asText())
                .isEqualTo("mock");
        assertThat(raw.headers().values("x-junction-attempts")).containsExactly("2");
        flaky.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void upstreamTimeoutFailsOver() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withFixedDelay(6000)
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(Fixtures.text("openai/chat-completion.text.json"))));

        long start = System.nanoTime();
        HttpResponseFor<ChatCompletion> raw = client.chat()
                .completions()
                .withRawResponse()
                .create(ask("sluggish/gpt-4o-mini")
                        .putAdditionalBodyProperty("fallbacks", JsonValue.from(List.of("mock/echo")))
                        .build());
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertThat(raw.parse().choices().get(0).message().content()).hasValue(PROMPT);
        assertThat(raw.headers().values("x-junction-attempt-log"))
                .singleElement()
                .asString()
                .contains("sluggish/gpt-4o-mini 504");
        assertThat(ms)
                .as("answered after the 400 ms read timeout, not the 6 s delay")
                .isLessThan(4500);
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void whenEveryTargetFailsTheLastErrorIsReturned() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(503)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}")));

        InternalServerException e = catchThrowableOfType(
                InternalServerException.class,
                () -> client.chat().completions().create(ask("up/gpt-4o-mini").build()));

        assertThat(e.statusCode()).isEqualTo(503);
        assertThat(e.headers().values("x-junction-attempts")).containsExactly("1");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void anErrorEventBeforeTheFirstChunkFailsOver() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody("data: {\"error\":{\"message\":\"The server is overloaded\","
                                + "\"type\":\"server_error\",\"code\":null}}\n\n")));

        List<ChatCompletionChunk> chunks = new ArrayList<>();
        HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat()
                .completions()
                .withRawResponse()
                .createStreaming(ask("managed").build());
        try (StreamResponse<ChatCompletionChunk> s = raw.parse()) {
            s.stream().forEach(chunks::add);
        }

        assertThat(Sdk.text(chunks)).isEqualTo(PROMPT);
        assertThat(raw.headers().values("x-junction-provider")).containsExactly("mock");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void aJsonAnswerToAStreamRequestIsNotRelayedAsAnEmptyStream() {
        // An upstream that ignores "stream": true and answers with one JSON body.
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(Fixtures.text("openai/chat-completion.text.json"))));

        OpenAIServiceException e = catchThrowableOfType(OpenAIServiceException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> s = client.chat()
                    .completions()
                    .createStreaming(ask("up/gpt-4o-mini").build())) {
                s.stream().forEach(c -> {});
            }
        });

        assertThat(e.statusCode()).isEqualTo(502);
        assertThat(e.code()).hasValue("bad_upstream_response");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }
}
