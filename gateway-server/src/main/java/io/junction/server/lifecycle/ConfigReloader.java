package io.junction.server.lifecycle;

import io.junction.core.config.JunctionConfig;
import io.junction.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file when it changes or on request (SIGHUP, tests). Never runs on an event
 * loop: one daemon thread polls, loads, validates and applies, one reload at a time.
 *
 * <p>The file is polled, not watched with inotify: every {@code debounce / 3} (at least 20 ms, at
 * most 1 s) the thread reads the file's metadata (its resolved path, modification time and size:
 * three system calls, no read of the content). A directory watch wakes up for every write to every
 * file in the directory; a log written next to the config cost ~7% of Junction's CPU under load
 * and, with a quiet period restarted by each event, held a real edit back for as long as the log was
 * written. Polling costs the same whatever the neighbours do.
 *
 * <p>When the metadata changes, the check waits until it has stayed the same for {@code debounce}
 * (editors and {@code kubectl} write in several steps), then compares the file's content (SHA-256)
 * with the last one seen, so only a real change reloads. The resolved path is part of the metadata,
 * so a Kubernetes ConfigMap volume, where the file is a symlink whose target directory is swapped,
 * is seen too. The content is also compared every {@value #BACKSTOP_SECONDS} s whatever the
 * metadata says (file systems with coarse modification times). A requested reload (SIGHUP) always
 * re-reads the file.
 *
 * <p>Valid: {@code apply} swaps it in and {@link ConfigStatus#reloaded} records it. Invalid: the
 * config in use stays, the exact error is logged and recorded ({@link ConfigStatus#reloadFailed}).
 */
public final class ConfigReloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);
    static final long BACKSTOP_SECONDS = 5;

    private final Path file;
    private final Function<Path, JunctionConfig> loader;
    private final Function<JunctionConfig, List<String>> apply;
    private final ConfigStatus status;
    private final long debounceNanos;
    private final long pollMillis;
    private final ScheduledExecutorService worker;
    private volatile boolean closed;
    // worker thread only (after the constructor):
    private byte[] fingerprint;
    private Stat lastStat;
    private long stableSinceNanos;
    private boolean changePending;
    private long lastContentCheckNanos;

    /** What a poll compares: where the path resolves to, when it was modified, how long it is. */
    private record Stat(Path real, FileTime modified, long size) {}

    /**
     * @param file the config file
     * @param loader loads and validates; throws {@link ConfigException} with the exact error
     * @param apply swaps a valid config in; returns the settings that need a restart (may be empty)
     * @param debounce how long the file must stay unchanged before it is read
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
        this.debounceNanos = debounce.toNanos();
        this.pollMillis = Math.max(20, Math.min(1_000, debounce.toMillis() / 3));
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "junction-config-reload");
            t.setDaemon(true);
            return t;
        });
        // The content the running config was loaded from (close enough: read right after the load).
        // Read here, not on the worker, so that an edit made right after construction is a change;
        // the worker sees these fields through the executor's hand-off.
        fingerprint = digest(file);
        lastStat = stat(file);
        lastContentCheckNanos = System.nanoTime();
    }

    public Path file() {
        return file;
    }

    /** Starts polling the file for changes. */
    public void watch() {
        worker.scheduleWithFixedDelay(this::poll, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        log.info("watching {} for changes (polled every {} ms)", file, pollMillis);
    }

    /** Worker thread: one poll. */
    private void poll() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        Stat stat = stat(file);
        if (!Objects.equals(stat, lastStat)) {
            lastStat = stat;
            stableSinceNanos = now; // (re)starts the quiet period
            changePending = true;
            return;
        }
        if (changePending && now - stableSinceNanos >= debounceNanos) {
            changePending = false;
            lastContentCheckNanos = now;
            reload("file change", false);
        } else if (!changePending && now - lastContentCheckNanos >= TimeUnit.SECONDS.toNanos(BACKSTOP_SECONDS)) {
            lastContentCheckNanos = now;
            reload("file change", false);
        }
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
        if (!force && (now == null || Arrays.equals(now, fingerprint))) {
            return false; // the same content written again, or the file is missing right now
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

    private static Stat stat(Path file) {
        try {
            Path real = file.toRealPath();
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            return new Stat(real, a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            return null; // missing right now (an editor's rename, a ConfigMap swap in progress)
        }
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
        worker.shutdownNow();
    }
}
