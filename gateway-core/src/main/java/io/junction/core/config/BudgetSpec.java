package io.junction.core.config;

/**
 * {@code budget:} of a key or team: at most {@code usd} of spend per {@code period}. See
 * docs/governance.md.
 *
 * @param usd the cap in US dollars (cost as priced by the pricing table)
 * @param period {@code 1h}, {@code 1d}, {@code 7d}, {@code 30d} (any {@code <n>h} or {@code <n>d}:
 *     fixed UTC windows counted from the Unix epoch) or {@code month} (calendar month, UTC); default
 *     {@code month}
 * @param alertAt fraction of the budget at which a soft alert is logged and counted once per period
 *     (default 0.8)
 */
public record BudgetSpec(Double usd, String period, Double alertAt) {
    public BudgetSpec {
        period = period == null || period.isBlank() ? "month" : period.strip();
        alertAt = alertAt == null ? 0.8 : alertAt;
    }
}
