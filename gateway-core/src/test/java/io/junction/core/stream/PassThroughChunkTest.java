package io.junction.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.Json;
import io.junction.core.usage.CompletionText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassThroughChunkTest {

    private static final String ID =
            "\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"gpt-4.1\",\"system_fingerprint\":\"fp_1\",";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Scans {@code json} from inside a larger, reused buffer, as the SSE decoder hands it over. */
    private static boolean scan(PassThroughChunk c, String json) {
        byte[] b = bytes(json);
        byte[] buf = Arrays.copyOf(b, b.length + 17);
        Arrays.fill(buf, b.length, buf.length, (byte) '}'); // bytes past length must not be read
        return c.scan(buf, b.length);
    }

    /** Every fact the scan gives equals what the full ChatChunk parse gives its readers. */
    private static void assertSameAsFullParse(PassThroughChunk c, String json) throws Exception {
        ChatChunk full = Json.MAPPER.readValue(json, ChatChunk.class);
        assertThat(full.usage()).isNull();
        assertThat(c.choiceCount()).isEqualTo(full.choices().size());
        String finish = null;
        String content = "";
        String reasoning = "";
        String refusal = "";
        for (ChatChunk.Choice ch : full.choices()) {
            if (ch.finishReason() != null) {
                finish = ch.finishReason();
            }
            content = ch.delta().content() == null ? "" : ch.delta().content();
            reasoning = ch.delta().reasoningContent() == null ? "" : ch.delta().reasoningContent();
            refusal = ch.delta().refusal() == null ? "" : ch.delta().refusal();
        }
        assertThat(c.finishReason()).isEqualTo(finish);
        assertThat(c.content().toString()).isEqualTo(content);
        assertThat(c.reasoningContent().toString()).isEqualTo(reasoning);
        assertThat(c.refusal().toString()).isEqualTo(refusal);
        assertThat(c.hasContent())
                .isEqualTo(finish != null || !content.isEmpty() || !reasoning.isEmpty() || !refusal.isEmpty());
        assertThat(new String(c.bytes(), 0, c.length(), StandardCharsets.UTF_8)).isEqualTo(json);
        assertThat(c.copyBytes()).isEqualTo(bytes(json));
        assertThat(c.chunk()).isEqualTo(full);

        CompletionText fromScan = new CompletionText();
        fromScan.add(c);
        CompletionText fromChunk = new CompletionText();
        fromChunk.add(full);
        assertThat(fromScan.text()).isEqualTo(fromChunk.text());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // OpenAI's own shapes: role opener, content, finish, with obfuscation and service_tier
                "{" + ID
                        + "\"service_tier\":\"default\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"x1\"}",
                "{" + ID
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],\"obfuscation\":\"abc\"}",
                "{" + ID + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}",
                // escapes and unicode: \\n, \\\", \\\\, \\u escapes, a surrogate pair, raw multi-byte UTF-8
                "{" + ID
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\\n\\\"b\\\" \\\\ \\u00e9\\u4e2d \\ud83d\\ude00 é中😀 \\/\"}}]}",
                // reasoning and refusal, fields in any order, whitespace between tokens
                "{ \"choices\" : [ { \"delta\" : { \"reasoning_content\" : \"think\" , \"content\" : null } , \"index\" : 0 } ] , \"id\" : \"x\" }",
                "{" + ID + "\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I can't\"},\"finish_reason\":null}]}",
                // choices: [] (Azure's annotation, other providers' keep-alives): no choice, no content
                "{\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":\"\",\"choices\":[],\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":{\"filtered\":false}}}]}",
                // unknown fields with nested values at the top level and in the choice are skipped
                "{" + ID
                        + "\"x_meta\":{\"a\":[1,{\"b\":[true,null]}],\"c\":\"}\"},\"choices\":[{\"index\":0,\"content_filter_results\":{\"hate\":{\"filtered\":false}},\"delta\":{\"content\":\"k\"}}]}",
                // unknown delta fields that are null do not count as output
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"z\",\"audio\":null,\"tool_calls\":null}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"created\":9007199254740993,\"id\":null,\"model\":null}",
                "{}",
            })
    void plainChunksAreDescribedExactly(String json) throws Exception {
        PassThroughChunk c = new PassThroughChunk();
        assertThat(scan(c, json)).as(json).isTrue();
        assertSameAsFullParse(c, json);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // usage chunks (with or without choices) are re-encoded: full path
                "{" + ID + "\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}",
                "{\"choices\":[{\"index\":0,\"delta\":{}}],\"usage\":{\"prompt_tokens\":1}}",
                // tool calls, nested
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":[1]}\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[]}}]}",
                // unknown delta fields with a value, logprobs, several choices
                "{\"choices\":[{\"index\":0,\"delta\":{\"audio\":{\"id\":\"a\"}}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"annotations\":[]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"logprobs\":{\"content\":[]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}},{\"index\":1,\"delta\":{\"content\":\"b\"}}]}",
                // errors, gateway fields
                "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}",
                "{\"choices\":[],\"error\":null}",
                "{\"choices\":[],\"extra_fields\":{}}",
                // types the full parse would coerce or reject
                "{\"choices\":null}",
                "{\"choices\":{}}",
                "{\"choices\":[null]}",
                "{\"choices\":[{\"index\":null,\"delta\":{}}]}",
                "{\"choices\":[{\"index\":1.5,\"delta\":{}}]}",
                "{\"choices\":[{\"index\":99999999999,\"delta\":{}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":5}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"role\":{}}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":1}]}",
                "{\"created\":\"1700000000\",\"choices\":[]}",
                "{\"created\":1.5,\"choices\":[]}",
                "{\"created\":123456789012345678901234567890,\"choices\":[]}",
                "{\"model\":42,\"choices\":[]}",
                "{\"choices\":[],\"choices\":[]}",
                // repeated keys: which one counts is the full parse's business
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"one\",\"content\":\"two\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"one\"},\"finish_reason\":\"stop\",\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"delta\":{}}]}",
                // not one complete JSON object
                "",
                "   ",
                "null",
                "[]",
                "\"text\"",
                "[DONE]",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"cut",
                "{\"choices\":[]",
                "{\"choices\":[]} trailing",
                "{\"choices\":[]}{\"choices\":[]}",
                "{\"choices\":[],}",
                "{'choices':[]}",
                "{\"x\":[1,2}",
            })
    void everythingElseTakesTheFullPath(String json) {
        PassThroughChunk c = new PassThroughChunk();
        assertThat(scan(c, json)).as(json).isFalse();
        // and the next, plain event on the same instance is still read correctly
        String plain = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"after\"}}]}";
        assertThat(scan(c, plain)).isTrue();
        assertThat(c.content().toString()).isEqualTo("after");
    }

    @Test
    void oneInstanceReadsAWholeStreamAndForgetsThePreviousEvent() throws Exception {
        PassThroughChunk c = new PassThroughChunk();
        String[] events = {
            "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\",\"reasoning_content\":\"r\"}}]}",
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}",
            "not json",
            "{\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"no\"}}]}",
            "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}",
            "{\"choices\":[]}",
        };
        for (int round = 0; round < 3; round++) {
            for (String e : events) {
                boolean plain = scan(c, e);
                assertThat(plain).as(e).isEqualTo(!e.equals("not json"));
                if (plain) {
                    assertSameAsFullParse(c, e);
                }
            }
        }
        c.close();
        assertThat(scan(c, events[1])).isTrue();
        assertThat(c.content().toString()).isEqualTo("Hel");
    }

    @Test
    void longTextIsKeptWhole() throws Exception {
        String big = "é".repeat(40_000) + "\\n" + "x".repeat(30_000);
        String json = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + big + "\"}}]}";
        PassThroughChunk c = new PassThroughChunk();
        assertThat(scan(c, json)).isTrue();
        assertSameAsFullParse(c, json);
        assertThat(c.content().length()).isEqualTo(70_001);
    }
}
