package dev.rlaif.cli.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry 2.4.2 server in its own process: the runner jar and {@code lib/} that the
 * {@code rlaif-registry} module assembles, started with {@code java -jar}. Its storage is H2 on a file under the
 * data directory, written through on every commit ({@code WRITE_DELAY=0}), so a schema id the server handed out
 * survives a SIGKILL of the server and a restart on the same directory. The server watches this process and exits
 * when it ends, however it ends.
 *
 * <p>{@link #url()} is the v2 API URL to give {@code RLAIF_REGISTRY_URL}; the serde picks its v2 client for it.
 */
public final class RegistryServer implements AutoCloseable {

    /** The path of the API that the serde's v2 client speaks. */
    public static final String V2_PATH = "/apis/registry/v2";

    private final Process process;
    private final String baseUrl;
    private final Path dataDir;

    private RegistryServer(Process process, String baseUrl, Path dataDir) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.dataDir = dataDir;
    }

    /**
     * Starts a server and waits until it answers ready.
     *
     * @param dataDir  where its database (and log, {@code registry.log}) live; created if missing
     * @param host     address to listen on
     * @param port     port to listen on (0: a free one)
     * @param javaOpts JVM options of the server, e.g. {@code -Xmx384m}
     * @param timeout  longest wait for readiness
     */
    public static RegistryServer start(Path dataDir, String host, int port, List<String> javaOpts, Duration timeout)
            throws IOException, InterruptedException {
        Path jar = runnerJar();
        Files.createDirectories(dataDir);
        int listen = port == 0 ? freePort() : port;
        String jdbc = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("registry") + ";WRITE_DELAY=0";
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(javaOpts);
        cmd.add("-Dquarkus.http.host=" + host);
        cmd.add("-Dquarkus.http.port=" + listen);
        // The app's production pool keeps 20 connections open from the start: far more than one local user needs.
        cmd.add("-Dquarkus.datasource.jdbc.initial-size=2");
        cmd.add("-Dquarkus.datasource.jdbc.min-size=2");
        cmd.add("-Dquarkus.datasource.jdbc.max-size=20");
        cmd.add("-Drlaif.registry.parent-pid=" + ProcessHandle.current().pid());
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("registry.log").toFile()));
        pb.environment().put("REGISTRY_DATASOURCE_URL", jdbc);
        Process process = pb.start();
        String hostInUrl = host.equals("0.0.0.0") ? "localhost" : host;
        RegistryServer server = new RegistryServer(process, "http://" + hostInUrl + ":" + listen, dataDir);
        try {
            server.awaitReady(timeout);
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.kill();
            throw e;
        }
        return server;
    }

    /** The v2 API URL, for {@code RLAIF_REGISTRY_URL}. */
    public String url() {
        return baseUrl + V2_PATH;
    }

    /** The server's root URL (health at {@code /health/ready}). */
    public String baseUrl() {
        return baseUrl;
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Blocks until the server process ends; its exit code. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** SIGKILL, no shutdown: what a crash looks like. Waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait (SIGKILL after 30 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl + "/health/ready")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the registry exited with code " + process.exitValue()
                        + " before it was ready; see " + dataDir.resolve("registry.log"));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            process.waitFor(250, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("the registry was not ready within " + timeout + "; see " + dataDir.resolve("registry.log"));
    }

    /**
     * The server's runner jar: {@code RLAIF_REGISTRY_JAR} if set, else {@code registry/target/*-runner.jar} in the
     * working directory or one of its parents (the repository root when run through {@code ./rlaif} or a test).
     */
    public static Path runnerJar() {
        String configured = System.getenv("RLAIF_REGISTRY_JAR");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Optional<Path> jar = findRunner(dir.resolve("registry").resolve("target"));
            if (jar.isPresent()) {
                return jar.get();
            }
        }
        throw new IllegalStateException("no registry server built: run `mvn -B -q package -DskipTests` "
                + "(module registry makes registry/target/rlaif-registry-*-runner.jar), or set RLAIF_REGISTRY_JAR");
    }

    private static Optional<Path> findRunner(Path target) {
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("rlaif-registry-.*-runner\\.jar")).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
