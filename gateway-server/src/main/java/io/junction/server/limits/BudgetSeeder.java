package io.junction.server.limits;

import io.junction.core.config.JunctionConfig;
import io.junction.core.config.KeySpec;
import io.junction.core.config.TeamSpec;
import io.junction.core.govern.BudgetPeriod;
import io.junction.core.govern.MemoryLimitStore;
import io.junction.core.govern.Policy;
import io.junction.server.ledger.UsageQuery;
import io.junction.server.ledger.UsageRecorder;
import io.junction.server.ledger.UsageRow;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, gives the memory limits store the spend the usage ledger already holds for the
 * current budget windows, so a restart does not hand every key and team a fresh budget. A team's
 * spend is the sum of its configured keys' spend. Runs once, before the server accepts requests.
 */
public final class BudgetSeeder {
    private static final Logger log = LoggerFactory.getLogger(BudgetSeeder.class);

    private BudgetSeeder() {}

    /** Returns how many scopes were seeded; logs and returns 0 if the ledger cannot be read in time. */
    public static int seed(
            JunctionConfig config, MemoryLimitStore store, UsageRecorder ledger, long nowMs, Duration timeout) {
        return seed(config, List.of(), store, ledger, nowMs, timeout);
    }

    /**
     * Same, also for {@code runtimeKeys} (run-time keys from {@code /admin/keys}, each with its name;
     * one whose name a config key has is skipped: config keys win).
     */
    public static int seed(
            JunctionConfig config,
            List<KeySpec> runtimeKeys,
            MemoryLimitStore store,
            UsageRecorder ledger,
            long nowMs,
            Duration timeout) {
        if (!runtimeKeys.isEmpty()) {
            List<KeySpec> all = new java.util.ArrayList<>();
            java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < config.keys().size(); i++) {
                KeySpec k = config.keys().get(i);
                names.add(k.effectiveName(i));
                all.add(k);
            }
            runtimeKeys.stream().filter(k -> !names.contains(k.name())).forEach(all::add);
            config = config.withKeys(all);
        }
        if (!ledger.enabled()) {
            return 0;
        }
        Map<Long, Map<String, Double>> byWindow = new HashMap<>(); // window start → key name → USD
        int seeded = 0;
        try {
            for (int i = 0; i < config.keys().size(); i++) {
                KeySpec k = config.keys().get(i);
                String name = k.effectiveName(i);
                if (k.budget() != null) {
                    BudgetPeriod.Window w =
                            BudgetPeriod.parse(k.budget().period()).window(nowMs);
                    double usd = spendByKey(byWindow, w, nowMs, ledger, timeout).getOrDefault(name, 0.0);
                    if (usd > 0) {
                        store.seedSpend(Policy.forKey(name, k.budget(), null).scope(), w.startMs(), micros(usd));
                        seeded++;
                    }
                }
            }
            for (Map.Entry<String, TeamSpec> t : config.teams().entrySet()) {
                if (t.getValue().budget() == null) {
                    continue;
                }
                BudgetPeriod.Window w =
                        BudgetPeriod.parse(t.getValue().budget().period()).window(nowMs);
                Map<String, Double> spend = spendByKey(byWindow, w, nowMs, ledger, timeout);
                double usd = 0;
                for (int i = 0; i < config.keys().size(); i++) {
                    KeySpec k = config.keys().get(i);
                    if (t.getKey().equals(k.team())) {
                        usd += spend.getOrDefault(k.effectiveName(i), 0.0);
                    }
                }
                if (usd > 0) {
                    store.seedSpend("team:" + t.getKey(), w.startMs(), micros(usd));
                    seeded++;
                }
            }
        } catch (Exception e) {
            log.warn("budgets start from zero: the usage ledger could not be read ({})", e.toString());
            return 0;
        }
        if (seeded > 0) {
            log.info("budgets: spend of {} key/team scope(s) restored from the usage ledger", seeded);
        }
        return seeded;
    }

    private static Map<String, Double> spendByKey(
            Map<Long, Map<String, Double>> cache,
            BudgetPeriod.Window w,
            long nowMs,
            UsageRecorder ledger,
            Duration timeout)
            throws Exception {
        Map<String, Double> m = cache.get(w.startMs());
        if (m == null) {
            m = new HashMap<>();
            List<UsageRow> rows = ledger.query(new UsageQuery(w.startMs(), nowMs + 1, UsageQuery.GroupBy.KEY))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (UsageRow r : rows) {
                m.put(r.group(), r.costUsd());
            }
            cache.put(w.startMs(), m);
        }
        return m;
    }

    private static long micros(double usd) {
        return Math.round(usd * 1_000_000);
    }
}
