package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v1/chat/completions",
                "/v1/chat/completions?x=1",
                "/v1/chat/completions?",
                "/v1/models/oai%2Fgpt-4o?y=%20",
                "/v1/models/a+b",
                "/v1/models/%E4%B8%AD#frag",
                "/health#x?y",
                "/",
                "",
                "?only=query",
                "http://host:8080/v1/chat/completions?q",
                "/bad%zz",
            })
    void sameAsQueryStringDecoder(String uri) {
        String expected;
        try {
            expected = new QueryStringDecoder(uri).path();
        } catch (IllegalArgumentException e) {
            expected = "error";
        }
        String actual;
        try {
            actual = RequestHandler.path(uri);
        } catch (IllegalArgumentException e) {
            actual = "error";
        }
        assertThat(actual).isEqualTo(expected);
    }
}
