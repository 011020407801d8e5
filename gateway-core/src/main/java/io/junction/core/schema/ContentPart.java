package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One part of an array content. Text and image parts are typed; any other part type
 * ({@code input_audio}, {@code file}, {@code refusal}, ...) is kept verbatim as {@link Other}.
 */
@JsonDeserialize(using = ContentPart.Deserializer.class)
public sealed interface ContentPart {

    String type();

    @JsonPropertyOrder({"type", "text"})
    record TextPart(
            String text, @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) implements ContentPart {
        public TextPart {
            extra = extra == null ? new LinkedHashMap<>() : extra;
        }

        public TextPart(String text) {
            this(text, null);
        }

        @Override
        @JsonProperty("type")
        public String type() {
            return "text";
        }
    }

    @JsonPropertyOrder({"type", "image_url"})
    record ImageUrlPart(
            ImageUrl imageUrl, @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) implements ContentPart {
        public ImageUrlPart {
            extra = extra == null ? new LinkedHashMap<>() : extra;
        }

        @Override
        @JsonProperty("type")
        public String type() {
            return "image_url";
        }
    }

    /** {@code url} is an http(s) URL or a {@code data:} URL; {@code detail} is auto/low/high. */
    record ImageUrl(String url, String detail) {}

    /** A part type Junction does not translate; kept as the client sent it. */
    record Other(@JsonValue ObjectNode node) implements ContentPart {
        @Override
        public String type() {
            JsonNode t = node.get("type");
            return t == null ? null : t.asText();
        }
    }

    final class Deserializer extends StdDeserializer<ContentPart> {
        private static final long serialVersionUID = 1L;

        public Deserializer() {
            super(ContentPart.class);
        }

        @Override
        public ContentPart deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = ctxt.readTree(p);
            if (!(node instanceof ObjectNode obj)) {
                return (ContentPart) ctxt.reportInputMismatch(ContentPart.class, "content part must be an object");
            }
            JsonNode type = obj.get("type");
            if (type == null || !type.isTextual()) {
                return (ContentPart) ctxt.reportInputMismatch(ContentPart.class, "content part needs a string 'type'");
            }
            ObjectNode rest = obj.deepCopy();
            rest.remove("type");
            return switch (type.asText()) {
                case "text" -> {
                    JsonNode text = rest.remove("text");
                    if (text == null || !text.isTextual()) {
                        yield (ContentPart)
                                ctxt.reportInputMismatch(ContentPart.class, "text part needs a string 'text'");
                    }
                    yield new TextPart(text.asText(), toMap(ctxt, rest));
                }
                case "image_url" -> {
                    JsonNode image = rest.remove("image_url");
                    if (image == null || !(image.isObject() || image.isTextual())) {
                        yield (ContentPart) ctxt.reportInputMismatch(
                                ContentPart.class, "image_url part needs an 'image_url' object");
                    }
                    ImageUrl url = image.isTextual()
                            ? new ImageUrl(image.asText(), null)
                            : new ImageUrl(
                                    image.path("url").isTextual()
                                            ? image.get("url").asText()
                                            : null,
                                    image.path("detail").isTextual()
                                            ? image.get("detail").asText()
                                            : null);
                    if (url.url() == null) {
                        yield (ContentPart)
                                ctxt.reportInputMismatch(ContentPart.class, "image_url needs a string 'url'");
                    }
                    yield new ImageUrlPart(url, toMap(ctxt, rest));
                }
                default -> new Other(obj);
            };
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> toMap(DeserializationContext ctxt, ObjectNode rest) throws IOException {
            if (rest.isEmpty()) {
                return null;
            }
            return ctxt.readTreeAsValue(rest, LinkedHashMap.class);
        }
    }
}
