package io.junction.server.ledger;

import static io.junction.server.ledger.LedgerFixtures.T0;
import static io.junction.server.ledger.LedgerFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.junction.core.error.GatewayException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL ledger on a SQLite file: schema creation and migration, inserts, and every grouping. */
class JdbcUsageStoreTest {
    private static final long DAY = 24L * 3600 * 1000;

    @TempDir
    Path dir;

    private static UsageQuery query(long from, long to, UsageQuery.GroupBy g) {
        return new UsageQuery(from, to, g);
    }

    @Test
    void createsTheFileAndItsDirectoryAndIsIdempotentAcrossRestarts() throws Exception {
        Path file = dir.resolve("a/b/usage.db");
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(file)) {
            s.insert(List.of(record("r1")));
        }
        assertThat(Files.isRegularFile(file)).isTrue();
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(file)) { // migrate again: no error, data kept
            assertThat(s.count()).isEqualTo(1);
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), MAX(version) FROM junction_schema")) {
            rs.next();
            assertThat(rs.getInt(1))
                    .as("one row per migration, none repeated")
                    .isEqualTo(JdbcUsageStore.SCHEMA_VERSION);
            assertThat(rs.getInt(2)).isEqualTo(JdbcUsageStore.SCHEMA_VERSION);
        }
    }

    @Test
    void aVersion1LedgerIsMigratedAndCacheHitsAreCounted() throws Exception {
        Path file = dir.resolve("v1.db");
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(file)) {
            s.insert(List.of(record("old")));
        }
        // turn it back into a version 1 ledger: no cache_hit column, no version 2 row
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.createStatement().execute("ALTER TABLE usage_record DROP COLUMN cache_hit");
            c.createStatement().execute("DELETE FROM junction_schema WHERE version = 2");
        }
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(file)) {
            assertThat(s.count()).as("rows kept").isEqualTo(1);
            s.insert(List.of(record("hit").asCacheHit()));
            List<UsageRow> rows = s.aggregate(query(0, Long.MAX_VALUE, UsageQuery.GroupBy.KEY));
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).requests()).isEqualTo(2);
            assertThat(rows.get(0).cacheHits())
                    .as("the old row is no hit, the new one is")
                    .isEqualTo(1);
        }
    }

    @Test
    void refusesALedgerFromANewerJunction() throws Exception {
        Path file = dir.resolve("usage.db");
        JdbcUsageStore.sqlite(file).close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.createStatement().execute("INSERT INTO junction_schema (version) VALUES (99)");
        }
        assertThatThrownBy(() -> JdbcUsageStore.sqlite(file)).hasMessageContaining("newer");
    }

    @Test
    void storesEveryFieldOfARecord() throws Exception {
        Path file = dir.resolve("usage.db");
        UsageRecord r = new UsageRecord(
                "req-1",
                T0,
                "team-a",
                "fast",
                "gpt-4o-mini",
                "oai",
                new io.junction.core.schema.Usage(
                        100,
                        50,
                        150,
                        new io.junction.core.schema.Usage.PromptTokensDetails(40, null, 10, null),
                        new io.junction.core.schema.Usage.CompletionTokensDetails(20, null, null, null, null),
                        null),
                io.junction.core.pricing.Cost.of(0.1, 0.2, 0.3, 0.4),
                true,
                900,
                250L,
                42L,
                499,
                "caller_cancelled",
                2,
                true,
                "sess-9",
                List.of("a", "b"),
                Map.of("team", "x"));
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(file)) {
            s.insert(List.of(r));
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs = c.createStatement().executeQuery("SELECT * FROM usage_record")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("request_id")).isEqualTo("req-1");
            assertThat(rs.getLong("ts_ms")).isEqualTo(T0);
            assertThat(rs.getString("day")).isEqualTo("2025-11-13");
            assertThat(rs.getString("key_name")).isEqualTo("team-a");
            assertThat(rs.getString("model_requested")).isEqualTo("fast");
            assertThat(rs.getString("model_used")).isEqualTo("gpt-4o-mini");
            assertThat(rs.getString("provider")).isEqualTo("oai");
            assertThat(rs.getLong("prompt_tokens")).isEqualTo(100);
            assertThat(rs.getLong("completion_tokens")).isEqualTo(50);
            assertThat(rs.getLong("cached_tokens")).isEqualTo(40);
            assertThat(rs.getLong("cache_write_tokens")).isEqualTo(10);
            assertThat(rs.getLong("reasoning_tokens")).isEqualTo(20);
            assertThat(rs.getDouble("cost_total")).isCloseTo(1.0, within(1e-12));
            assertThat(rs.getDouble("cost_cache_write")).isCloseTo(0.3, within(1e-12));
            assertThat(rs.getInt("usage_estimated")).isEqualTo(1);
            assertThat(rs.getLong("latency_ms")).isEqualTo(900);
            assertThat(rs.getLong("ttft_ms")).isEqualTo(250);
            assertThat(rs.getLong("overhead_us")).isEqualTo(42);
            assertThat(rs.getInt("status")).isEqualTo(499);
            assertThat(rs.getString("error_type")).isEqualTo("caller_cancelled");
            assertThat(rs.getInt("attempts")).isEqualTo(2);
            assertThat(rs.getInt("stream")).isEqualTo(1);
            assertThat(rs.getString("session_id")).isEqualTo("sess-9");
            assertThat(rs.getString("tags")).isEqualTo("[\"a\",\"b\"]");
            assertThat(rs.getString("labels")).isEqualTo("{\"team\":\"x\"}");
        }
    }

    @Test
    void labelsKeepTheRequestsOrderInTheRowAndAreCopiedOnce() throws Exception {
        // Map.copyOf, used before, iterates in an order that changes from one JVM to the next
        java.util.LinkedHashMap<String, String> labels = new java.util.LinkedHashMap<>();
        for (String k : List.of("zeta", "alpha", "mu", "beta", "omega", "gamma", "delta", "kappa")) {
            labels.put(k, k.toUpperCase(java.util.Locale.ROOT));
        }
        UsageRecord base = record("req-order");
        UsageRecord r = new UsageRecord(
                base.requestId(),
                base.timestampMs(),
                base.keyName(),
                base.modelRequested(),
                base.modelUsed(),
                base.provider(),
                base.usage(),
                base.cost(),
                false,
                base.latencyMs(),
                null,
                null,
                200,
                "none",
                1,
                false,
                null,
                List.of(),
                labels);
        labels.put("late", "added after the record was made");
        assertThat(r.labels().keySet())
                .containsExactly("zeta", "alpha", "mu", "beta", "omega", "gamma", "delta", "kappa");
        assertThatThrownBy(() -> r.labels().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.labels().entrySet().iterator().next().setValue("y"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(r.labels().get("mu")).isEqualTo("MU");
        assertThat(r.labels()).hasSize(8).doesNotContainKey("late");
        labels.remove("late");
        assertThat(r.labels()).isEqualTo(labels);
        UsageRecord priced = r.withUsage(r.usage(), null, true);
        assertThat(priced.labels()).isSameAs(r.labels());

        Path file = dir.resolve("labels.db");
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(file)) {
            s.insert(List.of(priced));
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs = c.createStatement().executeQuery("SELECT labels FROM usage_record")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1))
                    .isEqualTo("{\"zeta\":\"ZETA\",\"alpha\":\"ALPHA\",\"mu\":\"MU\",\"beta\":\"BETA\","
                            + "\"omega\":\"OMEGA\",\"gamma\":\"GAMMA\",\"delta\":\"DELTA\",\"kappa\":\"KAPPA\"}");
        }
    }

    @Test
    void rowIdsAreTimeOrderedUuidsSoNewRowsAppendToThePrimaryKeyIndex() throws Exception {
        Path file = dir.resolve("usage.db");
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(file)) {
            s.insert(List.of(
                    record("r1", T0, "k", "m", "p", 1, 1, null, List.of()),
                    record("r2", T0 + 1, "k", "m", "p", 1, 1, null, List.of())));
            s.insert(List.of(record("r3", T0 + 60_000, "k", "m", "p", 1, 1, null, List.of())));
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT request_id, ts_ms FROM usage_record ORDER BY uid")) {
            List<String> byUid = new java.util.ArrayList<>();
            while (rs.next()) {
                byUid.add(rs.getString(1));
            }
            assertThat(byUid).containsExactly("r1", "r2", "r3");
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs = c.createStatement().executeQuery("SELECT uid, ts_ms FROM usage_record")) {
            while (rs.next()) {
                java.util.UUID uid = java.util.UUID.fromString(rs.getString(1));
                assertThat(uid.version()).isEqualTo(7);
                assertThat(uid.getMostSignificantBits() >>> 16).isEqualTo(rs.getLong(2));
            }
        }
    }

    @Test
    void aBatchOfSeveralSlicesIsWrittenWholeWithItsTagsOrNotAtAllAndAsksThePacingRuleBetweenSlices() throws Exception {
        Path file = dir.resolve("usage.db");
        int n = 2 * JdbcUsageStore.ROWS_PER_SLICE + 5; // two full slices and a part, one transaction
        List<UsageRecord> good = new java.util.ArrayList<>();
        List<UsageRecord> bad = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            good.add(record("r" + i, T0 + i, "k", "m", "p", 1, 1, null, i % 3 == 0 ? List.of("a", "b") : List.of()));
            // the last row breaks a NOT NULL constraint, in the last slice, after two slices have run
            bad.add(record(i == n - 1 ? null : "bad" + i, T0 + i, "k", "m", "p", 1, 1, null, List.of("c")));
        }
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(file)) {
            int[] asked = {0};
            s.pace(() -> ++asked[0] < 0); // a backlog: never give way, but say when asked
            s.insert(good);
            assertThat(asked[0])
                    .as("the pacing rule asked after each full slice")
                    .isEqualTo(2);
            assertThatThrownBy(() -> s.insert(bad)).isInstanceOf(java.sql.SQLException.class);
            s.insert(List.of(record("after"))); // the writer reconnects after a failed batch
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                var st = c.createStatement()) {
            ResultSet rows = st.executeQuery(
                    "SELECT COUNT(*), SUM(request_id LIKE 'r%'), SUM(request_id LIKE 'bad%') FROM usage_record");
            assertThat(List.of(rows.getInt(1), rows.getInt(2), rows.getInt(3))).containsExactly(n + 1, n, 0);
            ResultSet tags = st.executeQuery("SELECT tag, COUNT(*) FROM usage_tag GROUP BY tag ORDER BY tag");
            Map<String, Integer> byTag = new java.util.TreeMap<>();
            while (tags.next()) {
                byTag.put(tags.getString(1), tags.getInt(2));
            }
            int tagged = (n + 2) / 3; // i = 0, 3, 6, ...
            assertThat(byTag).isEqualTo(Map.of("a", tagged, "b", tagged));
            ResultSet joined = st.executeQuery("SELECT COUNT(*) FROM usage_tag t JOIN usage_record r ON r.uid = t.uid"
                    + " WHERE r.request_id LIKE 'r%' AND (CAST(SUBSTR(r.request_id, 2) AS INTEGER) % 3) = 0");
            assertThat(joined.getInt(1)).isEqualTo(2 * tagged); // each tag row belongs to its own record
        }
    }

    @Test
    void aggregatesByKeyModelProviderTagAndDayWithinTheRange() throws Exception {
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(dir.resolve("usage.db"))) {
            assertAggregations(s);
        }
    }

    /** Inserts four records and checks every grouping and the range; shared with the PostgreSQL test. */
    static void assertAggregations(UsageStore s) throws Exception {
        s.insert(List.of(
                record("1", T0, "team-a", "gpt-4o-mini", "oai", 100, 10, 0.01, List.of("prod", "chat")),
                record("2", T0 + 1000, "team-a", "claude", "anthropic", 200, 20, 0.02, List.of("prod")),
                record("3", T0 + DAY, "team-b", "gpt-4o-mini", "oai", 300, 30, null, List.of()),
                record("4", T0 + 40 * DAY, "team-b", "gpt-4o-mini", "oai", 999, 999, 9.0, List.of("prod"))));

        List<UsageRow> byKey = s.aggregate(query(T0, T0 + 2 * DAY, UsageQuery.GroupBy.KEY));
        assertThat(byKey).extracting(UsageRow::group).containsExactly("team-a", "team-b");
        UsageRow a = byKey.get(0);
        assertThat(a.requests()).isEqualTo(2);
        assertThat(a.promptTokens()).isEqualTo(300);
        assertThat(a.completionTokens()).isEqualTo(30);
        assertThat(a.costUsd()).isCloseTo(0.03, within(1e-12));
        UsageRow b = byKey.get(1);
        assertThat(b.requests()).isEqualTo(1);
        assertThat(b.unpricedRequests()).as("tokens without a price").isEqualTo(1);
        assertThat(b.costUsd()).isZero();

        assertThat(s.aggregate(query(T0, T0 + 2 * DAY, UsageQuery.GroupBy.MODEL)))
                .extracting(UsageRow::group, UsageRow::requests)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("claude", 1L),
                        org.assertj.core.groups.Tuple.tuple("gpt-4o-mini", 2L));
        assertThat(s.aggregate(query(T0, T0 + 2 * DAY, UsageQuery.GroupBy.PROVIDER)))
                .extracting(UsageRow::group)
                .containsExactly("anthropic", "oai");
        assertThat(s.aggregate(query(T0, T0 + 2 * DAY, UsageQuery.GroupBy.TAG)))
                .extracting(UsageRow::group, UsageRow::requests)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("chat", 1L),
                        org.assertj.core.groups.Tuple.tuple("prod", 2L));
        assertThat(s.aggregate(query(T0, T0 + 2 * DAY, UsageQuery.GroupBy.DAY)))
                .extracting(UsageRow::group, UsageRow::requests)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("2025-11-13", 2L),
                        org.assertj.core.groups.Tuple.tuple("2025-11-14", 1L));
        assertThat(s.aggregate(query(T0 + 1, T0 + 1000, UsageQuery.GroupBy.KEY)))
                .as("[from, to) is half-open")
                .isEmpty();
    }

    @Test
    void queryParametersParseDatesInstantsAndMillis() {
        long now = T0;
        UsageQuery d = UsageQuery.parse(Map.of(), now);
        assertThat(d.toMs()).isEqualTo(now);
        assertThat(d.fromMs()).isEqualTo(now - UsageQuery.DEFAULT_RANGE_MS);
        assertThat(d.groupBy()).isEqualTo(UsageQuery.GroupBy.KEY);
        UsageQuery q = UsageQuery.parse(
                Map.of(
                        "from",
                        List.of("2025-11-01"),
                        "to",
                        List.of("2025-11-02T12:00:00Z"),
                        "group_by",
                        List.of("day")),
                now);
        assertThat(q.fromMs()).isEqualTo(1_761_955_200_000L);
        assertThat(q.toMs()).isEqualTo(1_762_084_800_000L);
        assertThat(q.groupBy()).isEqualTo(UsageQuery.GroupBy.DAY);
        assertThat(UsageQuery.parse(Map.of("from", List.of("5"), "to", List.of("6")), now)
                        .fromMs())
                .isEqualTo(5);
        assertThatThrownBy(() -> UsageQuery.parse(Map.of("group_by", List.of("colour")), now))
                .isInstanceOf(GatewayException.class)
                .hasMessageContaining("group_by");
        assertThatThrownBy(() -> UsageQuery.parse(Map.of("from", List.of("yesterday")), now))
                .isInstanceOf(GatewayException.class);
        assertThatThrownBy(() -> UsageQuery.parse(Map.of("from", List.of("10"), "to", List.of("5")), now))
                .isInstanceOf(GatewayException.class);
    }

    @Test
    void eachRowGetsItsOwnUtcDayAcrossMidnightInOneBatch() throws Exception {
        Path file = dir.resolve("usage.db");
        long midnight = java.time.LocalDate.of(2025, 12, 31)
                .atStartOfDay(java.time.ZoneOffset.UTC)
                .toInstant()
                .toEpochMilli();
        try (JdbcUsageStore s = JdbcUsageStore.sqlite(file)) {
            s.insert(List.of(
                    record("a", midnight - 1, "k", "m", "p", 1, 1, null, List.of()),
                    record("b", midnight, "k", "m", "p", 1, 1, null, List.of()),
                    record("c", midnight - 1, "k", "m", "p", 1, 1, null, List.of())));
            s.insert(List.of(record("d", 0, "k", "m", "p", 1, 1, null, List.of())));
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT request_id, day FROM usage_record ORDER BY request_id")) {
            List<String> rows = new java.util.ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2));
            }
            assertThat(rows).containsExactly("a 2025-12-30", "b 2025-12-31", "c 2025-12-30", "d 1970-01-01");
        }
    }

    @Test
    void tagsAndLabelsAreTheJsonTheMapperWrites() {
        List<String> tags = List.of("plain", "q\"uote", "back\\slash", "ctl\u0001", "é中😀", "");
        java.util.LinkedHashMap<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put("team", "x \"quoted\" é中😀\n");
        labels.put("", "empty key");
        labels.put("z", "");
        assertThat(JdbcUsageStore.jsonArray(tags)).isEqualTo(io.junction.core.schema.Json.string(tags));
        assertThat(JdbcUsageStore.jsonObject(labels)).isEqualTo(io.junction.core.schema.Json.string(labels));
    }
}
