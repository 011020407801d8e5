package io.junction.provider.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ToolCall;
import org.junit.jupiter.api.Test;

class ToolCallsTest {
    private static final String P = "messages[1].tool_calls[0]";

    @Test
    void argumentsAreParsedIntoAnObjectAndEmptyMeansEmptyObject() {
        assertThat(ToolCalls.arguments(ToolCall.function("c1", "f", "{\"city\":\"Paris\",\"n\":2}"), P, "x")
                        .toString())
                .isEqualTo("{\"city\":\"Paris\",\"n\":2}");
        assertThat(ToolCalls.arguments(ToolCall.function("c1", "f", " "), P, "x"))
                .isEmpty();
        assertThat(ToolCalls.arguments(ToolCall.function("c1", "f", null), P, "x"))
                .isEmpty();
    }

    @Test
    void eachProblemIsA400NamingItsParam() {
        assertParam(
                new ToolCall(null, "c", "custom", new ToolCall.FunctionCall("f", "{}")),
                P + ".type",
                "provider type bedrock");
        assertParam(new ToolCall(null, "c", "function", null), P + ".function.name", "Missing required parameter");
        assertParam(ToolCall.function("c", "f", "{nope"), P + ".function.arguments", "not valid JSON");
        assertParam(ToolCall.function("c", "f", "{\"a\":1} trailing"), P + ".function.arguments", "not valid JSON");
        assertParam(
                ToolCall.function("c", "f", "[1,2]"),
                P + ".function.arguments",
                "provider type bedrock needs a JSON object");
    }

    private static void assertParam(ToolCall call, String param, String message) {
        assertThatThrownBy(() -> ToolCalls.arguments(call, P, "bedrock"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo(param);
                    assertThat(e.getMessage()).contains(message);
                });
    }
}
