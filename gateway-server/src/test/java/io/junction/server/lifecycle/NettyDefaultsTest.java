package io.junction.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class NettyDefaultsTest {
    @Test
    void samplesOneBufferInAThousandAndTwentyFourUnlessTheOperatorChose() {
        Properties none = new Properties();
        NettyDefaults.apply(none);
        assertThat(none.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("1024");

        Properties chosen = new Properties();
        chosen.setProperty("io.netty.leakDetection.samplingInterval", "128");
        NettyDefaults.apply(chosen);
        assertThat(chosen.getProperty("io.netty.leakDetection.samplingInterval"))
                .isEqualTo("128");
    }

    @Test
    void usesThePooledAllocatorUnlessTheOperatorChoseOne() {
        Properties none = new Properties();
        NettyDefaults.apply(none);
        assertThat(none.getProperty("io.netty.allocator.type")).isEqualTo("pooled");

        Properties chosen = new Properties();
        chosen.setProperty("io.netty.allocator.type", "adaptive");
        NettyDefaults.apply(chosen);
        assertThat(chosen.getProperty("io.netty.allocator.type")).isEqualTo("adaptive");
    }

    @Test
    void theStartUpNoteNamesTheFlagOnlyWhenNettyLacksUnsafeAndTheJvmKnowsTheFlag() {
        assertThat(NettyDefaults.unsafeNote(true, 25)).isNull();
        assertThat(NettyDefaults.unsafeNote(false, 25))
                .contains("without sun.misc.Unsafe")
                .contains("--sun-misc-unsafe-memory-access=allow");
        // Java 21 and 22 do not know the option: naming it would stop the JVM from starting
        assertThat(NettyDefaults.unsafeNote(false, 21))
                .contains("without sun.misc.Unsafe")
                .doesNotContain("--sun-misc-unsafe-memory-access");
    }
}
