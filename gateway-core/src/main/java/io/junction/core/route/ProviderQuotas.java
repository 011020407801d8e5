package io.junction.core.route;

import io.junction.core.config.LimitsSpec;
import io.junction.core.route.RateLimitHeaders.Learned;
import io.junction.core.route.RateLimitHeaders.Window;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * What the router knows about each provider key's rate limits, so it can skip a target before the
 * provider answers 429:
 *
 * <ul>
 *   <li><b>learned</b>, per target ({@code provider/model}) and key: the remaining requests and tokens
 *       and their reset times from the provider's last response headers ({@link RateLimitHeaders}),
 *       minus the requests dispatched since (so {@code remaining: 1} stops the second request, not the
 *       third), and a block until the {@code Retry-After} of a 429;
 *   <li><b>configured</b>, per provider and key: {@code limits: {rpm, tpm}} counted here over a
 *       sliding 60 s window of one-second buckets — requests when dispatched, tokens from the usage a
 *       call reports when it ends (so a burst of long calls can overshoot {@code tpm} by what is in
 *       flight).
 * </ul>
 *
 * <p>Read on every routing decision from every event loop: a map lookup and a few volatile or
 * atomic reads, no locks. Updates race benignly (the last response's headers win; a bucket rolled
 * over by two loops at once may lose an increment), which is fine for steering.
 */
public final class ProviderQuotas {
    static final int WINDOW_SECONDS = 60;
    private static final long SECOND = 1_000_000_000L;

    private final LongSupplier wallMillis;
    private final ConcurrentHashMap<String, Learnt> learned = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Local> local = new ConcurrentHashMap<>();

    /** The learned state of one target, by key. */
    private record Learnt(Target target, KeyState[] keys) {}

    /** The configured limits' windows of one provider, by key. */
    private record Local(String provider, LimitsSpec limits, LocalWindow[] keys) {}

    public ProviderQuotas() {
        this(System::currentTimeMillis);
    }

    /** @param wallMillis the wall clock, used only to convert absolute reset times (Anthropic's) */
    public ProviderQuotas(LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
    }

    /** Learned state of one key of one target. */
    static final class KeyState {
        volatile Learned learned;
        /** Requests dispatched since {@link #learned} was read from a response. */
        final AtomicLong sentSince = new AtomicLong();
        /** Until when a 429's Retry-After blocks the key (nanoTime), or MIN_VALUE. */
        final AtomicLong blockedUntil = new AtomicLong(Long.MIN_VALUE);
    }

    /** The configured limits' sliding window for one key of one provider. */
    static final class LocalWindow {
        final AtomicLongArray requests = new AtomicLongArray(WINDOW_SECONDS);
        final AtomicLongArray tokens = new AtomicLongArray(WINDOW_SECONDS);
        final AtomicLongArray second = new AtomicLongArray(WINDOW_SECONDS);

        LocalWindow() {
            for (int i = 0; i < WINDOW_SECONDS; i++) {
                second.set(i, Long.MIN_VALUE);
            }
        }

        private int slot(long nowNanos) {
            long s = Math.floorDiv(nowNanos, SECOND);
            int i = (int) Math.floorMod(s, (long) WINDOW_SECONDS);
            long seen = second.get(i);
            if (seen != s && second.compareAndSet(i, seen, s)) {
                requests.set(i, 0);
                tokens.set(i, 0);
            }
            return i;
        }

        void add(AtomicLongArray counter, long n, long nowNanos) {
            counter.addAndGet(slot(nowNanos), n);
        }

        /** Sum of {@code counter} over the last 60 s; {@code oldest[0]} gets the oldest counted second. */
        long sum(AtomicLongArray counter, long nowNanos, long[] oldest) {
            long now = Math.floorDiv(nowNanos, SECOND);
            long total = 0;
            long first = Long.MAX_VALUE;
            for (int i = 0; i < WINDOW_SECONDS; i++) {
                long s = second.get(i);
                if (s > now - WINDOW_SECONDS && s <= now) {
                    long v = counter.get(i);
                    if (v > 0) {
                        total += v;
                        first = Math.min(first, s);
                    }
                }
            }
            if (oldest != null) {
                oldest[0] = first;
            }
            return total;
        }
    }

    private static int keyCount(Target t) {
        return Math.max(1, t.provider().spec().allApiKeys().size());
    }

    private KeyState[] states(Target t, int keys) {
        Learnt s = learned.get(t.id());
        if (s == null || s.keys.length != keys) {
            s = learned.compute(
                    t.id(), (k, old) -> old != null && old.keys.length == keys ? old : new Learnt(t, newStates(keys)));
        }
        return s.keys;
    }

