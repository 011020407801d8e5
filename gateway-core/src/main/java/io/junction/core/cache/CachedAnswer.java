package io.junction.core.cache;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One cached answer: the complete response normalized to the non-streamed shape (a streamed answer is
 * assembled from the chunks the client received, see {@link StreamAssembler}), without
 * {@code extra_fields}, with the usage the provider reported (or Junction estimated), plus which
 * provider and model produced it and when. Replayed as JSON or as SSE chunks, whatever the original
 * request was.
 *
 * @param response the answer; {@code id} and {@code created} are replaced on every replay
 * @param provider the provider name that answered
 * @param model the model that answered (the target's model)
 * @param storedAtMs when it was stored, epoch milliseconds
 */
public record CachedAnswer(ChatResponse response, String provider, String model, long storedAtMs) {

    /** The wire form for stores that keep bytes (JSON, the OpenAI field names). */
    public byte[] toJson() {
        return Json.bytes(this);
    }

    public static CachedAnswer fromJson(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, CachedAnswer.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Approximate size in bytes (its JSON form), for size-bounded stores. */
    @JsonIgnore
    public int weight() {
        return toJson().length;
    }
}
