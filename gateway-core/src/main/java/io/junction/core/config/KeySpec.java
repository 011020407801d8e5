package io.junction.core.config;

import java.util.List;

/**
 * One client key ({@code keys:} entry), sent by clients as {@code Authorization: Bearer <key>}.
 *
 * @param key the secret; never logged
 * @param name a label for logs and metrics
 * @param models glob allow-list of model names (aliases or provider/model) this key may call; default all
 */
public record KeySpec(String key, String name, List<String> models) {
    public KeySpec {
        models = models == null || models.isEmpty() ? List.of("*") : List.copyOf(models);
    }

    @Override
    public String toString() {
        return "KeySpec[name=" + name + ", models=" + models + ", key=<redacted>]";
    }
}
