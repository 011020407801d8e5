package io.junction.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON Schema to Gemini's {@code Schema} (an OpenAPI 3.0 subset), for {@code schema_mode: openapi}.
 * Pure and total: keywords Gemini's Schema lacks are dropped or rewritten, never rejected.
 *
 * <ul>
 *   <li>kept: {@code type, format, title, description, nullable, enum, items, properties, required,
 *       minItems, maxItems, minProperties, maxProperties, minLength, maxLength, pattern, minimum,
 *       maximum, default, example, anyOf, propertyOrdering};
 *   <li>local {@code $ref}s ({@code #/$defs/...}, {@code #/definitions/...}) are inlined; a recursive
 *       reference becomes {@code {type: object}} at the point where it recurs;
 *   <li>{@code type: [t, "null"]} becomes {@code type: t, nullable: true}; several non-null types
 *       become {@code anyOf}; an {@code anyOf}/{@code oneOf} branch {@code {type: null}} becomes
 *       {@code nullable: true}, and a single remaining branch is inlined;
 *   <li>{@code oneOf} becomes {@code anyOf}; {@code allOf} branches are merged (properties and
 *       required united); {@code const} becomes a one-value {@code enum};
 *   <li>{@code format} is kept only where Gemini knows it ({@code date-time}, {@code enum} for
 *       strings, {@code int32}/{@code int64}, {@code float}/{@code double});
 *   <li>{@code required} keeps only names listed in {@code properties};
 *   <li>dropped: {@code $schema, $id, $defs, definitions, additionalProperties, patternProperties,
 *       exclusiveMinimum, exclusiveMaximum, multipleOf, not, if/then/else, examples, uniqueItems,
 *       prefixItems, ...}.
 * </ul>
 */
final class GeminiSchemas {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Keywords copied unchanged when their value is a scalar or a plain value. */
    private static final Set<String> PLAIN = Set.of(
            "title",
            "description",
            "nullable",
            "enum",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties",
            "minLength",
            "maxLength",
            "pattern",
            "minimum",
            "maximum",
            "default",
            "example",
            "propertyOrdering");

    private static final Map<String, Set<String>> FORMATS = Map.of(
            "string", Set.of("date-time", "enum"),
            "integer", Set.of("int32", "int64"),
            "number", Set.of("float", "double"));

    /** How deep nested schemas are followed; deeper parts become {@code {}} (no constraint). */
    private static final int MAX_DEPTH = 64;

    private GeminiSchemas() {}

    /**
     * Tool parameters: the converted schema, or null when the function takes no arguments (an object
     * schema without properties), because Gemini rejects an OBJECT with empty {@code properties}.
     */
    static ObjectNode parameters(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return null;
        }
        ObjectNode out = convert(schema, false);
        boolean object = "object".equals(out.path("type").asText());
        if (object && (!out.has("properties") || out.get("properties").isEmpty())) {
            return null;
        }
        return out;
    }

    /**
     * One schema, converted. With {@code ordered} every object with properties also gets
     * {@code propertyOrdering} in the schema's key order, so structured output keeps the order the
     * client's schema gives.
     */
    static ObjectNode convert(JsonNode schema, boolean ordered) {
        return new Converter(schema, ordered).convert(schema, 0);
    }

    private static final class Converter {
        private final JsonNode root;
        private final boolean ordered;
        private final Set<String> expanding = new HashSet<>();

        Converter(JsonNode root, boolean ordered) {
            this.root = root;
            this.ordered = ordered;
        }

        ObjectNode convert(JsonNode node, int depth) {
            ObjectNode out = F.objectNode();
            if (node == null || !node.isObject() || depth > MAX_DEPTH) {
                return out; // boolean schemas and runaway nesting: no constraint
            }
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual()) {
                String pointer = ref.asText();
                JsonNode target = pointer.startsWith("#") ? root.at(pointer.substring(1)) : null;
                if (target == null || target.isMissingNode() || expanding.contains(pointer)) {
                    out.put("type", "object"); // remote, dangling or recursive reference
                } else {
                    expanding.add(pointer);
                    out = convert(target, depth + 1);
                    expanding.remove(pointer);
                }
            }
            JsonNode allOf = node.get("allOf");
            if (allOf != null && allOf.isArray()) {
                for (JsonNode branch : allOf) {
                    merge(out, convert(branch, depth + 1));
                }
            }
            JsonNode anyOf = node.has("anyOf") ? node.get("anyOf") : node.get("oneOf");
            if (anyOf != null && anyOf.isArray()) {
                anyOf(out, anyOf, depth);
            }
            JsonNode type = node.get("type");
            if (type != null) {
                type(out, type);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                JsonNode value = e.getValue();
                if (PLAIN.contains(key)) {
                    out.set(key, value.deepCopy());
                } else if (key.equals("const")) {
                    out.putArray("enum").add(value.isTextual() ? value.deepCopy() : F.textNode(value.toString()));
                } else if (key.equals("properties") && value.isObject()) {
                    ObjectNode props =
                            out.has("properties") && out.get("properties").isObject()
                                    ? (ObjectNode) out.get("properties")
                                    : F.objectNode();
                    for (Iterator<Map.Entry<String, JsonNode>> p = value.fields(); p.hasNext(); ) {
                        Map.Entry<String, JsonNode> prop = p.next();
                        props.set(prop.getKey(), convert(prop.getValue(), depth + 1));
                    }
                    out.set("properties", props);
                } else if (key.equals("items")) {
                    JsonNode items = value.isArray() ? value.path(0) : value;
                    out.set("items", convert(items, depth + 1));
                } else if (key.equals("required") && value.isArray()) {
                    Set<String> names = new LinkedHashSet<>();
                    out.path("required").forEach(n -> names.add(n.asText()));
                    value.forEach(n -> names.add(n.asText()));
                    ArrayNode req = F.arrayNode();
                    names.forEach(req::add);
                    out.set("required", req);
                }
            }
            JsonNode format = node.get("format");
            if (format != null && format.isTextual()) {
                Set<String> known = FORMATS.get(out.path("type").asText());
                if (known != null && known.contains(format.asText())) {
                    out.put("format", format.asText());
                }
            }
            tidy(out);
            return out;
        }

        private void anyOf(ObjectNode out, JsonNode branches, int depth) {
            List<ObjectNode> kept = new ArrayList<>();
            for (JsonNode b : branches) {
                ObjectNode c = convert(b, depth + 1);
                if (c.size() == 1 && "null".equals(c.path("type").asText())) {
                    out.put("nullable", true);
                } else {
                    kept.add(c);
                }
            }
            if (kept.size() == 1) {
                merge(out, kept.get(0));
            } else if (!kept.isEmpty()) {
                ArrayNode list = out.putArray("anyOf");
                kept.forEach(list::add);
            }
        }

        private static void type(ObjectNode out, JsonNode type) {
            if (type.isTextual()) {
                out.put("type", type.asText());
                return;
            }
            if (!type.isArray()) {
                return;
            }
            List<String> types = new ArrayList<>();
            for (JsonNode t : type) {
                if ("null".equals(t.asText())) {
                    out.put("nullable", true);
                } else {
                    types.add(t.asText());
                }
            }
            if (types.size() == 1) {
                out.put("type", types.get(0));
            } else if (types.size() > 1) {
                ArrayNode list = out.putArray("anyOf");
                types.forEach(t -> list.addObject().put("type", t));
            }
        }

        /** Folds {@code from} into {@code into}: properties and required are united, other keys kept if absent. */
        private static void merge(ObjectNode into, ObjectNode from) {
            for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                JsonNode mine = into.get(key);
                if (key.equals("properties") && mine != null && mine.isObject()) {
                    ((ObjectNode) mine).setAll((ObjectNode) e.getValue());
                } else if (key.equals("required") && mine != null && mine.isArray()) {
                    Set<String> names = new LinkedHashSet<>();
                    mine.forEach(n -> names.add(n.asText()));
                    e.getValue().forEach(n -> names.add(n.asText()));
                    ArrayNode req = F.arrayNode();
                    names.forEach(req::add);
                    into.set("required", req);
                } else if (mine == null) {
                    into.set(key, e.getValue());
                }
            }
        }

        private void tidy(ObjectNode out) {
            JsonNode props = out.get("properties");
            JsonNode required = out.get("required");
            if (required != null) {
                ArrayNode kept = F.arrayNode();
                for (JsonNode n : required) {
                    if (props != null && props.has(n.asText())) {
                        kept.add(n.asText());
                    }
                }
                if (kept.isEmpty()) {
                    out.remove("required");
                } else {
                    out.set("required", kept);
                }
            }
            if (ordered && props != null && props.size() > 1 && !out.has("propertyOrdering")) {
                ArrayNode order = out.putArray("propertyOrdering");
                props.fieldNames().forEachRemaining(order::add);
            }
        }
    }
}
