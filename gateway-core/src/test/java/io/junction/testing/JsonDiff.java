package io.junction.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Structural differences between two JSON trees, as readable {@code path: expected vs actual} lines.
 * Object key order is ignored; array order is not. Numbers compare by node type and value, as
 * {@link JsonNode#equals} does, so {@code 1} and {@code 1.0} differ.
 */
public final class JsonDiff {
    private JsonDiff() {}

    public static List<String> diff(JsonNode expected, JsonNode actual) {
        List<String> out = new ArrayList<>();
        walk("$", expected, actual, out);
        return out;
    }

    private static void walk(String path, JsonNode e, JsonNode a, List<String> out) {
        if (e == null || a == null) {
            if (e != a) {
                out.add(path + ": expected " + e + " but was " + a);
            }
            return;
        }
        if (e.isObject() && a.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            e.fieldNames().forEachRemaining(keys::add);
            a.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                JsonNode ev = e.get(k);
                JsonNode av = a.get(k);
                if (ev == null) {
                    out.add(path + "." + k + ": unexpected " + av);
                } else if (av == null) {
                    out.add(path + "." + k + ": missing (expected " + ev + ")");
                } else {
                    walk(path + "." + k, ev, av, out);
                }
            }
            return;
        }
        if (e.isArray() && a.isArray()) {
            if (e.size() != a.size()) {
                out.add(path + ": expected " + e.size() + " elements but was " + a.size() + ": " + a);
                return;
            }
            for (int i = 0; i < e.size(); i++) {
                walk(path + "[" + i + "]", e.get(i), a.get(i), out);
            }
            return;
        }
        if (!e.equals(a)) {
            out.add(path + ": expected " + e + " (" + e.getNodeType() + ") but was " + a + " (" + a.getNodeType()
                    + ")");
        }
    }
}
