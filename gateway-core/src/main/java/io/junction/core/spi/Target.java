package io.junction.core.spi;

/** One thing a request can be sent to: a provider and the model string to ask it for. */
public record Target(Provider provider, String model) {

    /** {@code provider/model}, the name used in config, logs and metrics. */
    public String id() {
        return provider.name() + "/" + model;
    }

    public ProviderAdapter adapter() {
        return provider.adapter();
    }

    /** What this target can do: the provider's configured capabilities over the adapter's defaults. */
    public io.junction.core.config.CapabilitiesSpec capabilities() {
        return provider.spec().capabilities().over(provider.adapter().capabilities(model));
    }

    @Override
    public String toString() {
        return id();
    }
}
