package io.junction.core.util;

import java.util.regex.Pattern;

/** Shell-style globs for allow-lists: {@code *} matches any run of characters ({@code /} included), {@code ?} one. */
public final class Glob {
    private final Pattern pattern;
    private final String source;

    private Glob(String source) {
        this.source = source;
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
        return pattern.matcher(value).matches();
    }

    @Override
    public String toString() {
        return source;
    }
}
