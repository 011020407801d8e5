package io.junction.server.lifecycle;

import io.junction.core.error.GatewayException;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide state that outlives config reloads: whether the server is draining, how many calls are
 * in flight, the open client connections, readiness checks and the config reload status.
 *
 * <p>Hot path: a call start and end each touch one {@link LongAdder} cell (no locks, no contention
 * between event loops); the draining flag is one volatile read per request.
 */
public final class Lifecycle {
    private final LongAdder inFlight = new LongAdder();
    private final ChannelGroup connections = new DefaultChannelGroup("junction-clients", GlobalEventExecutor.INSTANCE);
    private final Readiness readiness = new Readiness();
    private final ConfigStatus configStatus;
    private volatile boolean draining;

    public Lifecycle(ConfigStatus configStatus) {
        this.configStatus = configStatus;
        readiness.add("config", () -> Readiness.Result.up("loaded from " + configStatus.source()));
        readiness.add(
                "shutdown", () -> draining ? Readiness.Result.down("draining: shutting down") : Readiness.Result.up());
    }

    /** The error a call gets when it is refused or ended because the server shuts down. */
    public static GatewayException shuttingDown() {
        return new GatewayException(
                503,
                "api_error",
                "server_shutting_down",
                null,
                "Junction is shutting down; retry the request (another instance will answer it).",
                true,
                Duration.ofSeconds(1),
                null);
    }

    public boolean draining() {
        return draining;
    }

    /** Marks the start of draining: readiness turns 503 at once and new calls are refused. */
    public void beginDrain() {
        draining = true;
    }

    public void callStarted() {
        inFlight.increment();
    }

    public void callEnded() {
        inFlight.decrement();
    }

    /** Calls in flight now (a sum over per-thread cells: exact once no call starts or ends). */
    public long inFlight() {
        return inFlight.sum();
    }

    /** Every open client connection (a closed one leaves the group by itself). */
    public ChannelGroup connections() {
        return connections;
    }

    public Readiness readiness() {
        return readiness;
    }

    public ConfigStatus configStatus() {
        return configStatus;
    }
}
