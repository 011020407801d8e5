package io.junction.core.schema;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.ResolvableDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one of the schema's small records that keep unknown fields in an {@code extra} map (messages,
 * usage), field by field, instead of through Jackson's record creator. The creator path costs a
 * property buffer, its array and an any-setter map per record; here it is one small array, and the
 * map only when an unknown field is there. Per field it gives what the creator gives: the value read
 * by the deserializer of the field's type (so coercions and mismatch errors are Jackson's own), a
 * JSON null as null, a failure wrapped with the field's name (the param path a client sees, as in
 * {@code messages[2].role}), the last value of a repeated field; every other field goes to
 * {@code extra} as Jackson's untyped value, in order, the first value of a repeated one kept.
 * {@code ChatMessageReadingTest} and {@code UsageReadingTest} hold each subclass to the creator,
 * input by input.
 */
abstract class RecordFieldsDeserializer<T> extends StdDeserializer<T> implements ResolvableDeserializer {
    private static final long serialVersionUID = 1L;
    private final String[] names; // JSON names
    private final transient Type[] types;
    private transient JsonDeserializer<Object>[] fields;
    private transient JsonDeserializer<Object> untyped;

    /** {@code names[i]} is read as {@code types[i]} into {@code values[i]} of {@link #build}. */
    protected RecordFieldsDeserializer(Class<T> type, String[] names, Type[] types) {
        super(type);
        if (names.length != types.length) {
            throw new IllegalArgumentException("one type per name");
        }
        this.names = names;
        this.types = types;
    }

    /** The record from the known fields' values (null when absent) and the unknown ones (null when none). */
    protected abstract T build(Object[] values, Map<String, Object> extra);

    @Override
    @SuppressWarnings("unchecked")
    public void resolve(DeserializationContext ctxt) throws JsonMappingException {
        JsonDeserializer<Object>[] resolved = new JsonDeserializer[types.length];
        for (int i = 0; i < types.length; i++) {
            resolved[i] = ctxt.findRootValueDeserializer(ctxt.getTypeFactory().constructType(types[i]));
        }
        fields = resolved;
        untyped = ctxt.findRootValueDeserializer(ctxt.constructType(Object.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            t = p.nextToken();
        } else if (t != JsonToken.FIELD_NAME && t != JsonToken.END_OBJECT) {
            return (T) ctxt.handleUnexpectedToken(handledType(), p);
        }
        Object[] values = new Object[names.length];
        Map<String, Object> extra = null;
        for (; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            boolean isNull = p.nextToken() == JsonToken.VALUE_NULL;
            int i = indexOf(field);
            try {
                if (i >= 0) {
                    values[i] = isNull ? null : fields[i].deserialize(p, ctxt);
                } else {
                    Object value = isNull ? null : untyped.deserialize(p, ctxt);
                    if (extra == null) {
                        extra = new LinkedHashMap<>();
                    }
                    if (!extra.containsKey(field)) {
                        extra.put(field, value);
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw wrap(e, field, ctxt);
            }
        }
        if (t != JsonToken.END_OBJECT) {
            return (T) ctxt.handleUnexpectedToken(handledType(), p);
        }
        return build(values, extra);
    }

    private int indexOf(String field) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(field)) {
                return i;
            }
        }
        return -1;
    }

    /** As Jackson's bean deserializers wrap a property's failure: I/O errors as they are, the rest with the path. */
    private IOException wrap(Exception e, String field, DeserializationContext ctxt) throws IOException {
        if (e instanceof IOException io
                && (!(e instanceof JacksonException) || !ctxt.isEnabled(DeserializationFeature.WRAP_EXCEPTIONS))) {
            throw io;
        }
        return JsonMappingException.wrapWithPath(e, handledType(), field);
    }
}
