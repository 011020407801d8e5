package io.junction.core.spi;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The adapters on the class path, by {@code type}, discovered through {@link ServiceLoader}. */
public final class ProviderRegistry {
    private final Map<String, ProviderAdapter> byType;

    public ProviderRegistry(Iterable<ProviderAdapter> adapters) {
        Map<String, ProviderAdapter> m = new TreeMap<>();
        for (ProviderAdapter a : adapters) {
            ProviderAdapter prev = m.put(a.type(), a);
            if (prev != null) {
                throw new IllegalStateException("two adapters claim type '" + a.type() + "': "
                        + prev.getClass().getName() + " and " + a.getClass().getName());
            }
        }
        this.byType = Map.copyOf(m);
    }

    public static ProviderRegistry load() {
        return new ProviderRegistry(ServiceLoader.load(ProviderAdapter.class));
    }

    public ProviderAdapter get(String type) {
        return byType.get(type);
    }

    public boolean has(String type) {
        return byType.containsKey(type);
    }

    /** Known types, sorted, for error messages. */
    public java.util.Set<String> types() {
        return new java.util.TreeSet<>(byType.keySet());
    }
}
