package io.junction.core.config;

import java.util.List;

/**
 * A model alias ({@code models:} entry). {@code targets} are {@code provider/model} strings: the
 * first is the primary, the rest are fallbacks tried in order.
 */
public record AliasSpec(List<String> targets) {
    public AliasSpec {
        targets = targets == null ? List.of() : List.copyOf(targets);
    }
}
