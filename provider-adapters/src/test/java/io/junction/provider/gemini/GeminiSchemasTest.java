package io.junction.provider.gemini;

import static io.junction.provider.gemini.GeminiTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** JSON Schema to Gemini's OpenAPI-subset {@code Schema} ({@code schema_mode: openapi}). */
class GeminiSchemasTest {

    @Test
    void pydanticStyleDefsAreInlinedAndUnsupportedKeywordsDropped() {
        String schema = """
                {"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Order","type":"object",
                 "$defs":{"Item":{"type":"object","properties":{"sku":{"type":"string","pattern":"^[A-Z]+$"},
                                                               "qty":{"type":"integer","minimum":1,"exclusiveMaximum":100}},
                                  "required":["sku"],"additionalProperties":false}},
                 "properties":{
                   "items":{"type":"array","items":{"$ref":"#/$defs/Item"},"minItems":1,"uniqueItems":true},
                   "note":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}],"default":null,"description":"free text"},
                   "when":{"type":"string","format":"date-time"},
                   "email":{"type":"string","format":"email"},
                   "kind":{"const":"retail"},
                   "ratio":{"type":"number","format":"double","multipleOf":0.5}},
                 "required":["items","kind"],"additionalProperties":false}""";
        assertThat(GeminiSchemas.convert(tree(schema), false)).isEqualTo(tree("""
                        {"title":"Order","type":"object",
                         "properties":{
                           "items":{"type":"array","minItems":1,
                                    "items":{"type":"object","properties":{"sku":{"type":"string","pattern":"^[A-Z]+$"},
                                                                           "qty":{"type":"integer","minimum":1}},
                                             "required":["sku"]}},
                           "note":{"type":"string","maxLength":200,"nullable":true,"default":null,"description":"free text"},
                           "when":{"type":"string","format":"date-time"},
                           "email":{"type":"string"},
                           "kind":{"enum":["retail"]},
                           "ratio":{"type":"number","format":"double"}},
                         "required":["items","kind"]}"""));
    }

    @Test
    void recursiveReferencesStopAtAnOpenObject() {
        String schema = """
                {"type":"object","properties":{"root":{"$ref":"#/definitions/Node"}},
                 "definitions":{"Node":{"type":"object","properties":{
                   "name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/definitions/Node"}}}}}}""";
        assertThat(GeminiSchemas.convert(tree(schema), false)).isEqualTo(tree("""
                        {"type":"object","properties":{"root":{"type":"object","properties":{
                           "name":{"type":"string"},"children":{"type":"array","items":{"type":"object"}}}}}}"""));
    }

    @Test
    void typeListsOneOfAndAllOf() {
        String schema = """
                {"type":"object","properties":{
                   "a":{"type":["integer","null"]},
                   "b":{"type":["string","number"]},
                   "c":{"oneOf":[{"type":"string"},{"type":"integer"}]},
                   "d":{"allOf":[{"type":"object","properties":{"x":{"type":"string"}},"required":["x"]},
                                 {"properties":{"y":{"type":"boolean"}},"required":["y"]}],"description":"both"},
                   "e":true,
                   "f":{"$ref":"https://example.com/remote.json"},
                   "g":{"type":"array","items":[{"type":"string"},{"type":"integer"}]}}}""";
        assertThat(GeminiSchemas.convert(tree(schema), false)).isEqualTo(tree("""
                        {"type":"object","properties":{
                           "a":{"type":"integer","nullable":true},
                           "b":{"anyOf":[{"type":"string"},{"type":"number"}]},
                           "c":{"anyOf":[{"type":"string"},{"type":"integer"}]},
                           "d":{"type":"object","properties":{"x":{"type":"string"},"y":{"type":"boolean"}},
                                "required":["x","y"],"description":"both"},
                           "e":{},
                           "f":{"type":"object"},
                           "g":{"type":"array","items":{"type":"string"}}}}"""));
    }

    @Test
    void orderedModeAddsPropertyOrderingForStructuredOutput() {
        String schema = """
                {"type":"object","properties":{"z":{"type":"string"},"a":{"type":"object","properties":{
                   "second":{"type":"string"},"first":{"type":"string"}}},"m":{"type":"integer"}}}""";
        assertThat(GeminiSchemas.convert(tree(schema), true)).isEqualTo(tree("""
                        {"type":"object","properties":{"z":{"type":"string"},"a":{"type":"object","properties":{
                            "second":{"type":"string"},"first":{"type":"string"}},"propertyOrdering":["second","first"]},
                           "m":{"type":"integer"}},
                         "propertyOrdering":["z","a","m"]}"""));
    }

    @Test
    void parametersAreOmittedForFunctionsWithoutArguments() {
        assertThat(GeminiSchemas.parameters(null)).isNull();
        assertThat(GeminiSchemas.parameters(tree("{\"type\":\"object\"}"))).isNull();
        assertThat(GeminiSchemas.parameters(
                        tree("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}")))
                .isNull();
        assertThat(GeminiSchemas.parameters(tree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}")))
                .isEqualTo(tree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"));
    }

    @Test
    void deeplyNestedSchemasDoNotOverflow() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("{\"type\":\"array\",\"items\":");
        }
        sb.append("{\"type\":\"string\"}");
        sb.append("}".repeat(200));
        assertThat(GeminiSchemas.convert(tree(sb.toString()), false).get("type").asText())
                .isEqualTo("array");
    }
}
