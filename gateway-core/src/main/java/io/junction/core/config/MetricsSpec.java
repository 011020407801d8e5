package io.junction.core.config;

/**
 * {@code metrics:} — optional, bounded label dimensions of the Prometheus metrics.
 *
 * @param keyLabels label token and cost counters with the client key's name (default false: the
 *     label is {@code key="all"}); key names come from the config, so the count is bounded by it
 * @param maxKeyLabels at most this many distinct key names become label values; later ones are
 *     counted under {@code key="other"} (default 100)
 */
public record MetricsSpec(Boolean keyLabels, Integer maxKeyLabels) {
    public static final MetricsSpec DEFAULTS = new MetricsSpec(null, null);

    public MetricsSpec {
        keyLabels = keyLabels == null ? Boolean.FALSE : keyLabels;
        maxKeyLabels = maxKeyLabels == null ? 100 : maxKeyLabels;
    }
}
