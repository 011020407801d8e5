package io.junction.core.govern;

import io.junction.core.config.BudgetSpec;
import io.junction.core.config.LimitsSpec;

/**
 * The caps of one scope ({@code key:<name>} or {@code team:<name>}), compiled from config: null
 * means no cap. Budgets are held in micro-dollars so every store counts in exact integers.
 */
public record Policy(
        String scope, Long rpm, Long tpm, Integer concurrent, Long budgetMicros, BudgetPeriod period, double alertAt) {

    public static Policy of(String scope, BudgetSpec budget, LimitsSpec limits) {
        LimitsSpec l = limits == null ? LimitsSpec.NONE : limits;
        Long micros = budget == null || budget.usd() == null ? null : Math.round(budget.usd() * 1_000_000);
        return new Policy(
                scope,
                l.rpm(),
                l.tpm(),
                l.concurrent(),
                micros,
                micros == null ? null : BudgetPeriod.parse(budget.period()),
                budget == null ? 0.8 : budget.alertAt());
    }

    public static Policy forKey(String name, BudgetSpec budget, LimitsSpec limits) {
        return of("key:" + name, budget, limits);
    }

    public static Policy forTeam(String name, BudgetSpec budget, LimitsSpec limits) {
        return of("team:" + name, budget, limits);
    }

    /** True when this scope caps nothing: admission can skip the store. */
    public boolean unlimited() {
        return rpm == null && tpm == null && concurrent == null && budgetMicros == null;
    }

    /** The scope's kind and name for messages: {@code key 'bot'}, {@code team 'research'}. */
    public String describe() {
        int colon = scope.indexOf(':');
        return scope.substring(0, colon) + " '" + scope.substring(colon + 1) + "'";
    }
}
