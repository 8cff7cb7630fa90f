package dev.rlaif.cli.run;

import dev.rlaif.broker.EmbeddedKafka;
import dev.rlaif.broker.HangingTransactionSweeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * A single-node Kafka broker for local work without Docker: {@code ./rlaif broker} in one terminal,
 * {@code ./rlaif up} (or {@code ingest}) in another. The same in-process KRaft broker the demo uses, and like the
 * demo's it aborts transactions a SIGKILL left hanging ({@link HangingTransactionSweeper}).
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft) for local use until Ctrl-C.")
public final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "listener port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data-dir", defaultValue = ".rlaif/kafka", description = "log directory, kept across restarts (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, port, false);
             HangingTransactionSweeper sweeper = HangingTransactionSweeper.start(kafka.bootstrapServers())) {
            System.err.println("rlaif broker: listening at " + kafka.bootstrapServers() + " (data in " + dataDir.toAbsolutePath() + "); Ctrl-C to stop");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }
}
