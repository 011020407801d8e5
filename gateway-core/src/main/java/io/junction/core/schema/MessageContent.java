package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.List;

/** Message content: a plain string, or an array of content parts. */
@JsonDeserialize(using = MessageContent.Deserializer.class)
public sealed interface MessageContent {

    /** All text of the content; parts other than text are skipped. */
    String text();

    record Text(@JsonValue String value) implements MessageContent {
        @Override
        public String text() {
            return value;
        }
    }

    record Parts(@JsonValue List<ContentPart> parts) implements MessageContent {
        @Override
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (ContentPart p : parts) {
                if (p instanceof ContentPart.TextPart t && t.text() != null) {
                    sb.append(t.text());
                }
            }
            return sb.toString();
        }
    }

    final class Deserializer extends StdDeserializer<MessageContent> {
        private static final long serialVersionUID = 1L;

        public Deserializer() {
            super(MessageContent.class);
        }

        @Override
        public MessageContent deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return new Text(p.getText());
            }
            if (p.currentToken() == JsonToken.START_ARRAY) {
                JavaType type = ctxt.getTypeFactory().constructCollectionType(List.class, ContentPart.class);
                List<ContentPart> parts = ctxt.readValue(p, type);
                return new Parts(parts);
            }
            return (MessageContent)
                    ctxt.reportInputMismatch(MessageContent.class, "expected a string or an array of content parts");
        }
    }
}
