package io.junction.core.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.MessageContent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {

    /** Anything that betrays the implementation: Java/Jackson type names, backtick-quoted types, packages. */
    private static final Pattern INTERNALS = Pattern.compile(
            "java\\.|javax\\.|com\\.fasterxml|io\\.junction|jackson|`|\\$|Exception|StreamReadFeature|\\bclass\\b",
            Pattern.CASE_INSENSITIVE);

    private static ChatRequest parse(String body) {
        return RequestParser.parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static GatewayException rejected(String body) {
        GatewayException e = catchThrowableOfType(GatewayException.class, () -> parse(body));
        assertThat(e).as("expected a GatewayException for %s", body).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).as("client-facing message").doesNotContainPattern(INTERNALS);
        return e;
    }

    @Test
    void aValidBodyParses() {
        ChatRequest r =
                parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}");

        assertThat(r.model()).isEqualTo("m");
        assertThat(r.messages()).hasSize(1);
        assertThat(r.messages().get(0).content()).isEqualTo(new MessageContent.Text("hi"));
        assertThat(r.isStream()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"model\": \"m\", \"messages\": [",
                "{\"model\": \"m\",}",
                "{model: \"m\"}",
                "{\"model\": 'm'}",
                "{\"model\": \"m\"} trailing",
                "{\"model\": \"m\"} {\"model\": \"n\"}",
                "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"unterminated}]}",
                "{\"temperature\": 1e}",
            })
    void malformedJsonIsA400WithoutParamThatSaysJson(String body) {
        GatewayException e = rejected(body);

        assertThat(e.param()).isNull();
        assertThat(e.getMessage()).contains("JSON");
    }

    @Test
    void anUnclosedArrayReportsWhereItStartedWithoutJacksonInternals() {
        GatewayException e = rejected("{\"model\": \"m\", \"messages\": [");

        assertThat(e.getMessage()).contains("end-of-input").contains("line 1, column 28");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"x\"", "42", "true", "null", "", "   ", "[{\"model\":\"m\"}]"})
    void aBodyThatIsNotAJsonObjectIsA400WithoutParam(String body) {
        GatewayException e = rejected(body);

        assertThat(e.param()).isNull();
        assertThat(e.getMessage()).containsAnyOf("JSON object", "JSON");
    }

    @Test
    void wrongTypeForMessageContentNamesTheParam() {
        GatewayException e = rejected("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":42}]}");

        assertThat(e.param()).isEqualTo("messages[0].content");
        assertThat(e.getMessage()).contains("messages[0].content").contains("string or an array");
    }

    @Test
    void theParamIndexIsTheIndexOfTheOffendingMessage() {
        GatewayException e = rejected("{\"model\":\"m\",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"ok\"},"
                + "{\"role\":\"assistant\",\"content\":\"ok\"},"
                + "{\"role\":\"user\",\"content\":{\"not\":\"allowed\"}}]}");

        assertThat(e.param()).isEqualTo("messages[2].content");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"model\":\"m\",\"messages\":{}}                                     | messages             | an array",
                "{\"model\":\"m\",\"messages\":[1]}                                    | messages[0]          | an object",
                "{\"model\":\"m\",\"temperature\":\"hot\"}                             | temperature          | a number",
                "{\"model\":\"m\",\"stream\":\"yes\"}                                  | stream               | a boolean",
                "{\"model\":\"m\",\"n\":\"two\"}                                       | n                    | an integer",
                "{\"model\":\"m\",\"max_tokens\":[1]}                                  | max_tokens           | an integer",
                "{\"model\":\"m\",\"stop\":[{\"a\":1}]}                                | stop[0]              | a string",
                "{\"model\":\"m\",\"metadata\":[\"a\"]}                                | metadata             | an object",
                "{\"model\":\"m\",\"stream_options\":{\"include_usage\":\"maybe\"}}    | stream_options.include_usage | a boolean",
                "{\"model\":\"m\",\"tools\":[{\"type\":\"function\",\"function\":\"f\"}]} | tools[0].function  | an object",
            })
    void wrongTypesNameTheParamAndTheExpectedType(String body, String param, String expected) {
        GatewayException e = rejected(body);

        assertThat(e.param()).isEqualTo(param);
        assertThat(e.getMessage()).contains("'" + param + "'").contains("expected " + expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}            | messages[0].content[0] | text part needs a string 'text'",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]}               | messages[0].content[0] | content part needs a string 'type'",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[\"x\"]}]}                          | messages[0].content[0] | content part must be an object",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]} | messages[0].content[0] | image_url needs a string 'url'",
                "{\"model\":\"m\",\"response_format\":{\"type\":\"yaml\"}}                                        | response_format        | response_format.type must be one of",
                "{\"model\":\"m\",\"response_format\":{\"type\":\"json_schema\"}}                                 | response_format        | needs a 'json_schema' object",
                "{\"model\":\"m\",\"tool_choice\":42}                                                               | tool_choice            | tool_choice must be a string or an object",
            })
    void ourOwnDeserializerMessagesReachTheClient(String body, String param, String words) {
        GatewayException e = rejected(body);

        assertThat(e.param()).isEqualTo(param);
        assertThat(e.getMessage()).contains(words);
    }

    @Test
    void unknownFieldsAreNotAnError() {
        ChatRequest r = parse("{\"model\":\"m\",\"messages\":[],\"brand_new_param\":{\"x\":1}}");

        assertThat(r.extra()).containsKey("brand_new_param");
    }

    @Test
    void anUnreadableStreamIsA400() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };

        GatewayException e = catchThrowableOfType(GatewayException.class, () -> RequestParser.parse(broken));

        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isNull();
    }
}
