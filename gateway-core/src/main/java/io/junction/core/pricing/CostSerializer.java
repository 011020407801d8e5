package io.junction.core.pricing;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * {@link Cost} as JSON, the text Jackson's bean serializer writes for it ({@code Double.toString} of
 * each part, snake_case names), with each number formatted into a reused buffer: a response's
 * {@code extra_fields} cost no longer allocates a {@code String} and a boxed {@code Double} per part
 * (~0.4 KB per request). Held to the bean serializer by {@code CostSerializerTest}.
 */
public final class CostSerializer extends StdSerializer<Cost> {
    private static final ThreadLocal<Digits> DIGITS = ThreadLocal.withInitial(Digits::new);

    public CostSerializer() {
        super(Cost.class);
    }

    @Override
    public void serialize(Cost cost, JsonGenerator g, SerializerProvider provider) throws IOException {
        Digits d = DIGITS.get();
        g.writeStartObject(cost);
        field(g, d, "input", cost.input());
        field(g, d, "cached_input", cost.cachedInput());
        field(g, d, "cache_write", cost.cacheWrite());
        field(g, d, "output", cost.output());
        field(g, d, "total", cost.total());
        g.writeEndObject();
    }

    private static void field(JsonGenerator g, Digits d, String name, double value) throws IOException {
        g.writeFieldName(name);
        if (!Double.isFinite(value)) {
            g.writeNumber(value); // the generator's own rules for NaN and infinities
            return;
        }
        // StringBuilder.append(double) writes Double.toString's digits in place, no String
        d.text.setLength(0);
        d.text.append(value);
        int n = d.text.length();
        d.text.getChars(0, n, d.chars, 0);
        g.writeNumber(d.chars, 0, n);
    }

    /** One per thread: the text of a number, and its characters for the generator. */
    private static final class Digits {
        final StringBuilder text = new StringBuilder(32);
        final char[] chars = new char[32];
    }
}
