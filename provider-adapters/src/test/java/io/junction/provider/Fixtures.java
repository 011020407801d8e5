package io.junction.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Recorded provider payloads under {@code src/test/resources/fixtures/} (see SOURCES.md there). */
public final class Fixtures {
    private Fixtures() {}

    public static byte[] bytes(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String string(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    public static JsonNode tree(String path) {
        try {
            return Json.MAPPER.readTree(bytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
