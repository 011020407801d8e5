package io.junction.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link Usage}'s field-by-field deserializers against Jackson's own record creators (what read usage
 * before them): each input below gives the same records through both, or fails through both at the
 * same path with the same kind of error.
 */
class UsageReadingTest {
    @JsonDeserialize(using = JsonDeserializer.None.class)
    abstract static class CreatorPath {}

    private static final ObjectMapper CREATOR = Json.MAPPER
            .copy()
            .addMixIn(Usage.class, CreatorPath.class)
            .addMixIn(Usage.PromptTokensDetails.class, CreatorPath.class)
            .addMixIn(Usage.CompletionTokensDetails.class, CreatorPath.class);

    private static final List<String> USAGES = List.of(
            // OpenAI's, recorded shape
            "{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                    + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                    + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}",
            "{\"prompt_tokens\":5,\"completion_tokens\":1}",
            "{}",
            "{\"prompt_tokens\":null,\"prompt_tokens_details\":null}",
            "{\"prompt_tokens\":1,\"cost\":0.0042,\"is_byok\":false,\"server_tool_use\":{\"web_search_requests\":1}}",
            "{\"prompt_tokens\":1,\"prompt_tokens\":2}",
            "{\"x\":1,\"x\":2,\"prompt_tokens\":3}",
            "{\"prompt_tokens_details\":{\"cached_tokens\":4,\"cache_write_tokens\":7,\"extra_detail\":[1]}}",
            "{\"completion_tokens_details\":{\"reasoning_tokens\":9,\"other\":null}}",
            // coercions and mismatches, as the Integer deserializer decides them
            "{\"prompt_tokens\":\"12\"}",
            "{\"prompt_tokens\":1.0}",
            "{\"prompt_tokens\":1.5}",
            "{\"prompt_tokens\":\"many\"}",
            "{\"prompt_tokens\":[1]}",
            "{\"prompt_tokens\":{\"a\":1}}",
            "{\"prompt_tokens\":true}",
            "{\"prompt_tokens\":99999999999}",
            "{\"prompt_tokens_details\":5}",
            "{\"prompt_tokens_details\":{\"cached_tokens\":\"x\"}}",
            "{\"completion_tokens_details\":[]}",
            "[]",
            "5",
            "null");

    /** The records, or where and how reading failed. */
    private static Object outcome(ObjectMapper mapper, String json) {
        try {
            return mapper.readValue(json, Usage.class);
        } catch (JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return "failed at '" + path + "': " + root.getClass().getSimpleName();
        } catch (Exception e) {
            return "failed: " + e.getClass().getSimpleName();
        }
    }

    @Test
    void everyUsageReadsAsJacksonsCreatorsReadIt() {
        for (String u : USAGES) {
            assertThat(outcome(Json.MAPPER, u)).as(u).isEqualTo(outcome(CREATOR, u));
        }
    }

    @Test
    void theComparisonSeesDifferences() throws Exception {
        assertThat(CREATOR.findMixInClassFor(Usage.class)).isEqualTo(CreatorPath.class);
        // really two implementations: the creator hands the record a map of its own even when empty
        java.util.Map<String, Object> created =
                CREATOR.readValue("{\"prompt_tokens\":1}", Usage.class).extra();
        assertThat(created).isEmpty();
        assertThat(created).isNotSameAs(java.util.Map.of());
        assertThat(Json.MAPPER.readValue("{\"prompt_tokens\":1}", Usage.class).extra())
                .isSameAs(java.util.Map.of());
        assertThat(outcome(Json.MAPPER, "{\"prompt_tokens\":[1]}"))
                .isEqualTo("failed at 'prompt_tokens': MismatchedInputException");
        Usage u = Json.MAPPER.readValue("{\"prompt_tokens\":1,\"z\":2,\"a\":3}", Usage.class);
        assertThat(u.extra().keySet()).containsExactly("z", "a");
        assertThat(Json.MAPPER.writeValueAsString(u)).isEqualTo("{\"prompt_tokens\":1,\"z\":2,\"a\":3}");
    }
}
