package io.junction.core.validate;

import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;

/** Bytes to {@link ChatRequest}: malformed JSON and wrong types become 400s that name the param. */
public final class RequestParser {
    // trailing tokens: "{...} garbage" is not a JSON document, so it must not half-succeed
    private static final ObjectReader READER =
            Json.MAPPER.readerFor(ChatRequest.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Jackson's location text, e.g. {@code [Source: REDACTED (`StreamReadFeature...` disabled); line: 1, column: 28]}. */
    private static final Pattern SOURCE_LOCATION =
            Pattern.compile("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]");

    private RequestParser() {}

    public static ChatRequest parse(InputStream body) {
        return parse(READER, body);
    }

    /** {@link #parse(InputStream)} with another reader: tests compare Jackson configurations by what a client sees. */
    static ChatRequest parse(ObjectReader reader, InputStream body) {
        try {
            ChatRequest request = reader.readValue(body);
            if (request == null) {
                throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
            }
            return request;
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamReadException parse) {
                throw malformed(parse);
            }
            String param = path(e);
            if (param == null) {
                throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
            }
            throw GatewayException.invalidRequest(param, "Invalid '" + param + "': " + explain(e) + ".");
        } catch (StreamReadException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw GatewayException.invalidRequest(null, "Could not read the request body: " + e.getMessage());
        }
    }

    private static GatewayException malformed(StreamReadException e) {
        return GatewayException.invalidRequest(
                null,
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP"
                        + " library correctly. The OpenAI API expects a JSON payload.) Problem: "
                        + problem(e));
    }

    /** Jackson's description without its internal source description (which names Java types). */
    private static String problem(StreamReadException e) {
        String msg = e.getOriginalMessage();
        if (msg == null) {
            return "invalid JSON";
        }
        msg = SOURCE_LOCATION.matcher(msg).replaceAll("line $1, column $2");
        return msg.contains("`") ? "invalid JSON" : msg;
    }

    /** A message for the client: our deserializers' own words, or "expected <type>" for Jackson's. */
    private static String explain(JsonMappingException e) {
        String msg = e.getOriginalMessage();
        boolean jacksonInternal = msg == null || msg.contains("`") || msg.startsWith("Cannot ");
        if (!jacksonInternal) {
            return msg;
        }
        if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
            return "expected " + typeName(mie.getTargetType());
        }
        return "invalid value";
    }

    private static String typeName(Class<?> t) {
        if (t == String.class) {
            return "a string";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "a boolean";
        }
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(t) || t.isPrimitive()) {
            return "a number";
        }
        if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) {
            return "an array";
        }
        return "an object";
    }

    /** Jackson's path (messages[0].content) in OpenAI's param notation. */
    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
