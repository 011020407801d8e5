package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** W3C traceparent: what is accepted and what is sent upstream. */
class TraceContextTest {
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static HttpHeaders headers(String traceparent, String tracestate) {
        HttpHeaders h = new DefaultHttpHeaders();
        if (traceparent != null) {
            h.set("traceparent", traceparent);
        }
        if (tracestate != null) {
            h.set("tracestate", tracestate);
        }
        return h;
    }

    @Test
    void aValidHeaderIsAcceptedAndPropagatedWithItsState() {
        HttpHeaders h = headers(VALID, "congo=t61rcWkgMzE");
        assertThat(TraceContext.traceparent(h)).isEqualTo(VALID);
        assertThat(TraceContext.propagation(h, VALID))
                .containsExactly(Map.entry("traceparent", VALID), Map.entry("tracestate", "congo=t61rcWkgMzE"));
        assertThat(TraceContext.propagation(headers(VALID, null), VALID)).containsOnlyKeys("traceparent");
        assertThat(TraceContext.traceparent(headers(null, null))).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero parent id
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // no flags
                "not a traceparent"
            })
    void anInvalidHeaderIsIgnored(String value) {
        assertThat(TraceContext.traceparent(headers(value, null))).isNull();
    }
}
