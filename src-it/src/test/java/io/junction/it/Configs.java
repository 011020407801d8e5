package io.junction.it;

/** Junction configs for the ITs: one shape, with a fake OpenAI-compatible upstream named {@code up}. */
final class Configs {
    /** A client key allowed every model. */
    static final String KEY = "sk-test-1";
    /** A client key allowed only {@code mock/*}. */
    static final String LIMITED_KEY = "sk-limited";
    /** The secret Junction must send to the upstream, and the only one it may send. */
    static final String UPSTREAM_KEY = "sk-upstream-secret";

    private Configs() {}

    /**
     * Two client keys; provider {@code up} (type openai) at {@code upstreamPort}; the built-in
     * {@code mock}; alias {@code managed} = up/gpt-4o-mini then mock/echo. {@code extraProviders} is
     * YAML inserted under {@code providers:} (each line indented by two spaces), may be empty.
     */
    static String standard(int port, int upstreamPort, String extraProviders) {
        return """
                server: { host: 127.0.0.1, port: %d, extra_fields: true, max_body_bytes: 10485760 }
                keys:
                  - { key: %s, name: team-a, models: ["*"] }
                  - { key: %s, name: limited, models: ["mock/*"] }
                providers:
                  up:   { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: %s, read_timeout_ms: 5000, connect_timeout_ms: 2000, models: [gpt-4o-mini], retry: { max_retries: 0 } }
                  mock: { type: mock, models: [echo] }
                %s
                models:
                  managed: { targets: [up/gpt-4o-mini, mock/echo] }
                """.formatted(port, KEY, LIMITED_KEY, upstreamPort, UPSTREAM_KEY, extraProviders);
    }
}
