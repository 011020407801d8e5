package io.junction.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Cost#format}'s fast path gives exactly what the exact {@code BigDecimal} reference gives. */
class CostFormatTest {
    private static void same(double usd) {
        assertThat(Cost.format(usd)).as("format(%s)", usd).isEqualTo(Cost.formatExact(usd));
    }

    @Test
    void typicalValues() {
        assertThat(Cost.format(1.692E-4)).isEqualTo("0.0001692");
        assertThat(Cost.format(0)).isEqualTo("0");
        assertThat(Cost.format(-0.0)).isEqualTo("0");
        assertThat(Cost.format(100)).isEqualTo("100");
        assertThat(Cost.format(1.5)).isEqualTo("1.5");
        assertThat(Cost.format(1e-11)).isEqualTo("0");
        assertThat(Cost.format(6e-11)).isEqualTo("0.0000000001");
        assertThat(Cost.format(-0.25)).isEqualTo("-0.25");
        for (double d :
                new double[] {0, -0.0, 1, 0.1, 0.2, 0.3, 1e-10, 5e-11, 4.9999e-11, 99.99999999995, 1e3, 123456.789}) {
            same(d);
            same(-d);
        }
    }

    @Test
    void nearHalfUnitsTakeTheExactPath() {
        for (long k = 0; k < 2_000; k++) {
            same((k + 0.5) / 1e10);
            same(-(k + 0.5) / 1e10);
            same(Math.nextUp((k + 0.5) / 1e10));
            same(Math.nextDown((k + 0.5) / 1e10));
        }
    }

    @Test
    void randomValuesAcrossMagnitudes() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            double magnitude = Math.pow(10, r.nextInt(-12, 4)); // 1e-12 .. 1e3 USD
            double v = r.nextDouble() * magnitude * (r.nextBoolean() ? 1 : -1);
            same(v);
        }
    }

    @Test
    void notANumberFailsAsBefore() {
        assertThatThrownBy(() -> Cost.format(Double.NaN)).isInstanceOf(NumberFormatException.class);
    }
}
