package io.junction.server.config;

/** A configuration problem, with a message naming the file, the YAML path and what is wrong. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
