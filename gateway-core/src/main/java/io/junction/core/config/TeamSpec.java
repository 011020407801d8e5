package io.junction.core.config;

/**
 * One {@code teams:} entry: a budget and limits shared by every key of the team (each key's own
 * budget and limits apply too). See docs/governance.md.
 */
public record TeamSpec(BudgetSpec budget, LimitsSpec limits) {}
