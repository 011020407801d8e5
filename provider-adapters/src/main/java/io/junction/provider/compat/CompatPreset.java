package io.junction.provider.compat;

import java.util.Map;
import java.util.Set;

/**
 * One OpenAI-compatible provider: its type name, default base URL and the request quirks Junction
 * applies for it. Every quirk is listed, with its source, in {@code docs/providers.md}.
 *
 * @param type the config {@code type}
 * @param defaultBaseUrl the base URL when the config gives none; Junction appends {@code /chat/completions}
 * @param dropped top-level request fields removed before sending, because the provider rejects them
 * @param renamed top-level request fields sent under another name; when the new name is already set,
 *     the old field is dropped instead
 * @param dropMessageNames whether {@code messages[].name} is removed (the provider rejects it)
 * @param singleChoice whether {@code n} above 1 is refused with a 400 (the provider returns one choice)
 * @param includeUsage whether streamed requests ask for {@code stream_options.include_usage}
 */
public record CompatPreset(
        String type,
        String defaultBaseUrl,
        Set<String> dropped,
        Map<String, String> renamed,
        boolean dropMessageNames,
        boolean singleChoice,
        boolean includeUsage) {

    public CompatPreset {
        dropped = Set.copyOf(dropped);
        renamed = Map.copyOf(renamed);
    }

    /** A preset that changes nothing but the base URL. */
    static CompatPreset plain(String type, String defaultBaseUrl) {
        return new CompatPreset(type, defaultBaseUrl, Set.of(), Map.of(), false, false, true);
    }

    /** True when requests are sent exactly as the openai type sends them. */
    public boolean passThrough() {
        return dropped.isEmpty() && renamed.isEmpty() && !dropMessageNames && !singleChoice;
    }
}
