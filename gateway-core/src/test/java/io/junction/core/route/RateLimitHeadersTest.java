package io.junction.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.route.RateLimitHeaders.Learned;
import io.junction.core.route.RateLimitHeaders.Window;
import io.junction.core.transport.UpstreamHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing of the providers' rate-limit headers: every documented format, and garbage ignored. */
class RateLimitHeadersTest {
    private static final long NOW = 5_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private static UpstreamHeaders headers(Map<String, String> h) {
        Map<String, String> lower = new HashMap<>();
        h.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        return name -> lower.get(name.toLowerCase(Locale.ROOT));
    }

    /** A {@code name: value} file from test resources ({@code #} lines are comments). */
    private static Map<String, String> resource(String name) throws IOException {
        Map<String, String> h = new HashMap<>();
        try (InputStream in = RateLimitHeadersTest.class.getResourceAsStream("/ratelimit/" + name)) {
            assertThat(in).as(name).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                h.put(
                        line.substring(0, colon).strip(),
                        line.substring(colon + 1).strip());
            }
        }
        return h;
    }

    @ParameterizedTest
    @CsvSource({
        "1s, 1000",
        "6m0s, 360000",
        "20ms, 20",
        "1h2m3.5s, 3723500",
        "59.998s, 59998",
        "2m59.56s, 179560",
        "0s, 0",
        "1.5, 1500", // a bare number: seconds
        "30, 30000",
        "'  7s ', 7000",
        "500us, 0.5",
        "1000000ns, 1",
    })
    void durations(String value, double expectedMs) {
        assertThat(RateLimitHeaders.durationNanos(value)).isEqualTo((long) Math.ceil(expectedMs * MS));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "soon",
                "-1s",
                "1x",
                "1m30",
                "s",
                ".s",
                "1..2s",
                "1.2.3s",
                "NaN",
                "Infinity",
                "1e9s",
                "25h", // over a day: implausible
                "٣s", // a non-ASCII digit
                "99999999999999999999999999999999999999h"
            })
    void garbageDurationsAreIgnored(String value) {
        assertThat(RateLimitHeaders.durationNanos(value)).isEqualTo(-1);
    }

    @Test
    void theOpenAiExampleSetGivesBothWindows() throws IOException {
        Learned l = RateLimitHeaders.parse(headers(resource("openai-documented.headers")), NOW, 0);
        assertThat(l.requests()).isEqualTo(new Window(60, 59, NOW + S));
        assertThat(l.tokens()).isEqualTo(new Window(150_000, 149_984, NOW + 360 * S));
        assertThat(l.inputTokens()).isNull();
        assertThat(l.outputTokens()).isNull();
        assertThat(l.requests().exhausted(NOW)).isFalse();
    }

    @Test
    void theRecordedAnthropicSetGivesAllFourWindowsWithResetsFromItsTimestamps() throws IOException {
        Map<String, String> h = resource("anthropic-recorded.headers");
        long wall = ZonedDateTime.parse(h.get("date"), DateTimeFormatter.RFC_1123_DATE_TIME)
                .toInstant()
                .toEpochMilli();
        Learned l = RateLimitHeaders.parse(headers(h), NOW, wall);
        // the recorded resets are at or just before the response's Date: the windows are full again now
        assertThat(l.requests()).isEqualTo(new Window(1000, 999, NOW));
        assertThat(l.tokens()).isEqualTo(new Window(96_000, 96_000, NOW));
        assertThat(l.inputTokens()).isEqualTo(new Window(80_000, 80_000, NOW));
        assertThat(l.outputTokens()).isEqualTo(new Window(16_000, 16_000, NOW));
        // the same set read 2.5 s before that Date: the resets lie ahead
        Learned earlier = RateLimitHeaders.parse(headers(h), NOW, wall - 2500);
        assertThat(earlier.requests().resetAtNanos()).isEqualTo(NOW + 1500 * MS);
        assertThat(earlier.outputTokens().resetAtNanos()).isEqualTo(NOW + 2500 * MS);
    }

    @Test
    void anthropicExhaustedWindowsUntilTheirReset() {
        long wall = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
        Learned l = RateLimitHeaders.parse(
                headers(Map.of(
                        "anthropic-ratelimit-requests-limit", "50",
                        "anthropic-ratelimit-requests-remaining", "0",
                        "anthropic-ratelimit-requests-reset", "2026-03-01T10:00:12Z",
                        "anthropic-ratelimit-output-tokens-remaining", "0",
                        "anthropic-ratelimit-output-tokens-reset", "2026-03-01T11:00:00.250+01:00")),
                NOW,
                wall);
        assertThat(l.requests()).isEqualTo(new Window(50, 0, NOW + 12 * S));
        assertThat(l.requests().exhausted(NOW + 12 * S - 1)).isTrue();
        assertThat(l.requests().exhausted(NOW + 12 * S)).isFalse();
        assertThat(l.outputTokens()).isEqualTo(new Window(-1, 0, NOW + 250 * MS));
        assertThat(l.tokens()).isNull();
    }

    @Test
    void openAiHeadersWinOverAnthropicOnesForTheSameWindow() {
        Learned l = RateLimitHeaders.parse(
                headers(Map.of(
                        "x-ratelimit-remaining-requests", "3",
                        "anthropic-ratelimit-requests-remaining", "9")),
                NOW,
                0);
        assertThat(l.requests()).isEqualTo(new Window(-1, 3, Window.NO_RESET));
    }

    @Test
    void noRateLimitHeadersMeansNothingLearned() {
        assertThat(RateLimitHeaders.parse(UpstreamHeaders.EMPTY, NOW, 0)).isNull();
        assertThat(RateLimitHeaders.parse(headers(Map.of("content-type", "application/json")), NOW, 0))
                .isNull();
    }

    @Test
    void garbageValuesAreIgnoredWithoutThrowing() {
        Learned l = RateLimitHeaders.parse(
                headers(Map.of(
                        "x-ratelimit-limit-requests", "many",
                        "x-ratelimit-remaining-requests", "-4",
                        "x-ratelimit-reset-requests", "1s",
                        "x-ratelimit-limit-tokens", "1000",
                        "x-ratelimit-remaining-tokens", "0",
                        "x-ratelimit-reset-tokens", "tomorrow",
                        "anthropic-ratelimit-input-tokens-remaining", "12abc",
                        "anthropic-ratelimit-output-tokens-remaining", "0",
                        "anthropic-ratelimit-output-tokens-reset", "2026-13-45T99:00:00Z")),
                NOW,
                0);
        assertThat(l.requests())
                .as("remaining is not a count: the window is unknown")
                .isNull();
        assertThat(l.inputTokens()).isNull();
        // remaining 0 with a reset that does not parse: known to be spent, but not until when -> never skipped
        assertThat(l.tokens()).isEqualTo(new Window(1000, 0, Window.NO_RESET));
        assertThat(l.tokens().exhausted(NOW)).isFalse();
        assertThat(l.outputTokens()).isEqualTo(new Window(-1, 0, Window.NO_RESET));
        assertThat(RateLimitHeaders.count("99999999999999999999"))
                .as("overflow")
                .isEqualTo(-1);
        assertThat(RateLimitHeaders.count("+5")).isEqualTo(-1);
        assertThat(RateLimitHeaders.epochMillis("2026-03-01 10:00:00")).isEqualTo(Long.MIN_VALUE);
    }
}
