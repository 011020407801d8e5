package io.junction.core.route;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ContentPart;
import io.junction.core.schema.MessageContent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {{name}}} placeholders in system and developer messages, filled from the request's
 * {@code system_prompt_args}, and an alias's {@code system_prompt} template prepended as a system
 * message. Values are inserted as plain text: nothing is evaluated, and an inserted value is never
 * scanned again, so a value containing {@code {{x}}} stays literal (no recursion).
 */
public final class SystemPrompts {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    private SystemPrompts() {}

    /**
     * The request with the template prepended (if any) and placeholders rendered. Placeholders are
     * rendered only when the request has {@code system_prompt_args} or an alias template is added;
     * then a placeholder without a value is a 400 naming it.
     */
    public static ChatRequest apply(ChatRequest request, String aliasTemplate) {
        Map<String, String> args = request.systemPromptArgs();
        boolean template = aliasTemplate != null && !aliasTemplate.isBlank();
        if (args == null && !template) {
            return request;
        }
        Map<String, String> values = args == null ? Map.of() : args;
        List<ChatMessage> out = new ArrayList<>(request.messages().size() + 1);
        if (template) {
            out.add(ChatMessage.of("system", render(aliasTemplate, values)));
        }
        for (ChatMessage m : request.messages()) {
            boolean instructions = "system".equals(m.role()) || "developer".equals(m.role());
            out.add(instructions && args != null ? renderMessage(m, values) : m);
        }
        return request.toBuilder().messages(out).build();
    }

    private static ChatMessage renderMessage(ChatMessage m, Map<String, String> values) {
        MessageContent content = m.content();
        MessageContent rendered;
        if (content instanceof MessageContent.Text t) {
            rendered = new MessageContent.Text(render(t.value(), values));
        } else if (content instanceof MessageContent.Parts p) {
            List<ContentPart> parts = new ArrayList<>(p.parts().size());
            for (ContentPart part : p.parts()) {
                parts.add(
                        part instanceof ContentPart.TextPart tp
                                ? new ContentPart.TextPart(render(tp.text(), values), tp.extra())
                                : part);
            }
            rendered = new MessageContent.Parts(parts);
        } else {
            return m;
        }
        return new ChatMessage(
                m.role(),
                rendered,
                m.name(),
                m.toolCalls(),
                m.toolCallId(),
                m.refusal(),
                m.reasoningContent(),
                m.extra());
    }

    static String render(String text, Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder(text.length() + 32);
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = values.get(name);
            if (value == null) {
                throw GatewayException.invalidRequest(
                        "system_prompt_args." + name,
                        "The system prompt uses '{{" + name + "}}' but system_prompt_args has no value for '" + name
                                + "'.");
            }
            matcher.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(sb);
        return sb.toString();
    }
}
