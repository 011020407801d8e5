package io.junction.bench.jmh;

import io.junction.core.config.JunctionConfig;
import io.junction.core.pricing.Cost;
import io.junction.core.pricing.PricingTable;
import io.junction.core.route.ModelResolver;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.Usage;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.spi.Target;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost computation, once per call: {@link PricingTable#cost(Target, Usage)} looks up the target's
 * price (a per-table cache after the first call for a model) and prices the usage by part (uncached
 * and cached input, cache writes, output and reasoning). The usage is the recorded OpenAI answer's
 * ({@code fixtures/openai/chat-completion.text.json}); the prices are the shipped table, as a config
 * without a {@code pricing:} section gets. {@link #openAi}, {@link #anthropic} and {@link #gemini}
 * price the three targets of {@link BenchSupport#CONFIG}'s {@code default} alias. {@link #lookupMiss} is
 * the uncached path, a model name the table has not seen: the canonical form (here a date suffix
 * dropped), then the user's and the shipped rules, literal before glob. It cycles through more
 * dated names than the table caches, so every call misses; the cache's clearing is in its average.
 *
 * <p>Run: {@code java -jar gateway-benchmarks/target/benchmarks.jar PricingBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PricingBenchmark {
    private PricingTable pricing;
    private String[] unseen;
    private int next;
    private Target openAi;
    private Target anthropic;
    private Target gemini;
    private Usage usage;

    @Setup
    public void setup() throws IOException {
        ProviderRegistry registry = ProviderRegistry.load();
        JunctionConfig config = BenchSupport.config(registry);
        List<Target> targets = new ModelResolver(config, registry).plan("default", null);
        openAi = targets.get(0);
        anthropic = targets.get(1);
        gemini = targets.get(2);
        pricing = PricingTable.load(config.pricing());
        unseen = new String[20_000]; // twice the table's cache bound
        for (int i = 0; i < unseen.length; i++) {
            unseen[i] = String.format("claude-sonnet-4-5-%08d", 20_250_000 + i);
        }
        usage = Json.MAPPER
                .readValue(BenchSupport.fixture("openai/chat-completion.text.json"), ChatResponse.class)
                .usage();
        for (Target t : targets) { // every target has a shipped price: a benchmark of "no price" would be wrong
            if (pricing.cost(t, usage).isEmpty()) {
                throw new IllegalStateException("no shipped price for " + t.id());
            }
        }
        // a dated name outside the cycle, so that no name of the cycle is cached before the first call
        if (pricing.lookup("ant", "anthropic", "claude-sonnet-4-5-20240101").isEmpty()) {
            throw new IllegalStateException(
                    "a dated Claude name finds no price: lookupMiss would measure the wrong path");
        }
    }

    @Benchmark
    public Optional<Cost> openAi() {
        return pricing.cost(openAi, usage);
    }

    @Benchmark
    public Optional<Cost> anthropic() {
        return pricing.cost(anthropic, usage);
    }

    @Benchmark
    public Optional<Cost> gemini() {
        return pricing.cost(gemini, usage);
    }

    @Benchmark
    public Optional<PricingTable.Match> lookupMiss() {
        String model = unseen[next];
        next = next + 1 == unseen.length ? 0 : next + 1;
        return pricing.lookup("ant", "anthropic", model);
    }
}
