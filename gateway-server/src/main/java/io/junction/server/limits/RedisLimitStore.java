package io.junction.server.limits;

import io.junction.core.govern.BudgetPeriod;
import io.junction.core.govern.Decision;
import io.junction.core.govern.LimitStore;
import io.junction.core.govern.Policy;
import io.junction.core.govern.SlidingWindow;
import io.junction.server.redis.RedisLink;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits store shared by every replica: rate-limit windows, concurrency leases and budget spend
 * in Redis, with exactly the semantics of {@link io.junction.core.govern.MemoryLimitStore} (the
 * parity test runs one random sequence against both and compares every decision).
 *
 * <h2>Atomicity</h2>
 *
 * An admission is one Lua script over all the call's scopes (a key, then its team): it checks every
 * scope's budget, concurrency and per-minute caps, and only if all pass charges all of them, so a
 * call refused by its team charges nothing to its key. {@link #settle} (token correction and spend)
 * is a second script; {@link #release} is one {@code ZREM} per scope. Scripts run by
 * {@code EVALSHA}, falling back to {@code EVAL} (which caches the script again) on {@code NOSCRIPT},
 * e.g. after a Redis restart or failover.
 *
 * <h2>Key layout and Redis Cluster</h2>
 *
 * Every key carries the same hash tag, the configured prefix in braces:
 * {@code {junction}:rq:<minute>:<scope>} and {@code {junction}:tk:<minute>:<scope>} (requests and
 * tokens counted in the epoch minute {@code <minute>}), {@code {junction}:lease:<scope>} (sorted set
 * of lease ids scored by expiry ms) and {@code {junction}:spend:<window start ms>:<scope>}
 * (micro-dollars). The scope ({@code key:<name>} or {@code team:<name>}) comes last, so no scope name
 * can make two keys collide. One hash tag puts all of a prefix's keys in one Redis Cluster slot: a
 * script may touch a key's and a team's keys together (a cluster refuses scripts across slots), at
 * the price that one shard serves all of Junction's limit traffic (one small script per call). Every
 * key expires: windows two minutes after their last write, lease sets after the lease time, spend a
 * day after its window ends.
 *
 * <h2>Whose clock</h2>
 *
 * The caller's {@code nowMs} (the Governor's clock, i.e. the replica's wall clock), not Redis's
 * {@code TIME}. Reasons: (1) the ticket remembers the admission time and the token correction goes
 * to the minute bucket that counted the call, which must be computed from the same clock as the
 * admission; (2) budget windows (the calendar month in UTC included) are computed once, in Java, by
 * {@link BudgetPeriod}, not re-implemented in Lua; (3) the store is deterministic for a given
 * {@code nowMs}, which is what lets it be tested against the memory store. The cost is clock skew
 * between replicas: with replicas Δ apart, calls within Δ of a minute boundary can be counted in
 * neighbouring buckets (over-admission bounded by what the ahead replica admits during Δ), a lease
 * expires up to Δ early or late (against lease times of minutes), and a budget window flips up to Δ
 * early or late. NTP keeps Δ in milliseconds; at connect the store compares the replica's clock with
 * Redis's {@code TIME} and logs a warning above one second.
 *
 * <h2>Failures</h2>
 *
 * Nothing here waits for Redis: every call answers through a stage completed on Lettuce's own I/O
 * thread (its own {@link ClientResources}: one I/O and one computation thread, not Junction's event
 * loops). While Redis is down commands are rejected at once ({@code REJECT_COMMANDS}), not queued;
 * an admission not answered within {@code timeoutMs} fails (the Governor then applies
 * {@code on_error}); every command also has Lettuce's own timeout as a backstop. The gateway starts
 * when Redis is down: the first connection is retried in the background (backoff up to 5 s), and
 * Lettuce reconnects a lost one; {@link #unhealthyReason} says so meanwhile (readiness). An admission
 * that Redis carries out after its caller gave up on it gives its lease back at once.
 */
public final class RedisLimitStore implements LimitStore {
    private static final Logger log = LoggerFactory.getLogger(RedisLimitStore.class);

    static final Script ADMIT = Script.load("admit.lua");
    static final Script SETTLE = Script.load("settle.lua");

    private static final long DAY_MS = 86_400_000L;
    private static final String NO_CAP = "";

    private final RedisLink<String> link;
    private final String tag;
    private final long timeoutMs;
    /** Prefixes lease ids: a caller's id is unique in its replica, not necessarily across replicas. */
    private final String replica =
            Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) + "/";

    private volatile long clockSkewMs;

    /**
     * Opens the store and starts connecting in the background; returns at once, even when Redis is
     * down.
     *
     * @param url {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://} for TLS
     * @param prefix the hash tag of every key (see the class comment)
     * @param timeoutMs how long an admission waits for Redis
     */
    public RedisLimitStore(String url, String prefix, long timeoutMs) {
        this.tag = "{" + prefix + "}:";
        this.timeoutMs = timeoutMs;
        this.link = new RedisLink<>("limits store", url, StringCodec.UTF8, timeoutMs, null, this::checkClock);
    }

    /** Compares this replica's clock with Redis's: the store relies on replicas agreeing on the time. */
    private void checkClock(StatefulRedisConnection<String, String> c) {
        long before = System.currentTimeMillis();
        c.async().time().whenComplete((t, error) -> {
            if (error != null || t == null || t.size() < 2) {
                return;
            }
            long after = System.currentTimeMillis();
            long redisMs = Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
            clockSkewMs = (before + after) / 2 - redisMs;
            if (Math.abs(clockSkewMs) > 1000) {
                log.warn(
                        "limits store: this replica's clock is {} ms {} Redis's; rate windows and budgets assume the"
                                + " replicas' clocks agree (run NTP)",
                        Math.abs(clockSkewMs),
                        clockSkewMs > 0 ? "ahead of" : "behind");
            }
        });
    }

    /** This replica's clock minus Redis's, measured at connect (0 before). */
    public long clockSkewMs() {
        return clockSkewMs;
    }

    @Override
    public String unhealthyReason() {
        String reason = link.unhealthyReason();
        return reason == null || link.closed() ? reason : "limits store: " + reason;
    }

    private RedisAsyncCommands<String, String> commands() {
        if (link.closed()) {
            throw new RedisConnectionException("limits store closed");
        }
        StatefulRedisConnection<String, String> c = link.live();
        if (c == null) {
            throw new RedisConnectionException("not connected to Redis at " + link.where() + ": " + link.lastError());
        }
        return c.async();
    }

    // ---- keys ----

    String requestsKey(long minute, String scope) {
        return tag + "rq:" + minute + ":" + scope;
    }

    String tokensKey(long minute, String scope) {
        return tag + "tk:" + minute + ":" + scope;
    }

    String leaseKey(String scope) {
        return tag + "lease:" + scope;
    }

    String spendKey(long windowStartMs, String scope) {
        return tag + "spend:" + windowStartMs + ":" + scope;
    }

    /** A lease's member in the lease set: the caller's id, made unique across replicas. */
    String member(String leaseId) {
        return replica + leaseId;
    }

    private String unused() {
        return tag + "unused";
    }

    // ---- the LimitStore ----

    @Override
    public CompletionStage<Decision> admit(List<Policy> scopes, long tokens, String leaseId, long leaseMs, long nowMs) {
        long minute = Math.floorDiv(nowMs, SlidingWindow.WINDOW_MS);
        int n = scopes.size();
        String[] keys = new String[6 * n];
        String[] args = new String[6 + 5 * n];
        args[0] = Long.toString(nowMs);
        args[1] = Long.toString(Math.floorMod(nowMs, SlidingWindow.WINDOW_MS));
        args[2] = Long.toString(tokens);
        args[3] = member(leaseId);
        args[4] = Long.toString(nowMs + leaseMs);
        args[5] = Long.toString(leaseMs);
        for (int i = 0; i < n; i++) {
            Policy p = scopes.get(i);
            String s = p.scope();
            keys[6 * i] = p.rpm() == null ? unused() : requestsKey(minute, s);
            keys[6 * i + 1] = p.rpm() == null ? unused() : requestsKey(minute - 1, s);
            keys[6 * i + 2] = p.tpm() == null ? unused() : tokensKey(minute, s);
            keys[6 * i + 3] = p.tpm() == null ? unused() : tokensKey(minute - 1, s);
            keys[6 * i + 4] = p.concurrent() == null ? unused() : leaseKey(s);
            BudgetPeriod.Window w = p.budgetMicros() == null ? null : p.period().window(nowMs);
            keys[6 * i + 5] = w == null ? unused() : spendKey(w.startMs(), s);
            args[6 + 5 * i] = p.rpm() == null ? NO_CAP : Long.toString(p.rpm());
            args[7 + 5 * i] = p.tpm() == null ? NO_CAP : Long.toString(p.tpm());
            args[8 + 5 * i] = p.concurrent() == null ? NO_CAP : Integer.toString(p.concurrent());
            args[9 + 5 * i] = w == null ? NO_CAP : Long.toString(p.budgetMicros());
            args[10 + 5 * i] = w == null ? NO_CAP : Long.toString(w.remainingMs(nowMs));
        }
        CompletableFuture<Decision> result = new CompletableFuture<>();
        CompletableFuture<List<Object>> reply;
        try {
            reply = run(commands(), ADMIT, keys, args);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            Decision d;
            try {
                d = decision(r, scopes, tokens, nowMs);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            if (!result.complete(d) && d.admitted()) {
                // the caller gave up waiting (and failed open or closed): the lease would never be released
                release(scopes, leaseId);
            }
        });
        return result.orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private static Decision decision(List<Object> r, List<Policy> scopes, long tokens, long nowMs) {
        if (((Long) r.get(0)) == 0) {
            Policy p = scopes.get(((Long) r.get(1)).intValue());
            Decision.Kind kind =
                    switch (((Long) r.get(2)).intValue()) {
                        case 1 -> Decision.Kind.REQUESTS;
                        case 2 -> Decision.Kind.TOKENS;
                        case 3 -> Decision.Kind.CONCURRENT;
                        case 4 -> Decision.Kind.BUDGET;
                        default -> throw new IllegalStateException("unexpected admission reply " + r);
                    };
            return new Decision(
                    new Decision.Rejection(p.scope(), kind, (Long) r.get(3), (Long) r.get(4), (Long) r.get(5)),
                    null,
                    null);
        }
        Decision.Quota requests = null;
        Decision.Quota tokenQuota = null;
        long resetAfterCharge = SlidingWindow.resetAfterChargeMs(nowMs);
        for (int i = 0; i < scopes.size(); i++) {
            Policy p = scopes.get(i);
            if (p.rpm() != null) {
                requests = Decision.Quota.tighter(
                        requests, new Decision.Quota(p.rpm(), (Long) r.get(1 + 3 * i), resetAfterCharge));
            }
            if (p.tpm() != null) {
                tokenQuota = Decision.Quota.tighter(
                        tokenQuota,
                        new Decision.Quota(
                                p.tpm(),
                                (Long) r.get(2 + 3 * i),
                                tokens > 0 ? resetAfterCharge : (Long) r.get(3 + 3 * i)));
            }
        }
        return new Decision(null, requests, tokenQuota);
    }

    @Override
    public void release(List<Policy> scopes, String leaseId) {
        RedisAsyncCommands<String, String> c;
        try {
            c = commands();
        } catch (RuntimeException e) {
            log.debug("limits store: lease {} not released (Redis unavailable); it expires by itself", leaseId);
            return;
        }
        for (Policy p : scopes) {
            if (p.concurrent() != null) {
                // pipelined: each ZREM is written without waiting for the previous answer
                c.zrem(leaseKey(p.scope()), member(leaseId)).whenComplete((removed, error) -> {
                    if (error != null) {
                        log.debug(
                                "limits store: lease {} not released ({}); it expires by itself",
                                leaseId,
                                error.toString());
                    }
                });
            }
        }
    }

    @Override
    public CompletionStage<long[]> settle(
            List<Policy> scopes, long admittedMs, long tokenDelta, long costMicros, long nowMs) {
        int n = scopes.size();
        long nowMinute = Math.floorDiv(nowMs, SlidingWindow.WINDOW_MS);
        long thenMinute = Math.floorDiv(admittedMs, SlidingWindow.WINDOW_MS);
        // the bucket that counted the call, if it still counts (this minute or the one before)
        boolean correct = tokenDelta != 0 && (thenMinute == nowMinute || thenMinute == nowMinute - 1);
        String[] keys = new String[2 * n];
        String[] args = new String[2 + 3 * n];
        args[0] = Long.toString(tokenDelta);
        args[1] = Long.toString(costMicros);
        boolean any = false;
        for (int i = 0; i < n; i++) {
            Policy p = scopes.get(i);
            boolean tk = correct && p.tpm() != null;
            BudgetPeriod.Window w = p.budgetMicros() == null ? null : p.period().window(nowMs);
            keys[2 * i] = tk ? tokensKey(thenMinute, p.scope()) : unused();
            keys[2 * i + 1] = w == null ? unused() : spendKey(w.startMs(), p.scope());
            args[2 + 3 * i] = tk ? "1" : "0";
            args[3 + 3 * i] = w == null ? "0" : "1";
            args[4 + 3 * i] = w == null ? "0" : Long.toString(w.endMs() - nowMs + DAY_MS);
            any |= tk || w != null;
        }
        if (!any) {
            long[] none = new long[n];
            java.util.Arrays.fill(none, -1);
            return CompletableFuture.completedFuture(none);
        }
        try {
            return run(commands(), SETTLE, keys, args).thenApply(r -> {
                long[] after = new long[n];
                for (int i = 0; i < n; i++) {
                    after[i] = (Long) r.get(i);
                }
                return after;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Long> spend(Policy scope, long windowStartMs) {
        try {
            return commands()
                    .get(spendKey(windowStartMs, scope.scope()))
                    .thenApply(v -> v == null ? 0L : Long.parseLong(v))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Runs a script by its digest, sending its text once more if Redis no longer has it. */
    private static CompletableFuture<List<Object>> run(
            RedisAsyncCommands<String, String> c, Script script, String[] keys, String[] args) {
        CompletableFuture<List<Object>> f = new CompletableFuture<>();
        c.<List<Object>>evalsha(script.sha, ScriptOutputType.MULTI, keys, args).whenComplete((r, error) -> {
            if (error == null) {
                f.complete(r);
            } else if (unwrap(error) instanceof RedisNoScriptException) {
                c.<List<Object>>eval(script.text, ScriptOutputType.MULTI, keys, args)
                        .whenComplete((r2, error2) -> {
                            if (error2 == null) {
                                f.complete(r2);
                            } else {
                                f.completeExceptionally(unwrap(error2));
                            }
                        });
            } else {
                f.completeExceptionally(unwrap(error));
            }
        });
        return f;
    }

    private static Throwable unwrap(Throwable t) {
        return RedisLink.unwrap(t);
    }

    /**
     * Closes the connection and Lettuce's threads; waits up to a few seconds, so call it off the
     * event loops.
     */
    @Override
    public void close() {
        link.close();
    }

    @Override
    public String toString() {
        return "redis " + link.where() + " (prefix " + tag.substring(1, tag.length() - 2) + ")";
    }

    /** A Lua script and its SHA-1 digest. */
    record Script(String text, String sha) {
        static Script load(String name) {
            try (InputStream in = RedisLimitStore.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + name);
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                byte[] d = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
                return new Script(text, HexFormat.of().formatHex(d));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
