package io.junction.core.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
        "*, anything/at/all, true",
        "*, '', true",
        "openai/*, openai/gpt-4o, true",
        "openai/*, openai/org/model, true",
        "openai/*, openrouter/x, false",
        "openai/*, xopenai/gpt, false",
        "gpt-4?, gpt-4o, true",
        "gpt-4?, gpt-4, false",
        "gpt-4?, gpt-4oo, false",
        "gpt-4.1, gpt-4.1, true",
        "gpt-4.1, gpt-401, false",
        "a+b, a+b, true",
        "a+b, aab, false",
        "(x)[y]{1}, (x)[y]{1}, true",
        "*-mini, gpt-4o-mini, true",
        "*-mini, gpt-4o-mini-2024, false",
        "fast, fast, true",
        "fast, fastest, false",
        "'line*', 'line\nbreak', true",
        "**, x, true",
        "a*, a, true",
        "*a, a, true",
        "*a, ab, false",
        "a*b, a/x/b, true",
        "a*b, a/x/bc, false",
        "*mid*, amidb, true",
        "*mid*, amib, false",
        "?*, '', false",
        "'', '', true",
        "'', x, false",
    })
    void matchesTheWholeValue(String glob, String value, boolean expected) {
        assertThat(Glob.of(glob).matches(value)).isEqualTo(expected);
        assertThat(Glob.of(glob).toString()).isEqualTo(glob);
    }
}
