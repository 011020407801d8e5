package io.junction.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak gate itself: a buffer dropped without release must fail the check. */
class LeakCheckExtensionTest {

    @Test
    void aLeakedBufferFailsTheCheck() {
        assertThat(LeakRecorder.isInstalled())
                .as("installed by the launcher session listener")
                .isTrue();
        leakOne();
        assertThatThrownBy(() -> new LeakCheckExtension().afterAll(null))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("leak");
        assertThat(LeakRecorder.drain()).isEmpty();
    }

    private static void leakOne() {
        PooledByteBufAllocator.DEFAULT.buffer(64).writeLong(42); // never released, on purpose
    }
}
