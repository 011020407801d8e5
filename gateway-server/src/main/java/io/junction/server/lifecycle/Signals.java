package io.junction.server.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process signals, through {@code sun.misc.Signal} (module {@code jdk.unsupported}, present in every
 * OpenJDK build). When it is missing or refuses (e.g. the JVM runs with {@code -Xrs}), Junction runs
 * without: SIGTERM still drains through the JVM shutdown hook (exit status 143 instead of 0), and
 * SIGHUP falls back to the JVM's default (it stops the process), so reload by editing the file. A
 * signal the process was started with ignored (under {@code nohup}, SIGHUP) stays ignored: the JVM
 * does not take it back, so that is logged at start.
 *
 * <ul>
 *   <li>SIGHUP: reload the config file.
 *   <li>SIGTERM, SIGINT: exit with status 0 through {@link System#exit}, which runs the shutdown hook
 *       that drains; a second one while draining ends the drain at once.
 * </ul>
 */
public final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    /** Installs the handlers; returns the names of the signals that are handled. */
    public static java.util.List<String> install(Runnable onHup, Runnable onTerm) {
        java.util.List<String> installed = new java.util.ArrayList<>();
        if (handle("HUP", onHup)) {
            installed.add("HUP");
        }
        if (handle("TERM", onTerm)) {
            installed.add("TERM");
        }
        if (handle("INT", onTerm)) {
            installed.add("INT");
        }
        return installed;
    }

    private static boolean handle(String name, Runnable action) {
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                // Never block the JVM's signal dispatcher: hand over to a fresh thread.
                Thread t = new Thread(action, "junction-signal-" + name.toLowerCase(java.util.Locale.ROOT));
                t.setDaemon(true);
                t.start();
            });
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                // Ignored when the JVM started (nohup ignores HUP; a shell's background job, INT): the JVM
                // leaves it ignored, so the handler above never runs.
                if (name.equals("INT")) {
                    log.debug("SIGINT is ignored by this process (inherited): it does nothing here");
                } else {
                    log.warn(
                            "SIG{} is ignored by this process (inherited from its parent, e.g. nohup): it does"
                                    + " nothing here{}",
                            name,
                            name.equals("HUP") ? "; reload by editing the file (server.watch_config) or restart" : "");
                }
                return false;
            }
            return true;
        } catch (LinkageError | RuntimeException e) {
            log.warn("cannot handle SIG{} ({}): see docs/operations.md", name, e.toString());
            return false;
        }
    }
}
