package io.junction.core.config;

/** {@code admin:} — the key that protects {@code /admin/*}; with none, admin endpoints are refused. */
public record AdminSpec(String key) {
    public static final AdminSpec NONE = new AdminSpec(null);

    @Override
    public String toString() {
        return "AdminSpec[key=" + (key == null ? "none" : "<redacted>") + "]";
    }
}
