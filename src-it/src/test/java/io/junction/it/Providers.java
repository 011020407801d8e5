package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Shared pieces of the per-provider ITs ({@code *ProviderIT}): a WireMock server playing the
 * provider, response builders for its wire formats, fixture re-framing, the SDK calls every class
 * makes, and the credential check run after every test.
 */
final class Providers {
    private Providers() {}

    static WireMockServer startUpstream() {
        WireMockServer server =
                new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        return server;
    }

    /**
     * The provider's YAML line under {@code providers:} with the settings every IT provider shares
     * (bounded timeouts, no same-target retries so each upstream call is one client call).
     */
    static String provider(String name, String settings) {
        return "  " + name + ": { " + settings
                + ", read_timeout_ms: 5000, connect_timeout_ms: 2000, retry: { max_retries: 0 } }\n";
    }

    // ------------------------------------------------------------------ responses

    static ResponseDefinitionBuilder json(String body) {
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(body);
    }

    /**
     * Streams are written in {@link #STREAM_PIECES} pieces a few milliseconds apart, so Junction's
     * decoders see events, lines (and CRLF pairs, and binary frames) split at arbitrary points, as
     * over a real network.
     */
    static final int STREAM_PIECES = 12;

    static ResponseDefinitionBuilder sse(String body) {
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/event-stream; charset=utf-8")
                .withBody(body)
                .withChunkedDribbleDelay(STREAM_PIECES, 60);
    }

    static ResponseDefinitionBuilder eventStream(byte[] body) {
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/vnd.amazon.eventstream")
                .withBody(body)
                .withChunkedDribbleDelay(STREAM_PIECES, 60);
    }

    // ------------------------------------------------------------------ fixtures

    static byte[] bytes(String path) {
        try (InputStream in = Providers.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A {@code .jsonl} fixture (one SSE data payload per line, no framing) as an SSE body: each line
     * becomes {@code [event: <type>]data: <line>} followed by a blank line, with {@code lineEnd} as
     * the line terminator. With {@code eventLines}, the event name is the payload's {@code type}
     * (Anthropic's framing).
     */
    static String jsonlAsSse(String path, boolean eventLines, String lineEnd) {
        StringBuilder sb = new StringBuilder();
        for (String line : Fixtures.jsonlLines(path)) {
            if (eventLines) {
                sb.append("event: ")
                        .append(Fixtures.parse(line).path("type").asText())
                        .append(lineEnd);
            }
            sb.append("data: ").append(line).append(lineEnd).append(lineEnd);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ SDK

    static ChatCompletionStreamOptions includeUsage() {
        return ChatCompletionStreamOptions.builder().includeUsage(true).build();
    }

    static List<ChatCompletionChunk> stream(OpenAIClient client, ChatCompletionCreateParams params) {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunks::add);
        }
        return chunks;
    }

    static ChatCompletion accumulate(List<ChatCompletionChunk> chunks) {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        chunks.forEach(acc::accumulate);
        return acc.chatCompletion();
    }

    /** All {@code delta.reasoning_content} of the chunks (a Junction extension the SDK keeps as an extra property). */
    static String reasoning(List<ChatCompletionChunk> chunks) {
        StringBuilder sb = new StringBuilder();
        for (ChatCompletionChunk c : chunks) {
            for (ChatCompletionChunk.Choice choice : c.choices()) {
                JsonValue r = choice.delta()._additionalProperties().get("reasoning_content");
                if (r != null && !r.isNull()) {
                    sb.append(r.convert(String.class));
                }
            }
        }
        return sb.toString();
    }

    /** The finish reasons of all chunks, in order (normally exactly one). */
    static List<ChatCompletionChunk.Choice.FinishReason> finishReasons(List<ChatCompletionChunk> chunks) {
        List<ChatCompletionChunk.Choice.FinishReason> out = new ArrayList<>();
        for (ChatCompletionChunk c : chunks) {
            for (ChatCompletionChunk.Choice choice : c.choices()) {
                choice.finishReason().ifPresent(out::add);
            }
        }
        return out;
    }

    /** The function calls of a completion's first choice. */
    static List<ChatCompletionMessageFunctionToolCall> calls(ChatCompletion completion) {
        List<ChatCompletionMessageFunctionToolCall> out = new ArrayList<>();
        for (ChatCompletionMessageToolCall c :
                completion.choices().get(0).message().toolCalls().orElseThrow()) {
            out.add(c.asFunction());
        }
        return out;
    }

    static ChatCompletionToolMessageParam toolResult(String toolCallId, String content) {
        return ChatCompletionToolMessageParam.builder()
                .toolCallId(toolCallId)
                .content(content)
                .build();
    }

    /** A function tool with string properties (all required), or no parameters when none are given. */
    static FunctionDefinition tool(String name, String description, String... stringProperties) {
        FunctionDefinition.Builder b = FunctionDefinition.builder().name(name).description(description);
        if (stringProperties.length > 0) {
            Map<String, Object> props = new LinkedHashMap<>();
            for (String p : stringProperties) {
                props.put(p, Map.of("type", "string"));
            }
            b.parameters(FunctionParameters.builder()
                    .putAdditionalProperty("type", JsonValue.from("object"))
                    .putAdditionalProperty("properties", JsonValue.from(props))
                    .putAdditionalProperty("required", JsonValue.from(List.of(stringProperties)))
                    .build());
        }
        return b.build();
    }

    // ------------------------------------------------------------------ what the upstream got

    static List<LoggedRequest> requests(WireMockServer upstream, RequestPatternBuilder pattern) {
        return upstream.findAll(pattern);
    }

    static LoggedRequest only(WireMockServer upstream, RequestPatternBuilder pattern) {
        List<LoggedRequest> all = upstream.findAll(pattern);
        assertThat(all).as("upstream requests matching %s", pattern.build()).hasSize(1);
        return all.get(0);
    }

    static JsonNode body(LoggedRequest r) {
        return Fixtures.parse(r.getBodyAsString());
    }

    /**
     * Every request the provider received carried {@code header} with a value accepted by {@code
     * expected}, and no header anywhere carried the client's key (the gateway's own credential) or a
     * bearer token other than the provider's.
     */
    static void assertOnlyProviderCredentials(
            WireMockServer upstream, String header, java.util.function.Predicate<String> expected) {
        List<ServeEvent> events = upstream.getAllServeEvents();
        for (ServeEvent e : events) {
            LoggedRequest r = e.getRequest();
            assertThat(r.getHeader(header))
                    .as("%s on %s %s", header, r.getMethod(), r.getUrl())
                    .isNotNull()
                    .matches(expected, "is the provider's credential");
            for (HttpHeader h : r.getHeaders().all()) {
                assertThat(h.values())
                        .as("upstream header %s on %s", h.key(), r.getUrl())
                        .noneMatch(v -> v.contains(Configs.KEY));
            }
            if (!header.toLowerCase(Locale.ROOT).equals("authorization")) {
                assertThat(r.containsHeader("Authorization"))
                        .as("no Authorization header besides the provider's own %s", header)
                        .isFalse();
            }
        }
    }
}
