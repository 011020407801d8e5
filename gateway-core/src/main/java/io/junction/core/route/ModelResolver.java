package io.junction.core.route;

import io.junction.core.config.AliasSpec;
import io.junction.core.config.JunctionConfig;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.spi.Provider;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.spi.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a requested model name into the ordered targets to try.
 *
 * <ol>
 *   <li>an alias from {@code models:} resolves to its {@code targets};
 *   <li>{@code <provider>/<model>} with a configured provider name resolves to that provider, with
 *       everything after the first {@code /} as the model (which may itself contain {@code /});
 *   <li>anything else is a 404 {@code model_not_found}.
 * </ol>
 */
public final class ModelResolver {
    private final Map<String, Provider> providers;
    private final Map<String, List<Target>> aliases;

    public ModelResolver(JunctionConfig config, ProviderRegistry registry) {
        Map<String, Provider> p = new LinkedHashMap<>();
        for (Map.Entry<String, ProviderSpec> e : config.providers().entrySet()) {
            ProviderSpec spec = e.getValue();
            p.put(e.getKey(), new Provider(e.getKey(), spec, registry.get(spec.type())));
        }
        this.providers = Map.copyOf(p);
        Map<String, List<Target>> a = new LinkedHashMap<>();
        for (Map.Entry<String, AliasSpec> e : config.models().entrySet()) {
            List<Target> targets = new ArrayList<>();
            for (String t : e.getValue().targets()) {
                Target target = direct(t);
                if (target == null) {
                    throw new IllegalArgumentException(
                            "alias '" + e.getKey() + "' targets unknown provider in '" + t + "'");
                }
                targets.add(target);
            }
            a.put(e.getKey(), List.copyOf(targets));
        }
        this.aliases = a;
    }

    public Map<String, Provider> providers() {
        return providers;
    }

    public Map<String, List<Target>> aliases() {
        return aliases;
    }

    /** The targets for {@code model}, or a 404 model_not_found. */
    public List<Target> resolve(String model) {
        List<Target> alias = aliases.get(model);
        if (alias != null) {
            return alias;
        }
        Target t = direct(model);
        if (t == null) {
            throw GatewayException.modelNotFound(model);
        }
        return List.of(t);
    }

    /**
     * The whole plan: the model's targets, then each of {@code fallbacks} in order; a target appears
     * once, at its first position. An unknown fallback is a 400 naming it.
     */
    public List<Target> plan(String model, List<String> fallbacks) {
        Set<String> seen = new LinkedHashSet<>();
        List<Target> plan = new ArrayList<>();
        addAll(plan, seen, resolve(model));
        if (fallbacks != null) {
            for (int i = 0; i < fallbacks.size(); i++) {
                List<Target> more;
                try {
                    more = resolve(fallbacks.get(i));
                } catch (GatewayException e) {
                    throw GatewayException.invalidRequest(
                            "fallbacks[" + i + "]",
                            "model_not_found",
                            "Unknown fallback model '" + fallbacks.get(i) + "'.");
                }
                addAll(plan, seen, more);
            }
        }
        return plan;
    }

    private static void addAll(List<Target> plan, Set<String> seen, List<Target> targets) {
        for (Target t : targets) {
            if (seen.add(t.id())) {
                plan.add(t);
            }
        }
    }

    private Target direct(String model) {
        int slash = model.indexOf('/');
        if (slash <= 0 || slash == model.length() - 1) {
            return null;
        }
        Provider p = providers.get(model.substring(0, slash));
        return p == null ? null : new Target(p, model.substring(slash + 1));
    }
}
