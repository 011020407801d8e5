package io.junction.it;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Junction's Prometheus text exposition. */
final class Metrics {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Metrics() {}

    /** The value of {@code junction_requests_total} for these labels; 0 when the series does not exist. */
    static double requests(String scrape, String endpoint, String model, String provider, int status) {
        return value(
                scrape,
                "junction_requests_total",
                Map.of(
                        "endpoint", endpoint,
                        "model", model,
                        "provider", provider,
                        "status", Integer.toString(status)));
    }

    /**
     * The sum of the samples of {@code name} whose labels include all of {@code labels} (other labels,
     * such as {@code error_type}, may have any value); 0 when there is none.
     */
    static double value(String scrape, String name, Map<String, String> labels) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.find() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) {
                found.put(l.group(1), l.group(2));
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }
}
