package io.junction.core.config;

/**
 * What a provider's models can do ({@code capabilities:} of a provider). Unset fields take the
 * adapter's defaults for its type. The router skips a target that cannot serve what a request needs,
 * with the reason recorded, instead of sending it and failing.
 *
 * @param tools function calling
 * @param vision image inputs
 * @param jsonSchema {@code response_format: json_schema}
 * @param reasoning {@code reasoning_effort}
 * @param contextWindow input tokens the model accepts; unknown when null
 */
public record CapabilitiesSpec(
        Boolean tools, Boolean vision, Boolean jsonSchema, Boolean reasoning, Integer contextWindow) {
    public static final CapabilitiesSpec ALL = new CapabilitiesSpec(true, true, true, true, null);
    public static final CapabilitiesSpec UNSET = new CapabilitiesSpec(null, null, null, null, null);

    /** These settings, with unset fields taken from {@code defaults}. */
    public CapabilitiesSpec over(CapabilitiesSpec defaults) {
        return new CapabilitiesSpec(
                tools != null ? tools : defaults.tools(),
                vision != null ? vision : defaults.vision(),
                jsonSchema != null ? jsonSchema : defaults.jsonSchema(),
                reasoning != null ? reasoning : defaults.reasoning(),
                contextWindow != null ? contextWindow : defaults.contextWindow());
    }
}
