package io.junction.core.config;

/**
 * {@code metrics:} — optional, bounded label dimensions of the Prometheus metrics.
 *
 * @param keyLabels label token and cost counters with the client key's name (default false: the
 *     label is {@code key="all"}); key names come from the config, so the count is bounded by it
 * @param maxKeyLabels at most this many distinct key names become label values; later ones are
 *     counted under {@code key="other"} (default 100)
 * @param tagLabels publish {@code junction_tag_requests_total{tag}} and
 *     {@code junction_tag_cost_usd_total{tag}} from the requests' {@code tags} (default false)
 * @param maxTagLabels at most this many distinct tags become label values; later ones are counted
 *     under {@code tag="other"} (default 50)
 */
public record MetricsSpec(Boolean keyLabels, Integer maxKeyLabels, Boolean tagLabels, Integer maxTagLabels) {
    public static final MetricsSpec DEFAULTS = new MetricsSpec(null, null, null, null);

    public MetricsSpec {
        keyLabels = keyLabels == null ? Boolean.FALSE : keyLabels;
        maxKeyLabels = maxKeyLabels == null ? 100 : maxKeyLabels;
        tagLabels = tagLabels == null ? Boolean.FALSE : tagLabels;
        maxTagLabels = maxTagLabels == null ? 50 : maxTagLabels;
    }

    public MetricsSpec(Boolean keyLabels, Integer maxKeyLabels) {
        this(keyLabels, maxKeyLabels, null, null);
    }
}