    /** The learned states of {@code t} when there are any for its current number of keys, else null. */
    private KeyState[] statesIfAny(Target t, int keys) {
        Learnt s = learned.get(t.id());
        return s != null && s.keys.length == keys ? s.keys : null;
    }

    private static KeyState[] newStates(int n) {
        KeyState[] s = new KeyState[n];
        for (int i = 0; i < n; i++) {
            s[i] = new KeyState();
        }
        return s;
    }

    private LocalWindow[] windows(Target t, int keys) {
        String p = t.provider().name();
        Local w = local.get(p);
        if (w == null || w.keys.length != keys) {
            w = local.compute(p, (k, old) -> {
                if (old != null && old.keys.length == keys) {
                    return old;
                }
                LocalWindow[] fresh = new LocalWindow[keys];
                for (int i = 0; i < keys; i++) {
                    fresh[i] = new LocalWindow();
                }
                return new Local(p, t.provider().spec().limits(), fresh);
            });
        }
        return w.keys;
    }

    private static int idx(int key) {
        return Math.max(0, key);
    }

    /**
     * How long until key {@code key} of {@code target} may be used: 0 = now, else the nanoseconds
     * until the limit that stops it resets (at least 1).
     */
    public long waitNanos(Target target, int key, long nowNanos) {
        return waitNanos(target, keyCount(target), key, nowNanos);
    }

    private long waitNanos(Target target, int keys, int key, long nowNanos) {
        int k = Math.min(idx(key), keys - 1);
        long wait = 0;
        KeyState[] s = statesIfAny(target, keys);
        if (s != null) {
            wait = learnedWait(s[k], nowNanos);
        }
        LimitsSpec limits = target.provider().spec().limits();
        if (limits.any()) {
            wait = Math.max(wait, localWait(windows(target, keys)[k], limits, nowNanos));
        }
        return wait;
    }

    /** 0 when some key of {@code target} may be used now, else the shortest wait over its keys. */
    public long targetWaitNanos(Target target, long nowNanos) {
        int keys = keyCount(target);
        long min = Long.MAX_VALUE;
        for (int k = 0; k < keys; k++) {
            long w = waitNanos(target, keys, k, nowNanos);
            if (w == 0) {
                return 0;
            }
            min = Math.min(min, w);
        }
        return min;
    }

    private static long learnedWait(KeyState s, long now) {
        long blocked = s.blockedUntil.get();
        long wait = blocked == Long.MIN_VALUE ? 0 : Math.max(0, blocked - now);
        Learned l = s.learned;
        if (l != null) {
            wait = Math.max(wait, windowWait(l.requests(), s.sentSince.get(), now));
            wait = Math.max(wait, windowWait(l.tokens(), 0, now));
            wait = Math.max(wait, windowWait(l.inputTokens(), 0, now));
            wait = Math.max(wait, windowWait(l.outputTokens(), 0, now));
        }
        return wait;
    }

    private static long windowWait(Window w, long spent, long now) {
        if (w == null || w.remaining() < 0 || w.resetAtNanos() == Window.NO_RESET) {
            return 0;
        }
        long left = w.resetAtNanos() - now;
        return left > 0 && w.remaining() - spent <= 0 ? left : 0;
    }

    private static long localWait(LocalWindow w, LimitsSpec limits, long now) {
        long[] oldest = new long[1];
        boolean full = limits.rpm() != null && w.sum(w.requests, now, oldest) >= limits.rpm();
        if (!full && limits.tpm() != null && w.sum(w.tokens, now, oldest) >= limits.tpm()) {
            full = true;
        }
        if (!full) {
            return 0;
        }
        if (oldest[0] == Long.MAX_VALUE) {
            return SECOND; // a limit of 0: nothing is ever allowed; say "a second" rather than never
        }
        // the window frees up when its oldest counted second slides out of it
        return Math.max(1, (oldest[0] + WINDOW_SECONDS) * SECOND - now);
    }

    /** A request goes to key {@code key} of {@code target} now. */
    public void dispatched(Target target, int key, long nowNanos) {
        int keys = keyCount(target);
        int k = Math.min(idx(key), keys - 1);
        KeyState[] s = statesIfAny(target, keys);
        if (s != null) {
            s[k].sentSince.incrementAndGet();
        }
        if (target.provider().spec().limits().rpm() != null) {
            LocalWindow w = windows(target, keys)[k];
            w.add(w.requests, 1, nowNanos);
        }
    }

    /** A call on key {@code key} of {@code target} reported {@code tokens} tokens of usage. */
    public void usage(Target target, int key, long tokens, long nowNanos) {
        if (tokens <= 0 || target.provider().spec().limits().tpm() == null) {
            return;
        }
        int keys = keyCount(target);
        LocalWindow w = windows(target, keys)[Math.min(idx(key), keys - 1)];
        w.add(w.tokens, tokens, nowNanos);
    }

