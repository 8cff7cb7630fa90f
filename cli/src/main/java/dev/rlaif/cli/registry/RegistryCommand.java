package dev.rlaif.cli.registry;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./rlaif registry}: a real Apicurio Registry server in its own process, for services that run as separate
 * processes ({@code ./rlaif service NAME}, the services' own {@code Main}). Prints one line on standard output,
 * {@code registry: URL}, once the server is ready; the URL goes to {@code RLAIF_REGISTRY_URL}.
 */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Run a real schema registry (Apicurio Registry 2.4.2, H2 on disk) until Ctrl-C; prints `registry: URL`.")
public final class RegistryCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8081", description = "HTTP port (default ${DEFAULT-VALUE}; 0 = a free one)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface)")
    String host;

    @Option(names = "--data-dir", defaultValue = ".rlaif/registry",
            description = "database and log (registry.log), kept across restarts (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--start-timeout", defaultValue = "PT3M", description = "longest wait for the server to be ready (default ${DEFAULT-VALUE})")
    Duration startTimeout;

    @Override
    public Integer call() throws Exception {
        List<String> javaOpts = Arrays.stream(System.getenv().getOrDefault("RLAIF_REGISTRY_JAVA_OPTS", "-Xmx384m").trim().split("\\s+"))
                .filter(s -> !s.isEmpty()).toList();
        System.err.println("rlaif registry: starting Apicurio Registry (data and log in " + dataDir.toAbsolutePath() + ")");
        try (RegistryServer server = RegistryServer.start(dataDir, host, port, javaOpts, startTimeout)) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "registry-stop"));
            System.out.println("registry: " + server.url());
            System.out.flush();
            int code = server.waitFor();
            System.err.println("rlaif registry: the server exited with code " + code);
            return code == 0 || code == 143 ? 0 : 1;
        }
    }
}
