package io.junction.core.schema;

/**
 * An assistant tool call. In a stream delta {@code index} is set and the other fields arrive in
 * pieces; in a full message {@code index} is null.
 */
public record ToolCall(Integer index, String id, String type, FunctionCall function) {

    public static ToolCall function(String id, String name, String arguments) {
        return new ToolCall(null, id, "function", new FunctionCall(name, arguments));
    }

    /** {@code arguments} is a JSON document as a string, exactly as OpenAI sends it. */
    public record FunctionCall(String name, String arguments) {}
}
