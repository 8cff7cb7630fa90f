package dev.rlaif.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM of its own for broker-tier tests that kill processes: started with this test's class path, its standard
 * output and error in files the test reads while it runs.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path out;
    private final Path err;

    private ChildJvm(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /**
     * Starts {@code mainClass} with {@code args}.
     *
     * @param logs     directory for {@code NAME.out} and {@code NAME.err}
     * @param env      extra environment variables
     * @param jvmOpts  e.g. {@code -Xmx1g}
     */
    public static ChildJvm start(String name, Path logs, Map<String, String> env, List<String> jvmOpts, String mainClass,
                                 List<String> args) throws IOException {
        Files.createDirectories(logs);
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOpts);
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass);
        cmd.addAll(args);
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.to(err.toFile()));
        pb.environment().putAll(env);
        return new ChildJvm(pb.start(), out, err);
    }

    /** The test class path (surefire's own property: java.class.path may be a manifest-only jar). */
    public static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Standard output so far. */
    public String stdout() {
        return read(out);
    }

    /** Standard error so far. */
    public String stderr() {
        return read(err);
    }

    /** The first group of {@code regex} in standard error so far, or null. */
    public String findInStderr(String regex) {
        Matcher m = Pattern.compile(regex).matcher(stderr());
        return m.find() ? m.group(1) : null;
    }

    /** SIGKILL, and wait until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
