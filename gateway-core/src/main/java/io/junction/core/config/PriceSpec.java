package io.junction.core.config;

/**
 * One price ({@code pricing:} entry, and each row of the shipped {@code pricing.yaml}): USD per
 * 1 million tokens.
 *
 * @param input uncached prompt tokens
 * @param cachedInput prompt tokens read from the provider's prompt cache (default: {@code input})
 * @param cacheWrite prompt tokens written to the prompt cache (default: {@code input})
 * @param output completion tokens
 * @param reasoning reasoning tokens, part of the completion (default: {@code output})
 */
public record PriceSpec(Double input, Double cachedInput, Double cacheWrite, Double output, Double reasoning) {

    public PriceSpec(Double input, Double cachedInput, Double output) {
        this(input, cachedInput, null, output, null);
    }

    public double inputRate() {
        return input == null ? 0 : input;
    }

    public double cachedInputRate() {
        return cachedInput != null ? cachedInput : inputRate();
    }

    public double cacheWriteRate() {
        return cacheWrite != null ? cacheWrite : inputRate();
    }

    public double outputRate() {
        return output == null ? 0 : output;
    }

    public double reasoningRate() {
        return reasoning != null ? reasoning : outputRate();
    }
}
