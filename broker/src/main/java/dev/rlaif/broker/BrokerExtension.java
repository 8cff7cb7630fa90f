package dev.rlaif.broker;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.io.TempDirs;
import dev.rlaif.common.kafka.TopicAdmin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real in-process Kafka broker for a test class, with the catalog's topics created. Use as
 * {@code @RegisterExtension static BrokerExtension broker = new BrokerExtension();} and tag the class "broker".
 */
public final class BrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafka kafka;
    private KafkaSettings settings;

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = EmbeddedKafka.start();
        try {
            Path state = Files.createTempDirectory("rlaif-state");
            settings = new KafkaSettings(kafka.bootstrapServers(), null, 2, (short) 1, state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TopicAdmin.createAll(settings);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
        }
        if (settings != null) {
            TempDirs.deleteTree(settings.stateDir());
        }
    }

    /** Settings pointing at this broker, with the in-memory registry and a fresh state directory. */
    public KafkaSettings settings() {
        return settings;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
