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

    @Override
    public String toString() {
        return id();
    }
}
