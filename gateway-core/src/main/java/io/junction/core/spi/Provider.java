package io.junction.core.spi;

import io.junction.core.config.ProviderSpec;

/** A configured provider: its name in config, its settings, and the adapter for its type. */
public record Provider(String name, ProviderSpec spec, ProviderAdapter adapter) {
    @Override
    public String toString() {
        return "Provider[" + name + ", type=" + spec.type() + "]";
    }
}
