package io.junction.core.pricing;

/**
 * What one call cost, in USD, by part. {@code input} is uncached prompt tokens, {@code cachedInput}
 * prompt-cache reads, {@code cacheWrite} prompt-cache writes, {@code output} completion tokens
 * (reasoning included); {@code total} is their sum.
 */
public record Cost(double input, double cachedInput, double cacheWrite, double output, double total) {
    public static final Cost ZERO = new Cost(0, 0, 0, 0, 0);

    public static Cost of(double input, double cachedInput, double cacheWrite, double output) {
        return new Cost(input, cachedInput, cacheWrite, output, input + cachedInput + cacheWrite + output);
    }

    /** {@code total} as a plain decimal string for headers and CSV (no exponent). */
    public String totalString() {
        return format(total);
    }

    public static String format(double usd) {
        return new java.math.BigDecimal(usd)
                .setScale(10, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }
}
