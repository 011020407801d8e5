package io.junction.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Recorded provider payloads from {@code src/test/resources/fixtures/} (provenance: fixtures/SOURCES.md). */
final class Fixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    static String text(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String path) {
        return parse(text(path));
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code data:} payloads of an SSE body, in order, {@code [DONE]} included. */
    static List<String> sseData(String sse) {
        List<String> out = new ArrayList<>();
        for (String event : sse.replace("\r\n", "\n").split("\n\n")) {
            StringBuilder data = null;
            for (String line : event.split("\n")) {
                if (line.startsWith("data:")) {
                    String v = line.substring(5);
                    if (v.startsWith(" ")) {
                        v = v.substring(1);
                    }
                    data = data == null
                            ? new StringBuilder(v)
                            : data.append('\n').append(v);
                }
            }
            if (data != null) {
                out.add(data.toString());
            }
        }
        return out;
    }

    /** A {@code .jsonl} fixture (one data payload per line) re-wrapped as the SSE body the provider sent. */
    static String jsonlAsSse(String path) {
        StringBuilder sb = new StringBuilder();
        for (String line : jsonlLines(path)) {
            sb.append("data: ").append(line).append("\n\n");
        }
        return sb.append("data: [DONE]\n\n").toString();
    }

    static List<String> jsonlLines(String path) {
        List<String> out = new ArrayList<>();
        for (String line : text(path).split("\n")) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }

    /** The text of all {@code choices[0].delta.content} of the given chunk payloads, concatenated. */
    static String concatenatedContent(List<String> payloads) {
        StringBuilder sb = new StringBuilder();
        for (String p : payloads) {
            if (p.equals("[DONE]")) {
                continue;
            }
            JsonNode choices = parse(p).path("choices");
            for (JsonNode c : choices) {
                JsonNode content = c.path("delta").path("content");
                if (content.isTextual()) {
                    sb.append(content.asText());
                }
            }
        }
        return sb.toString();
    }

    /** True for the include_usage chunk: no choices, a usage object. */
    static boolean isUsageChunk(String payload) {
        if (payload.equals("[DONE]")) {
            return false;
        }
        JsonNode n = parse(payload);
        return n.path("choices").isArray()
                && n.path("choices").isEmpty()
                && n.path("usage").isObject();
    }
}
