package io.junction.core.pricing;

/**
 * What one call cost, in USD, by part. {@code input} is uncached prompt tokens, {@code cachedInput}
 * prompt-cache reads, {@code cacheWrite} prompt-cache writes, {@code output} completion tokens
 * (reasoning included); {@code total} is their sum.
 */
@com.fasterxml.jackson.databind.annotation.JsonSerialize(using = CostSerializer.class)
public record Cost(double input, double cachedInput, double cacheWrite, double output, double total) {
    public static final Cost ZERO = new Cost(0, 0, 0, 0, 0);

    public static Cost of(double input, double cachedInput, double cacheWrite, double output) {
        return new Cost(input, cachedInput, cacheWrite, output, input + cachedInput + cacheWrite + output);
    }

    /** {@code total} as a plain decimal string for headers and CSV (no exponent). */
    public String totalString() {
        return format(total);
    }

    /**
     * {@code usd} rounded half-up to 10 decimal places, trailing zeros dropped, never an exponent
     * ({@code 0.0001692}). Exactly what {@link #formatExact} gives, computed in a {@code long} when
     * that is unambiguous: below $100, {@code usd * 1e10} is off by less than 2e-4 of a unit, so only
     * a value within 1e-3 of a half unit (a possible tie) takes the exact {@code BigDecimal} path.
     * The {@code BigDecimal} of a double's exact binary value allocated ~1.3 KB per request.
     */
    public static String format(double usd) {
        double scaled = Math.abs(usd) * 1e10;
        if (scaled < 1e12) { // false for NaN and infinities too
            double whole = Math.floor(scaled);
            double frac = scaled - whole;
            if (Math.abs(frac - 0.5) > 1e-3) {
                long units = (long) whole + (frac > 0.5 ? 1 : 0);
                return plain(usd < 0 && units != 0, units);
            }
        }
        return formatExact(usd);
    }

    /** The reference: the exact binary value as a {@code BigDecimal}, rounded half-up to 10 places. */
    static String formatExact(double usd) {
        return new java.math.BigDecimal(usd)
                .setScale(10, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }

    /** {@code units} ten-billionths of a dollar as a plain decimal. */
    private static String plain(boolean negative, long units) {
        long integer = units / 10_000_000_000L;
        long fraction = units % 10_000_000_000L;
        StringBuilder sb = new StringBuilder(24);
        if (negative) {
            sb.append('-');
        }
        sb.append(integer);
        if (fraction != 0) {
            int digits = 10;
            while (fraction % 10 == 0) {
                fraction /= 10;
                digits--;
            }
            sb.append('.');
            String f = Long.toString(fraction);
            for (int i = f.length(); i < digits; i++) {
                sb.append('0');
            }
            sb.append(f);
        }
        return sb.toString();
    }
}
