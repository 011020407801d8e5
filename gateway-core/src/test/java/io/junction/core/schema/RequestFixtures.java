package io.junction.core.schema;

import java.util.List;

/** Small valid requests for tests. */
final class RequestFixtures {
    private RequestFixtures() {}

    static ChatRequest minimal() {
        return new ChatRequest.Builder()
                .model("gpt-4o-mini")
                .messages(List.of(ChatMessage.of("user", "hi")))
                .build();
    }
}
