package io.junction.server.limits;

import io.junction.core.config.LimitsStoreSpec;
import io.junction.core.govern.LimitStore;
import io.junction.core.govern.MemoryLimitStore;

/** Opens the {@link LimitStore} that {@code limits_store:} asks for. */
public final class LimitStores {
    private LimitStores() {}

    /**
     * A {@link MemoryLimitStore} for {@code type: memory} (the default), a {@link RedisLimitStore} for
     * {@code type: redis}. Never waits for Redis: a Redis store that cannot connect yet still opens,
     * retries in the background and reports itself through {@link LimitStore#unhealthyReason}.
     *
     * @throws IllegalArgumentException for an unknown type, or {@code redis} without a {@code url}
     */
    public static LimitStore open(LimitsStoreSpec spec) {
        LimitsStoreSpec s = spec == null ? LimitsStoreSpec.DEFAULTS : spec;
        return switch (s.type()) {
            case "memory" -> new MemoryLimitStore();
            case "redis" -> {
                if (s.url() == null || s.url().isBlank()) {
                    throw new IllegalArgumentException("limits_store.url is required when limits_store.type is redis");
                }
                yield new RedisLimitStore(s.url(), s.prefix(), s.timeoutMs());
            }
            default ->
                throw new IllegalArgumentException(
                        "limits_store.type '" + s.type() + "' is not supported: expected memory or redis");
        };
    }
}
