package io.junction.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StartupPreloadTest {
    static volatile boolean lastInitialised;

    /** Its initialiser fails, as a missing native library would. */
    static final class Broken {
        static {
            if (true) {
                throw new IllegalStateException("no native library");
            }
        }
    }

    static final class Last {
        static {
            lastInitialised = true;
        }
    }

    @Test
    void aMissingClassOrAFailingInitialiserIsSkippedAndTheRestStillLoad() {
        StartupPreload.initialise(
                List.of("io.junction.server.lifecycle.NoSuchClass", Broken.class.getName(), Last.class.getName()));
        assertThat(lastInitialised).isTrue();
    }

    @Test
    void thePreloadThreadsAreDaemonsAndEnd() throws Exception { // a daemon never holds the JVM open
        Thread classes = StartupPreload.start();
        Thread sqlite = StartupPreload.startSqlite();
        assertThat(classes.isDaemon()).isTrue();
        assertThat(sqlite.isDaemon()).isTrue();
        classes.join(TimeUnit.SECONDS.toMillis(30));
        sqlite.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(classes.isAlive()).isFalse();
        assertThat(sqlite.isAlive()).isFalse();
    }
}
