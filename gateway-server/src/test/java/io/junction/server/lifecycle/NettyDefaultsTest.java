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
}
