package io.junction.server.ledger;

import io.junction.core.pricing.Cost;
import io.junction.core.schema.Usage;
import java.util.List;
import java.util.Map;

/** Usage records for ledger tests. */
final class LedgerFixtures {
    private LedgerFixtures() {}

    static final long T0 = 1_763_000_000_000L; // 2025-11-13T02:13:20Z

    static UsageRecord record(
            String id,
            long ts,
            String key,
            String model,
            String provider,
            int prompt,
            int completion,
            Double costTotal,
            List<String> tags) {
        Cost cost = costTotal == null ? null : Cost.of(costTotal / 2, 0, 0, costTotal / 2);
        return new UsageRecord(
                id,
                ts,
                key,
                model,
                model,
                provider,
                Usage.of(prompt, completion),
                cost,
                false,
                120,
                null,
                35L,
                200,
                "none",
                1,
                false,
                null,
                tags,
                Map.of());
    }

    static UsageRecord record(String id) {
        return record(id, T0, "team-a", "gpt-4o-mini", "oai", 10, 5, 0.001, List.of());
    }
}
