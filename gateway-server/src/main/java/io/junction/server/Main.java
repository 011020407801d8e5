package io.junction.server;

import io.junction.core.config.JunctionConfig;
import io.junction.core.spi.ProviderRegistry;
import io.junction.server.config.ConfigException;
import io.junction.server.config.ConfigLoader;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar junction.jar [--config FILE] [--validate]}.
 *
 * <p>The config is {@code --config}, else {@code $JUNCTION_CONFIG}, else {@code config/junction.yaml}
 * in the working directory, else the built-in default (the {@code mock} provider, no keys).
 */
public final class Main {
    static final String DEFAULT_CONFIG = "config/junction.yaml";
    static final String EMBEDDED_CONFIG = "/junction-default.yaml";

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Runs the CLI; returns an exit code, or -1 when the server was started and keeps running. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String configArg = null;
        boolean validate = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c" -> {
                    if (i + 1 >= args.length) {
                        err.println("junction: --config needs a file name");
                        return 2;
                    }
                    configArg = args[++i];
                }
                case "--validate" -> validate = true;
                case "--help", "-h" -> {
                    out.println("Usage: java -jar junction.jar [--config FILE] [--validate]");
                    out.println("  --config FILE  YAML config (default: $JUNCTION_CONFIG, then " + DEFAULT_CONFIG
                            + ", then the built-in mock config)");
                    out.println("  --validate     check the config and exit (0 = valid)");
                    return 0;
                }
                default -> {
                    err.println("junction: unknown argument '" + args[i] + "' (try --help)");
                    return 2;
                }
            }
        }
        ProviderRegistry registry = ProviderRegistry.load();
        ConfigLoader loader = new ConfigLoader(registry);
        JunctionConfig config;
        String source;
        try {
            if (configArg == null) {
                configArg = System.getenv("JUNCTION_CONFIG");
            }
            if (configArg != null && !configArg.isBlank()) {
                source = configArg;
                config = loader.load(Path.of(configArg));
            } else if (Files.isRegularFile(Path.of(DEFAULT_CONFIG))) {
                source = DEFAULT_CONFIG;
                config = loader.load(Path.of(DEFAULT_CONFIG));
            } else {
                source = "built-in default config";
                try (InputStream in = Main.class.getResourceAsStream(EMBEDDED_CONFIG)) {
                    config = loader.load(source, in);
                }
            }
        } catch (ConfigException e) {
            err.println("junction: config error: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            err.println("junction: cannot read the built-in config: " + e.getMessage());
            return 2;
        }
        if (validate) {
            out.println("config OK: " + source + " (" + config.providers().size() + " providers, "
                    + config.models().size() + " aliases, " + config.keys().size() + " keys)");
            return 0;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        log.info(
                "config: {} (providers: {}; aliases: {})",
                source,
                config.providers().keySet(),
                config.models().keySet());
        if (config.keys().isEmpty()) {
            log.warn("*** AUTH IS OFF: no 'keys' are configured, so anyone who can reach this port can use every"
                    + " provider. Add keys: to the config before exposing Junction. ***");
        }
        try {
            JunctionServer server = JunctionServer.start(config, registry);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "junction-shutdown"));
        } catch (Exception e) {
            err.println("junction: cannot start: " + e);
            return 1;
        }
        return -1;
    }
}
