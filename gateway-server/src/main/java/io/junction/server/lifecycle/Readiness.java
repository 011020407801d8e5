package io.junction.server.lifecycle;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code GET /ready}: a list of named checks; the instance is ready when every check passes.
 *
 * <p>Built in: {@code config} (a config is loaded) and {@code shutdown} (not draining). Other parts
 * add theirs with {@link #add} (e.g. a usage ledger that is writable, Redis that answers). A check
 * runs on an event loop for every probe, so it must be cheap and never block: report a state that a
 * background task keeps up to date, never do I/O inside {@link Check#check()}.
 */
public final class Readiness {
    /** One readiness condition. */
    public interface Check {
        /** Short, stable name shown in the {@code /ready} body, e.g. {@code "ledger"}. */
        String name();

        /** The current state; must not block. */
        Result check();
    }

    /** A check's outcome; {@code detail} is shown to whoever can reach {@code /ready}: no secrets. */
    public record Result(boolean ok, String detail) {
        public static Result up() {
            return new Result(true, null);
        }

        public static Result up(String detail) {
            return new Result(true, detail);
        }

        public static Result down(String detail) {
            return new Result(false, detail);
        }
    }

    private final List<Check> checks = new CopyOnWriteArrayList<>();

    /** Adds a check; a check with the same name replaces the earlier one. */
    public void add(Check check) {
        checks.removeIf(c -> c.name().equals(check.name()));
        checks.add(check);
    }

    /** Convenience for lambdas. */
    public void add(String name, java.util.function.Supplier<Result> check) {
        add(new Check() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Result check() {
                return check.get();
            }
        });
    }

    public List<String> names() {
        return checks.stream().map(Check::name).toList();
    }

    /** Runs every check; a check that throws counts as failed. */
    public Report evaluate() {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode results = JsonNodeFactory.instance.objectNode();
        boolean ready = true;
        for (Check c : checks) {
            Result r;
            try {
                r = c.check();
            } catch (RuntimeException e) {
                r = Result.down("check failed: " + e);
            }
            if (r == null) {
                r = Result.down("check returned nothing");
            }
            ready &= r.ok();
            ObjectNode one = results.putObject(c.name());
            one.put("ok", r.ok());
            if (r.detail() != null) {
                one.put("detail", r.detail());
            }
        }
        body.put("status", ready ? "ready" : "not_ready");
        body.set("checks", results);
        return new Report(ready, body);
    }

    /** The outcome of all checks and the JSON body {@code /ready} answers with. */
    public record Report(boolean ready, ObjectNode body) {}
}
