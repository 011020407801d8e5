package io.junction.core.spi;

import java.util.Objects;

/**
 * One thing a request can be sent to: a provider and the model string to ask it for. A value (equal
 * when provider and model are); its {@link #id()} is built once, not per call: a request asks for it
 * several times (metrics, attempts, logs, the ledger).
 */
public final class Target {
    private final Provider provider;
    private final String model;
    private final String id;

    public Target(Provider provider, String model) {
        this.provider = provider;
        this.model = model;
        this.id = provider.name() + "/" + model;
    }

    public Provider provider() {
        return provider;
    }

    public String model() {
        return model;
    }

    /** {@code provider/model}, the name used in config, logs and metrics. */
    public String id() {
        return id;
    }

    public ProviderAdapter adapter() {
        return provider.adapter();
    }

    /** What this target can do: the provider's configured capabilities over the adapter's defaults. */
    public io.junction.core.config.CapabilitiesSpec capabilities() {
        return provider.spec().capabilities().over(provider.adapter().capabilities(model));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && provider.equals(t.provider) && Objects.equals(model, t.model);
    }

    @Override
    public int hashCode() {
        return 31 * provider.hashCode() + Objects.hashCode(model);
    }

    @Override
    public String toString() {
        return id;
    }
}
