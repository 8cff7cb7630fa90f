package dev.rlaif.common.kafka;

import java.util.ServiceLoader;

/**
 * A throw-away Kafka broker on loopback, for the benchmarks that services ship. Services do not depend on the
 * broker itself (module {@code rlaif-broker}, which the CLI and the tests put on the classpath): they find it
 * through this interface and {@link ServiceLoader}, so a service's runtime classpath carries no {@code kafka_2.13}.
 */
public interface LocalBroker extends AutoCloseable {

    /** The broker's bootstrap address, e.g. {@code 127.0.0.1:40123}. */
    String bootstrapServers();

    @Override
    void close();

    /** Makes brokers; implemented by the {@code rlaif-broker} module. */
    interface Factory {
        /** A broker with its data in a temporary directory, deleted on close. */
        LocalBroker startTemporary();
    }

    /** Starts a temporary broker through the {@link Factory} on the classpath. */
    static LocalBroker startTemporary() {
        return ServiceLoader.load(Factory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no local Kafka broker on the classpath: "
                        + "run benchmarks through ./rlaif (module rlaif-broker), not from a service image"))
                .startTemporary();
    }
}
