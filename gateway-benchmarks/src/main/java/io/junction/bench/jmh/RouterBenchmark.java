package io.junction.bench.jmh;

import io.junction.core.route.ModelResolver;
import io.junction.core.spi.Target;
import java.util.List;
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
 * The router pick: {@link ModelResolver#plan} turning the request's model into the ordered target
 * list — an alias with three targets ({@link #alias}), a direct {@code provider/model} name
 * ({@link #direct}, which builds a new {@code Target} each call) and an alias plus a request-level
 * {@code fallbacks} list ({@link #aliasWithFallbacks}). Config from {@link BenchSupport#CONFIG},
 * loaded by the real {@code ConfigLoader}.
 *
 * <p>Run: {@code java -jar gateway-benchmarks/target/benchmarks.jar RouterBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RouterBenchmark {
    private ModelResolver resolver;
    private List<String> fallbacks;

    @Setup
    public void setup() {
        resolver = BenchSupport.resolver();
        fallbacks = List.of("oai/gpt-4o-mini", "fast");
    }

    @Benchmark
    public List<Target> alias() {
        return resolver.plan("default", null);
    }

    @Benchmark
    public List<Target> direct() {
        return resolver.plan("oai/gpt-4.1-mini", null);
    }

    @Benchmark
    public List<Target> aliasWithFallbacks() {
        return resolver.plan("default", fallbacks);
    }
}
