package dev.rlaif.cli;

import dev.rlaif.cli.bench.BenchSuite;
import dev.rlaif.cli.bench.PipelineBench;
import dev.rlaif.cli.demo.DemoCommand;
import dev.rlaif.cli.demo.StatusCommand;
import dev.rlaif.cli.deploy.TopicsCommand;
import dev.rlaif.cli.deploy.WarmupCommand;
import dev.rlaif.cli.dlq.DlqCommand;
import dev.rlaif.cli.ingest.IngestCommand;
import dev.rlaif.cli.logging.DemoLogging;
import dev.rlaif.cli.registry.RegistryCommand;
import dev.rlaif.cli.run.BrokerCommand;
import dev.rlaif.cli.run.ServiceCommand;
import dev.rlaif.cli.run.UpCommand;
import dev.rlaif.common.cli.CommandProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * The {@code rlaif} launcher. Its own commands run the pipeline (demo, up, service) and feed it (ingest); modules
 * add theirs (train, eval, calibrate, bench NAME, export NAME) through {@link CommandProvider}.
 */
@Command(name = "rlaif", mixinStandardHelpOptions = true, version = "rlaif 0.1.0",
        description = "Streaming RLAIF feedback system: LLM outputs in, reward-model training signal out.",
        subcommands = {DemoCommand.class, UpCommand.class, ServiceCommand.class, IngestCommand.class, BrokerCommand.class,
                RegistryCommand.class, StatusCommand.class, DlqCommand.class, TopicsCommand.class, WarmupCommand.class})
public final class Rlaif {

    @Command(name = "export", description = "Exports datasets from the topics.")
    static final class Export {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The full command tree, contributions included. */
    public static CommandLine commandLine() {
        CommandLine root = new CommandLine(new Rlaif());
        CommandLine bench = new CommandLine(new BenchSuite());
        bench.setAllowSubcommandsAsOptionParameters(true); // `bench --only pipeline`: a benchmark's name as the value
        bench.addSubcommand(new PipelineBench());
        CommandLine export = new CommandLine(new Export());
        for (CommandProvider provider : ServiceLoader.load(CommandProvider.class)) {
            for (CommandProvider.Contribution c : provider.commands()) {
                switch (c.parent()) {
                    case "" -> root.addSubcommand(c.command());
                    case "bench" -> bench.addSubcommand(c.command());
                    case "export" -> export.addSubcommand(c.command());
                    default -> throw new IllegalStateException("unknown command group " + c.parent());
                }
            }
        }
        root.addSubcommand("bench", bench);
        root.addSubcommand("export", export);
        root.setExecutionStrategy(parsed -> {
            if (runsABenchmark(parsed)) {
                quietBenchLogs();
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return root;
    }

    private static boolean runsABenchmark(CommandLine.ParseResult parsed) {
        boolean bench = false;
        for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
            if (r.isUsageHelpRequested() || r.isVersionHelpRequested()) {
                return false;
            }
            bench |= r.commandSpec().name().equals("bench");
        }
        return bench;
    }

    /**
     * A benchmark starts a broker and services in this process: their Kafka lines go to a file, as the demo's do, so
     * the console carries the benchmark's own lines.
     */
    private static void quietBenchLogs() {
        try {
            Path file = Files.createTempFile("rlaif-bench-", ".log");
            DemoLogging.splitTo(file).ifPresent(f -> System.err.println("rlaif bench: Kafka's and the other libraries' log lines go to " + f));
        } catch (IOException e) {
            System.err.println("rlaif bench: no log file (" + e.getMessage() + "); third-party lines stay on the console");
        }
    }
}