    /** Reads the rate-limit headers of a response (any status) of key {@code key} of {@code target}. */
    public void learn(Target target, int key, UpstreamHeaders headers, long nowNanos) {
        Learned l = RateLimitHeaders.parse(headers, nowNanos, wallMillis.getAsLong());
        if (l == null) {
            return;
        }
        int keys = keyCount(target);
        KeyState s = states(target, keys)[Math.min(idx(key), keys - 1)];
        Learned prev = s.learned;
        if (prev != null) {
            // a response that states only some windows keeps what the others said before
            l = new Learned(
                    l.requests() != null ? l.requests() : prev.requests(),
                    l.tokens() != null ? l.tokens() : prev.tokens(),
                    l.inputTokens() != null ? l.inputTokens() : prev.inputTokens(),
                    l.outputTokens() != null ? l.outputTokens() : prev.outputTokens());
        }
        s.learned = l;
        s.sentSince.set(0);
    }

    /** A 429 with Retry-After: key {@code key} of {@code target} is not used before {@code untilNanos}. */
    public void block(Target target, int key, long untilNanos) {
        int keys = keyCount(target);
        states(target, keys)[Math.min(idx(key), keys - 1)].blockedUntil.accumulateAndGet(untilNanos, Math::max);
    }

    /**
     * One row of {@code GET /admin/routes}: what a target's key said in its last rate-limit headers,
     * as the router sees it now. Counts are -1 and times 0 when unknown; {@code limitedMs} is how long
     * the key is still skipped (0 = usable; configured limits included).
     */
    public record View(
            String target,
            int key,
            long remainingRequests,
            long limitRequests,
            long requestsResetMs,
            long remainingTokens,
            long limitTokens,
            long tokensResetMs,
            long blockedMs,
            long limitedMs) {}

    /** One row of configured limits: a provider's key, its {@code limits} and its last 60 s. */
    public record LocalView(String provider, int key, Long rpm, Long tpm, long requestsInWindow, long tokensInWindow) {}

    /** Every target key whose provider has sent rate-limit headers or a 429 with Retry-After, sorted. */
    public List<View> snapshot(long nowNanos) {
        List<View> out = new ArrayList<>();
        for (Learnt e : new TreeMap<>(learned).values()) {
            Target t = e.target();
            KeyState[] s = e.keys();
            for (int k = 0; k < s.length; k++) {
                long remReq = -1, limReq = -1, resetReq = 0, remTok = -1, limTok = -1, resetTok = 0;
                long until = s[k].blockedUntil.get();
                long blocked = until == Long.MIN_VALUE ? 0 : toMs(until - nowNanos);
                Learned l = s[k].learned;
                if (l != null && l.requests() != null) {
                    remReq = Math.max(0, l.requests().remaining() - s[k].sentSince.get());
                    limReq = l.requests().limit();
                    resetReq = resetMs(l.requests(), nowNanos);
                }
                Window tok = l == null ? null : tightest(l);
                if (tok != null) {
                    remTok = tok.remaining();
                    limTok = tok.limit();
                    resetTok = resetMs(tok, nowNanos);
                }
                long limited = k < keyCount(t) ? toMs(waitNanos(t, k, nowNanos)) : 0;
                out.add(new View(t.id(), k, remReq, limReq, resetReq, remTok, limTok, resetTok, blocked, limited));
            }
        }
        return out;
    }

    /** Every provider key with configured limits that has been used, sorted by provider. */
    public List<LocalView> localSnapshot(long nowNanos) {
        List<LocalView> out = new ArrayList<>();
        for (Local e : new TreeMap<>(local).values()) {
            for (int k = 0; k < e.keys().length; k++) {
                LocalWindow w = e.keys()[k];
                out.add(new LocalView(
                        e.provider(),
                        k,
                        e.limits().rpm(),
                        e.limits().tpm(),
                        w.sum(w.requests, nowNanos, null),
                        w.sum(w.tokens, nowNanos, null)));
            }
        }
        return out;
    }

    /** The token window with the fewest tokens left (Anthropic states three). */
    private static Window tightest(Learned l) {
        Window best = null;
        for (Window w : new Window[] {l.tokens(), l.inputTokens(), l.outputTokens()}) {
            if (w != null && (best == null || w.remaining() < best.remaining())) {
                best = w;
            }
        }
        return best;
    }

    private static long resetMs(Window w, long now) {
        return w.resetAtNanos() == Window.NO_RESET ? 0 : toMs(w.resetAtNanos() - now);
    }

    private static long toMs(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }
}
