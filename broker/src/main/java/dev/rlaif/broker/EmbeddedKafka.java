package dev.rlaif.broker;

import dev.rlaif.common.io.TempDirs;
import dev.rlaif.common.kafka.LocalBroker;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) running inside this JVM: the
 * embedded default of {@code ./rlaif demo} and the broker of the broker-backed tests. Not a mock: clients talk
 * to it over TCP on loopback like to any broker.
 */
public final class EmbeddedKafka implements LocalBroker {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaRaftServer server;
    private final Path logDir;
    private final boolean ownsLogDir;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaRaftServer server, Path logDir, boolean ownsLogDir, String bootstrapServers) {
        this.server = server;
        this.logDir = logDir;
        this.ownsLogDir = ownsLogDir;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker on free loopback ports with its data in a temporary directory, deleted on close. */
    public static EmbeddedKafka start() {
        try {
            return start(Files.createTempDirectory("rlaif-kafka"), 0, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a broker keeping its data in {@code logDir} (reused across restarts when it already holds a
     * formatted log), listening on {@code port} (0 for a free one).
     */
    public static EmbeddedKafka start(Path logDir, int port, boolean deleteOnClose) {
        try {
            Files.createDirectories(logDir);
            // A reused data directory keeps its ports: the controller's address is part of the formatted quorum.
            Path portsFile = logDir.resolve("rlaif-ports.properties");
            Properties ports = new Properties();
            if (Files.exists(portsFile)) {
                try (var r = Files.newBufferedReader(portsFile)) {
                    ports.load(r);
                }
            }
            int brokerPort = port != 0 ? port : Integer.parseInt(ports.getProperty("broker", String.valueOf(freePort())));
            int controllerPort = Integer.parseInt(ports.getProperty("controller", String.valueOf(freePort())));
            ports.setProperty("broker", String.valueOf(brokerPort));
            ports.setProperty("controller", String.valueOf(controllerPort));
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("log.dirs", logDir.toAbsolutePath().toString());
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "3");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("transaction.state.log.num.partitions", "3");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("num.partitions", "3");
            props.put("auto.create.topics.enable", "false");
            props.put("log.flush.interval.messages", "100000");
            props.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));

            if (!Files.exists(logDir.resolve("meta.properties"))) {
                Path cfg = Files.createTempFile("rlaif-kafka", ".properties");
                try (Writer w = Files.newBufferedWriter(cfg)) {
                    props.store(w, "rlaif embedded broker");
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int rc = StorageTool.execute(new String[]{"format", "-t", Uuid.randomUuid().toString(), "-c",
                        cfg.toString(), "--standalone"}, new PrintStream(out, true, StandardCharsets.UTF_8));
                Files.deleteIfExists(cfg);
                if (rc != 0) {
                    throw new IllegalStateException("formatting the embedded broker's storage failed: " + out);
                }
                try (Writer w = Files.newBufferedWriter(portsFile)) {
                    ports.store(w, "ports of the embedded broker");
                }
            }

            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            String bootstrap = "127.0.0.1:" + brokerPort;
            log.info("embedded Kafka broker up at {} (data in {})", bootstrap, logDir);
            return new EmbeddedKafka(server, logDir, deleteOnClose, bootstrap);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (ownsLogDir) {
            try {
                TempDirs.deleteTree(logDir);
            } catch (UncheckedIOException e) {
                log.warn("could not delete {}: {}", logDir, e.getCause().toString());
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
