package io.junction.server.lifecycle;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;

/**
 * What {@code GET /admin/config/status} reports and the config reload meters: where the running
 * config came from and when it was loaded, the last reload attempt and its exact error, and the
 * settings that changed in the file but need a restart to take effect.
 *
 * <p>Meters (on the gateway's registry): {@code junction_config_reload_total{result="success|error"}},
 * {@code junction_config_last_reload_failed} (1 while the newest reload attempt failed, else 0) and
 * {@code junction_config_loaded_timestamp_seconds}.
 */
public final class ConfigStatus {
    /** One reload attempt. {@code error} is null when it succeeded. */
    public record Attempt(Instant at, boolean ok, String trigger, String error) {}

    private record State(
            String source, Instant loadedAt, Attempt last, List<String> restartRequired, long ok, long failed) {}

    private volatile State state;
    private volatile Counter okCounter;
    private volatile Counter errorCounter;

    public ConfigStatus(String source, Instant loadedAt) {
        state = new State(source, loadedAt, null, List.of(), 0, 0);
    }

    /** Registers the reload meters. */
    public void bindTo(MeterRegistry registry) {
        okCounter = Counter.builder("junction.config.reload")
                .description("Config reload attempts by result")
                .tag("result", "success")
                .register(registry);
        errorCounter = Counter.builder("junction.config.reload")
                .description("Config reload attempts by result")
                .tag("result", "error")
                .register(registry);
        Gauge.builder("junction.config.last.reload.failed", this, s -> {
                    Attempt a = s.state.last();
                    return a != null && !a.ok() ? 1 : 0;
                })
                .description("1 while the newest config reload attempt failed (the previous config still serves)")
                .register(registry);
        Gauge.builder(
                        "junction.config.loaded.timestamp",
                        this,
                        s -> s.state.loadedAt().toEpochMilli() / 1000.0)
                .description("When the config in use was loaded (Unix time)")
                .baseUnit("seconds")
                .register(registry);
    }

    public String source() {
        return state.source();
    }

    public Instant loadedAt() {
        return state.loadedAt();
    }

    public Attempt lastReload() {
        return state.last();
    }

    public List<String> restartRequired() {
        return state.restartRequired();
    }

    /** A reload that was applied; {@code restartRequired} lists settings that still wait for a restart. */
    public synchronized void reloaded(String source, Instant at, String trigger, List<String> restartRequired) {
        State s = state;
        state = new State(
                source, at, new Attempt(at, true, trigger, null), List.copyOf(restartRequired), s.ok() + 1, s.failed());
        Counter c = okCounter;
        if (c != null) {
            c.increment();
        }
    }

    /** A reload that was rejected: the config in use stays. */
    public synchronized void reloadFailed(Instant at, String trigger, String error) {
        State s = state;
        state = new State(
                s.source(),
                s.loadedAt(),
                new Attempt(at, false, trigger, error),
                s.restartRequired(),
                s.ok(),
                s.failed() + 1);
        Counter c = errorCounter;
        if (c != null) {
            c.increment();
        }
    }

    /** The body of {@code GET /admin/config/status}. */
    public ObjectNode toJson() {
        State s = state;
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("source", s.source());
        root.put("loaded_at", s.loadedAt().toString());
        if (s.last() == null) {
            root.putNull("last_reload");
        } else {
            ObjectNode last = root.putObject("last_reload");
            last.put("at", s.last().at().toString());
            last.put("ok", s.last().ok());
            last.put("trigger", s.last().trigger());
            if (s.last().error() == null) {
                last.putNull("error");
            } else {
                last.put("error", s.last().error());
            }
        }
        ObjectNode counts = root.putObject("reloads");
        counts.put("success", s.ok());
        counts.put("error", s.failed());
        var pending = root.putArray("restart_required");
        s.restartRequired().forEach(pending::add);
        return root;
    }
}
