package io.junction.core.config;

import java.util.List;

/**
 * A model alias ({@code models:} entry). {@code targets} are {@code provider/model} strings: the
 * first is the primary, the rest are fallbacks tried in order. {@code ttft_timeout_ms}, when set,
 * overrides the providers' for calls to this alias.
 */
public record AliasSpec(List<String> targets, Long ttftTimeoutMs) {
    public AliasSpec {
        targets = targets == null ? List.of() : List.copyOf(targets);
    }

    public AliasSpec(List<String> targets) {
        this(targets, null);
    }
}
