package io.junction.server;

import io.junction.core.config.JunctionConfig;
import io.junction.core.error.GatewayException;
import io.junction.core.spi.ProviderRegistry;
import io.junction.server.cli.RouteExplainer;
import io.junction.server.cli.Warmup;
import io.junction.server.config.ConfigException;
import io.junction.server.config.ConfigLoader;
import io.junction.server.lifecycle.ConfigReloader;
import io.junction.server.lifecycle.NettyDefaults;
import io.junction.server.lifecycle.Signals;
import io.junction.server.lifecycle.StartupPreload;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar junction.jar [--config FILE] [--validate | --explain-route MODEL | --warmup]}.
 *
 * <p>The config is {@code --config}, else {@code $JUNCTION_CONFIG}, else {@code config/junction.yaml}
 * in the working directory, else the built-in default (the {@code mock} provider, no keys).
 *
 * <p>Running: SIGTERM or SIGINT drains and exits 0 (see {@link JunctionServer#shutdown}); SIGHUP or
 * a change to the config file reloads it (see {@link ConfigReloader}).
 */
public final class Main {
    static final String DEFAULT_CONFIG = "config/junction.yaml";
    static final String EMBEDDED_CONFIG = "/junction-default.yaml";
    /** Quiet period after a config file event before the file is read. */
    static final Duration RELOAD_DEBOUNCE = Duration.ofMillis(300);

    private Main() {}

    public static void main(String[] args) {
        NettyDefaults.apply(); // before any Netty class loads
        int code = run(args, System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Runs the CLI; returns an exit code, or -1 when the server was started and keeps running. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String configArg = null;
        boolean validate = false;
        boolean warmup = false;
        String explain = null;
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
                case "--explain-route" -> {
                    if (i + 1 >= args.length) {
                        err.println("junction: --explain-route needs a model name");
                        return 2;
                    }
                    explain = args[++i];
                }
                case "--warmup" -> warmup = true;
                case "--help", "-h" -> {
                    out.println("Usage: java -jar junction.jar [--config FILE] [--validate | --explain-route MODEL]");
                    out.println("  --config FILE          YAML config (default: $JUNCTION_CONFIG, then "
                            + DEFAULT_CONFIG + ", then the built-in mock config)");
                    out.println("  --validate             check the config (syntax, keys, types, ${VAR}s, provider"
                            + " types) and exit (0 = valid)");
                    out.println("  --explain-route MODEL  print how MODEL is routed (targets, retries, timeouts,"
                            + " breakers) and exit; sends nothing");
                    out.println("  --warmup               serve a few requests to itself with the built-in config"
                            + " and exit (to train a CDS archive)");
                    out.println("Signals: SIGTERM/SIGINT drain and stop; SIGHUP reloads the config file.");
                    return 0;
                }
                default -> {
                    err.println("junction: unknown argument '" + args[i] + "' (try --help)");
                    return 2;
                }
            }
        }
        if (warmup) {
            return Warmup.run(EMBEDDED_CONFIG, out, err);
        }
        boolean serving = !validate && explain == null;
        if (serving) {
            StartupPreload.start(); // native transport and TLS defaults load while the config is parsed
        }
        ProviderRegistry registry = ProviderRegistry.load();
        ConfigLoader loader = new ConfigLoader(registry);
        JunctionConfig config;
        String source;
        Path file = null;
        try {
            if (configArg == null) {
                configArg = System.getenv("JUNCTION_CONFIG");
            }
            if (configArg != null && !configArg.isBlank()) {
                file = Path.of(configArg);
            } else if (Files.isRegularFile(Path.of(DEFAULT_CONFIG))) {
                file = Path.of(DEFAULT_CONFIG);
            }
            if (file != null) {
                source = file.toString();
                config = loader.load(file);
            } else {
                source = "built-in default config";
                try (InputStream in = Main.class.getResourceAsStream(EMBEDDED_CONFIG)) {
                    config = loader.load(source, in);
                }
            }
        } catch (ConfigException e) {
            err.println("junction: config error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("junction: cannot read the built-in config: " + e.getMessage());
            return 2;
        }
        if (serving && "sqlite".equals(config.ledger().type())) {
            StartupPreload.startSqlite(); // its native library loads while the server is built
        }
        if (validate) {
            out.println("config OK: " + source + " (" + config.providers().size() + " providers, "
                    + config.models().size() + " aliases, " + config.keys().size() + " keys)");
            if (explain == null) {
                return 0;
            }
        }
        if (explain != null) {
            try {
                out.print(RouteExplainer.explain(config, registry, explain));
                return 0;
            } catch (GatewayException e) {
                err.println("junction: " + e.getMessage());
                return 2;
            }
        }
        return serve(config, registry, loader, source, file, err);
    }

    private static int serve(
            JunctionConfig config,
            ProviderRegistry registry,
            ConfigLoader loader,
            String source,
            Path file,
            PrintStream err) {
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
        JunctionServer server;
        try {
            server = JunctionServer.start(config, registry, source);
        } catch (Exception e) {
            err.println("junction: cannot start: " + e);
            return 1;
        }
        ConfigReloader reloader = file == null
                ? null
                : new ConfigReloader(file, loader::load, server::reload, server.configStatus(), RELOAD_DEBOUNCE);
        if (reloader != null && config.server().watchConfig()) {
            try {
                reloader.watch();
            } catch (RuntimeException e) {
                log.warn("cannot watch {} for changes ({}); SIGHUP still reloads it", file, e.toString());
            }
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (reloader != null) {
                                reloader.close();
                            }
                            server.shutdownGracefully();
                        },
                        "junction-shutdown"));
        List<String> signals = Signals.install(
                () -> {
                    if (reloader == null) {
                        log.warn("SIGHUP: nothing to reload (running on the {})", source);
                    } else {
                        log.info("SIGHUP: reloading {}", file);
                        reloader.reloadNow("SIGHUP");
                    }
                },
                () -> {
                    if (server.shuttingDown()) {
                        log.warn("second stop signal: ending the drain now");
                        server.endDrainNow();
                    } else {
                        System.exit(0); // runs the shutdown hook, which drains
                    }
                });
        log.debug("handling signals {}", signals);
        return -1;
    }
}
