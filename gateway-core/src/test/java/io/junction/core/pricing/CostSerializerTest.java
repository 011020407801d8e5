package io.junction.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.junction.core.schema.Json;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link CostSerializer} against Jackson's bean serializer for the {@link Cost} record: the same text. */
class CostSerializerTest {
    @JsonSerialize(using = JsonSerializer.None.class)
    abstract static class BeanPath {}

    private static final ObjectMapper BEAN = Json.MAPPER.copy().addMixIn(Cost.class, BeanPath.class);

    @Test
    void writesWhatTheBeanSerializerWrites() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        Cost[] costs = new Cost[2_000];
        costs[0] = Cost.ZERO;
        costs[1] = Cost.of(1.5e-7, 0, 2.5e-6, 3e-4);
        costs[2] = Cost.of(-0.0, 1e21, 123456.789, 1e-10);
        for (int i = 3; i < costs.length; i++) {
            costs[i] = Cost.of(
                    random.nextDouble() * 0.01,
                    random.nextInt(3) == 0 ? 0 : random.nextDouble() * 1e-5,
                    random.nextDouble() * Math.pow(10, random.nextInt(-12, 6)),
                    random.nextDouble() * 10);
        }
        for (Cost c : costs) {
            String expected = BEAN.writeValueAsString(c);
            assertThat(Json.MAPPER.writeValueAsString(c)).isEqualTo(expected);
            // inside another object, as in extra_fields
            assertThat(Json.MAPPER.writeValueAsString(java.util.Map.of("cost", c)))
                    .isEqualTo(BEAN.writeValueAsString(java.util.Map.of("cost", c)));
        }
        assertThat(BEAN.writeValueAsString(costs[1])).startsWith("{\"input\":1.5E-7,\"cached_input\":0.0,");
    }

    @Test
    void nonFiniteNumbersAreWrittenAsTheGeneratorWritesThem() throws Exception {
        Cost c = new Cost(Double.NaN, Double.POSITIVE_INFINITY, 0, 0, Double.NaN);
        assertThat(Json.MAPPER.writeValueAsString(c)).isEqualTo(BEAN.writeValueAsString(c));
    }
}
