package io.junction.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.CacheSpec;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Usage;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CaffeineResponseCacheTest {
    static CachedAnswer answer(String text) {
        ChatResponse r = new ChatResponse(
                "chatcmpl-1",
                "chat.completion",
                1L,
                "gpt-4o-mini",
                List.of(new ChatResponse.Choice(0, ChatMessage.of("assistant", text), null, "stop", null)),
                Usage.of(3, 4),
                null,
                null,
                null,
                null);
        return new CachedAnswer(r, "oai", "gpt-4o-mini", 1000L);
    }

    private static CachedAnswer get(ResponseCache c, String key) {
        return c.get(key).toCompletableFuture().getNow(null);
    }

    @Test
    void entriesExpireAfterTheTtlOnTheTicker() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        CaffeineResponseCache c =
                new CaffeineResponseCache(new CacheSpec(true, null, "10m", null, null, null, null, null), now::get);
        c.put("k", answer("hello"));
        assertThat(get(c, "k").response().choices().get(0).message().text()).isEqualTo("hello");
        now.addAndGet(TimeUnit.MINUTES.toNanos(9));
        assertThat(get(c, "k")).isNotNull();
        now.addAndGet(TimeUnit.MINUTES.toNanos(1) + 1);
        assertThat(get(c, "k")).as("past 10 minutes").isNull();
        c.cleanUp();
        assertThat(c.size()).isZero();
    }

    @Test
    void aNewWriteRestartsTheTtl() {
        AtomicLong now = new AtomicLong(0);
        CaffeineResponseCache c =
                new CaffeineResponseCache(new CacheSpec(true, null, null, 1000L, null, null, null, null), now::get);
        c.put("k", answer("a"));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
        c.put("k", answer("b"));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(get(c, "k").response().choices().get(0).message().text()).isEqualTo("b");
    }

    @Test
    void boundedByEntries() {
        AtomicLong now = new AtomicLong(0);
        CaffeineResponseCache c =
                new CaffeineResponseCache(new CacheSpec(true, null, null, null, 3L, null, null, null), now::get);
        for (int i = 0; i < 20; i++) {
            c.put("k" + i, answer("v" + i));
        }
        c.cleanUp();
        assertThat(c.size()).isLessThanOrEqualTo(3);
        assertThat(get(c, "missing")).isNull();
    }

    @Test
    void boundedByBytes() {
        AtomicLong now = new AtomicLong(0);
        int one = answer("x".repeat(1000)).weight();
        CaffeineResponseCache c = new CaffeineResponseCache(
                new CacheSpec(true, null, null, null, null, (long) one * 3, null, null), now::get);
        for (int i = 0; i < 10; i++) {
            c.put("k" + i, answer("x".repeat(1000)));
        }
        c.cleanUp();
        assertThat(c.size()).isBetween(1L, 3L);
    }

    @Test
    void closeDropsEverything() {
        CaffeineResponseCache c = new CaffeineResponseCache(CacheSpec.DEFAULTS, System::nanoTime);
        c.put("k", answer("a"));
        c.close();
        assertThat(get(c, "k")).isNull();
    }

    @Test
    void theWireFormRoundTrips() {
        CachedAnswer a = answer("héllo \"quoted\"");
        CachedAnswer back = CachedAnswer.fromJson(a.toJson());
        assertThat(back.provider()).isEqualTo("oai");
        assertThat(back.model()).isEqualTo("gpt-4o-mini");
        assertThat(back.storedAtMs()).isEqualTo(1000L);
        assertThat(back.response().choices().get(0).message().text()).isEqualTo("héllo \"quoted\"");
        assertThat(back.response().usage().completion()).isEqualTo(4);
        assertThat(new String(back.toJson(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(a.toJson(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void durations() {
        assertThat(CacheSpec.parseDuration("500ms")).isEqualTo(500);
        assertThat(CacheSpec.parseDuration("30s")).isEqualTo(30_000);
        assertThat(CacheSpec.parseDuration("10m")).isEqualTo(600_000);
        assertThat(CacheSpec.parseDuration("2h")).isEqualTo(7_200_000);
        assertThat(CacheSpec.parseDuration("1d")).isEqualTo(86_400_000);
        assertThat(CacheSpec.parseDuration("10")).isEqualTo(-1);
        assertThat(CacheSpec.parseDuration("ten minutes")).isEqualTo(-1);
        assertThat(CacheSpec.DEFAULTS.ttlMillis()).isEqualTo(600_000);
    }
}
