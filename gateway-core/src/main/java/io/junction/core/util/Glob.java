package io.junction.core.util;

import java.util.regex.Pattern;

/** Shell-style globs for allow-lists: {@code *} matches any run of characters ({@code /} included), {@code ?} one. */
public final class Glob {
    /** How a glob is matched: the common shapes without a regex (no {@code Matcher} per call). */
    private enum Kind {
        ANY,
        EXACT,
        PREFIX,
        SUFFIX,
        PATTERN
    }

    private final Pattern pattern;
    private final String source;
    private final Kind kind;
    /** The literal part for EXACT, PREFIX and SUFFIX. */
    private final String literal;

    private Glob(String source) {
        this.source = source;
        boolean question = source.indexOf('?') >= 0;
        int stars = (int) source.chars().filter(c -> c == '*').count();
        if (!question && stars == source.length() && stars > 0) {
            kind = Kind.ANY;
            literal = "";
        } else if (!question && stars == 0) {
            kind = Kind.EXACT;
            literal = source;
        } else if (!question && stars == 1 && source.endsWith("*")) {
            kind = Kind.PREFIX;
            literal = source.substring(0, source.length() - 1);
        } else if (!question && stars == 1 && source.startsWith("*")) {
            kind = Kind.SUFFIX;
            literal = source.substring(1);
        } else {
            kind = Kind.PATTERN;
            literal = null;
        }
        StringBuilder re = new StringBuilder();
        for (char c : source.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        this.pattern = Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    public static Glob of(String source) {
        return new Glob(source);
    }

    public boolean matches(String value) {
        return switch (kind) {
            case ANY -> true;
            case EXACT -> literal.equals(value);
            case PREFIX -> value.startsWith(literal);
            case SUFFIX -> value.endsWith(literal);
            case PATTERN -> pattern.matcher(value).matches();
        };
    }

    @Override
    public String toString() {
        return source;
    }
}
