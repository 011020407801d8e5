package io.junction.server.lifecycle;

import io.junction.core.config.JunctionConfig;
import io.junction.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file when it changes (a {@link WatchService} on its directory) or on request
 * (SIGHUP, tests). Never runs on an event loop: one daemon thread waits for file events, and one
 * daemon thread loads, validates and applies, one reload at a time.
 *
 * <p>Events for other files in the directory are ignored (a log written next to the config would
 * otherwise keep the reload thread busy and postpone the check forever). An event for the config's
 * name, its symlink target's name or a Kubernetes {@code ..data} swap schedules a check after a
 * quiet period ({@code debounce}): editors and
 * {@code kubectl} write in several steps. The check compares the file's content (SHA-256) with the
 * last one seen, so only a real change reloads; this also catches Kubernetes ConfigMap volumes,
 * where the file is a symlink whose target directory is swapped. A requested reload (SIGHUP) always
 * re-reads the file.
 *
 * <p>Valid: {@code apply} swaps it in and {@link ConfigStatus#reloaded} records it. Invalid: the
 * config in use stays, the exact error is logged and recorded ({@link ConfigStatus#reloadFailed}).
 */
public final class ConfigReloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path file;
    private final Function<Path, JunctionConfig> loader;
    private final Function<JunctionConfig, List<String>> apply;
    private final ConfigStatus status;
    private final Duration debounce;
    private final ScheduledExecutorService worker;
    private volatile WatchService watcher;
    private volatile Set<String> watchedNames = Set.of();
    private volatile Thread watchThread;
    private volatile boolean closed;
    private ScheduledFuture<?> pending; // worker thread only
    private byte[] fingerprint; // worker thread only

    /**
     * @param file the config file
     * @param loader loads and validates; throws {@link ConfigException} with the exact error
     * @param apply swaps a valid config in; returns the settings that need a restart (may be empty)
     */
    public ConfigReloader(
            Path file,
            Function<Path, JunctionConfig> loader,
            Function<JunctionConfig, List<String>> apply,
            ConfigStatus status,
            Duration debounce) {
        this.file = file;
        this.loader = loader;
        this.apply = apply;
        this.status = status;
        this.debounce = debounce;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "junction-config-reload");
            t.setDaemon(true);
            return t;
        });
        // The content the running config was loaded from (close enough: read right after the load).
        worker.execute(() -> fingerprint = digest(file));
    }

    public Path file() {
        return file;
    }

    /** Starts watching the file's directory (and its symlink target's, when that differs). */
    public void watch() throws IOException {
        WatchService ws = FileSystems.getDefault().newWatchService();
        Set<Path> dirs = new LinkedHashSet<>();
        Path abs = file.toAbsolutePath();
        dirs.add(abs.getParent());
        try {
            dirs.add(abs.toRealPath().getParent());
        } catch (IOException e) {
            // the file is gone right now; its directory is watched and it will be found again
        }
        Set<String> names = new LinkedHashSet<>();
        names.add(abs.getFileName().toString());
        try {
            names.add(abs.toRealPath().getFileName().toString());
        } catch (IOException e) {
            // as above
        }
        watchedNames = Set.copyOf(names);
        for (Path dir : dirs) {
            dir.register(
                    ws,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
        watcher = ws;
        Thread t = new Thread(this::watchLoop, "junction-config-watch");
        t.setDaemon(true);
        watchThread = t;
        t.start();
        log.info("watching {} for changes (directories: {})", file, dirs);
    }

    private void watchLoop() {
        WatchService ws = watcher;
        while (!closed) {
            WatchKey key;
            try {
                key = ws.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            // Only events that can concern our file start the quiet period; the content check then
            // decides. A busy neighbour (a log file written next to the config) must neither cost
            // CPU nor keep restarting the quiet period, which would hold a real edit back forever.
            boolean relevant = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                relevant |= concernsConfig(event);
            }
            key.reset();
            if (relevant && !closed) {
                try {
                    worker.execute(this::scheduleCheck);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    return;
                }
            }
        }
    }

    /**
     * Whether a directory event may have changed the config: an event for the file's name (or its
     * symlink target's name), a Kubernetes ConfigMap swap (the {@code ..data} symlink and the
     * {@code ..<timestamp>} directories are renamed into place), or lost events (overflow).
     */
    boolean concernsConfig(WatchEvent<?> event) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path p)) {
            return true;
        }
        String name = p.getFileName().toString();
        return watchedNames.contains(name) || name.startsWith("..");
    }

    /** Worker thread: (re)starts the quiet period. */
    private void scheduleCheck() {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = worker.schedule(
                () -> {
                    pending = null;
                    reload("file change", false);
                },
                debounce.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Re-reads the file now, even if its content did not change, on the reload thread. The future
     * completes with true when a new config was applied, false when it was rejected.
     */
    public CompletableFuture<Boolean> reloadNow(String trigger) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        try {
            worker.execute(() -> done.complete(reload(trigger, true)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.complete(false);
        }
        return done;
    }

    /** Worker thread. Returns true when a new config was applied. */
    private boolean reload(String trigger, boolean force) {
        if (closed) {
            return false;
        }
        byte[] now = digest(file);
        if (!force && Arrays.equals(now, fingerprint)) {
            return false; // an event for another file, the same content written again, or still missing
        }
        fingerprint = now;
        Instant at = Instant.now();
        JunctionConfig config;
        try {
            config = loader.apply(file);
        } catch (ConfigException e) {
            log.error("config reload ({}) rejected, the previous config stays in use: {}", trigger, e.getMessage());
            status.reloadFailed(at, trigger, e.getMessage());
            return false;
        } catch (RuntimeException e) {
            log.error("config reload ({}) failed, the previous config stays in use", trigger, e);
            status.reloadFailed(at, trigger, file + ": " + e);
            return false;
        }
        List<String> restart;
        try {
            restart = apply.apply(config);
        } catch (RuntimeException e) {
            log.error("config reload ({}) could not be applied, the previous config stays in use", trigger, e);
            status.reloadFailed(at, trigger, file + ": cannot apply: " + e);
            return false;
        }
        status.reloaded(file.toString(), at, trigger, restart);
        log.info(
                "config reloaded ({}) from {}: providers {}, aliases {}",
                trigger,
                file,
                config.providers().keySet(),
                config.models().keySet());
        for (String r : restart) {
            log.warn("config: {}", r);
        }
        return true;
    }

    private static byte[] digest(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        WatchService ws = watcher;
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        Thread t = watchThread;
        if (t != null) {
            t.interrupt();
        }
        worker.shutdownNow();
    }
}
