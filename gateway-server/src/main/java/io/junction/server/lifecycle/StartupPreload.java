package io.junction.server.lifecycle;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up work that does not depend on the config, done on a second thread while the main thread
 * parses the config: loading epoll's native library, initialising the JDK's default TLS context (it
 * reads the trust store) and, once the config names a SQLite ledger, loading SQLite's native library. Each is a class initialisation the
 * server's construction would otherwise run on the main thread, one after another (~100 ms each on a
 * loaded 2-core box; docs/performance-log.md, "Start-up"). The JVM runs a class's initialiser once, so
 * when the main thread reaches a class this thread is still initialising, it waits for it and never
 * runs the work twice.
 *
 * <p>Nothing here may change behaviour: a failure is only logged at debug level, and the main
 * thread meets the same failure where it reports it properly (an absent epoll library means NIO; a
 * broken SQLite library is a ledger error).
 */
public final class StartupPreload {
    private static final Logger log = LoggerFactory.getLogger(StartupPreload.class);

    /** Classes whose static initialisers do the slow work, in the order the server needs them. */
    static final List<String> CLASSES = List.of(
            "io.netty.channel.epoll.Epoll", // loads and links netty's native transport
            "io.netty.handler.ssl.JdkSslContext"); // the JDK's default SSLContext: trust store, providers

    private StartupPreload() {}

    /** Starts the config-independent preload on a daemon thread; call before parsing the config. */
    public static Thread start() {
        return daemon("junction-preload", StartupPreload::classes);
    }

    /**
     * Loads SQLite's native library (extracted from the driver's jar to a temporary file) on a daemon
     * thread; call once the config says the ledger is SQLite, before the server opens it.
     */
    public static Thread startSqlite() {
        return daemon("junction-preload-sqlite", StartupPreload::sqlite);
    }

    static void classes() {
        initialise(CLASSES);
    }

    /** Initialises each class in turn; one that is missing or whose initialiser fails is skipped. */
    static void initialise(List<String> names) {
        ClassLoader loader = StartupPreload.class.getClassLoader();
        for (String name : names) {
            try {
                Class.forName(name, true, loader);
            } catch (Throwable e) { // LinkageError included: the main thread will report it
                log.debug("start-up preload of {} failed: {}", name, e.toString());
            }
        }
    }

    static void sqlite() {
        try {
            org.sqlite.SQLiteJDBCLoader.initialize(); // extracts and loads the library once per JVM
        } catch (Throwable e) {
            log.debug("start-up preload of SQLite's native library failed: {}", e.toString());
        }
    }

    private static Thread daemon(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
