package io.junction.core.schema;

/**
 * Jackson views that decide which request fields leave the gateway.
 *
 * <p>Gateway extension fields ({@code fallbacks}, {@code session_id}, {@code tags}, ...) carry
 * {@code @JsonView(Gateway.class)}. Serializing with {@link Upstream} drops them, because real
 * providers reject arguments they do not know; serializing with no view keeps every field.
 */
public final class Views {
    private Views() {}

    /** Fields Junction consumes itself and never forwards. */
    public static final class Gateway {}

    /** The view used to build provider request bodies. */
    public static final class Upstream {}
}
