package dev.rlaif.cli.deploy;

import dev.rlaif.cli.run.ServiceRunner;
import dev.rlaif.common.service.ServiceProvider;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the deployment checks read: the repository's files, the variables and metric names the code uses (found in
 * its sources, so a variable added anywhere counts), YAML through SnakeYAML (anchors and merge keys resolved, as
 * compose resolves them), and external tools ({@code kubectl}, {@code docker-compose}) when installed.
 */
final class DeployFiles {

    /** The repository root: tests run in {@code cli/}. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static final Pattern VARIABLE = Pattern.compile("RLAIF_[A-Z0-9_]*[A-Z0-9]");
    private static final Pattern QUOTED_VARIABLE = Pattern.compile("\"(RLAIF_[A-Z0-9_]*[A-Z0-9])\"");
    private static final Pattern METRIC = Pattern.compile("\"(rlaif_[a-z0-9_]+)\"");

    private DeployFiles() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Service names, from the providers on the class path (the launcher's own list). */
    static List<String> serviceNames() {
        return ServiceRunner.providers().stream().map(ServiceProvider::name).toList();
    }

    /**
     * Every {@code RLAIF_*} variable the code reads: string literals in the main Java sources of every module, plus
     * those the launchers read ({@code rlaif}, {@code deploy/entrypoint.sh}: {@code RLAIF_JAVA_OPTS}).
     */
    static Set<String> variablesTheCodeReads() {
        Set<String> out = new TreeSet<>();
        for (Path source : mainSources()) {
            Matcher m = QUOTED_VARIABLE.matcher(readPath(source));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        for (String launcher : List.of("rlaif", "deploy/entrypoint.sh")) {
            Matcher m = VARIABLE.matcher(read(launcher));
            while (m.find()) {
                out.add(m.group());
            }
        }
        return out;
    }

    /**
     * Metric names the code registers: string literals starting with {@code rlaif_}, and names built per service as
     * {@code "rlaif_" + service + "_" + "<literal>"} (every service name with every snake_case literal of the code).
     */
    static Set<String> metricNamesInCode() {
        Set<String> out = new TreeSet<>();
        Set<String> fragments = new TreeSet<>();
        for (Path source : mainSources()) {
            String text = readPath(source);
            Matcher m = METRIC.matcher(text);
            while (m.find()) {
                out.add(m.group(1));
            }
            Matcher f = FRAGMENT.matcher(text);
            while (f.find()) {
                fragments.add(f.group(1));
            }
        }
        for (String service : serviceNames()) {
            for (String fragment : fragments) {
                out.add("rlaif_" + service + "_" + fragment);
            }
        }
        return out;
    }

    private static final Pattern FRAGMENT = Pattern.compile("\"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\"");

    /** {@code RLAIF_*} names appearing in a text (variables it sets or interpolates). */
    static Set<String> variablesIn(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    private static List<Path> mainSources() {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/"))
                    .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/node_modules/"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readPath(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(200);
        return new Yaml(options);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yamlMap(String text) {
        return (Map<String, Object>) yaml().load(text);
    }

    /** Every non-empty document of a multi-document YAML stream. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(String text) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object o : yaml().loadAll(text)) {
            if (o instanceof Map<?, ?> m) {
                docs.add((Map<String, Object>) m);
            }
        }
        return docs;
    }

    /** {@code a.b.c} in nested maps; empty when a step is missing. */
    @SuppressWarnings("unchecked")
    static <T> Optional<T> at(Object node, String dotted) {
        Object cur = node;
        for (String step : dotted.split("\\.")) {
            if (!(cur instanceof Map<?, ?> m) || !m.containsKey(step)) {
                return Optional.empty();
            }
            cur = m.get(step);
        }
        return Optional.ofNullable((T) cur);
    }

    /** Whether a command can be run here. */
    static boolean installed(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a command in the repository root; its standard output, or an exception with its output when it fails. */
    static String run(String... command) {
        try {
            Path err = Files.createTempFile("deploy-check", ".err");
            Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
            }
            String stderr = Files.readString(err);
            Files.deleteIfExists(err);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + stderr);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
