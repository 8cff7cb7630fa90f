package dev.rlaif.broker;

import dev.rlaif.common.kafka.LocalBroker;

/** The {@link LocalBroker.Factory} of this module: an {@link EmbeddedKafka} in a temporary directory. */
public final class EmbeddedBrokerFactory implements LocalBroker.Factory {

    @Override
    public LocalBroker startTemporary() {
        return EmbeddedKafka.start();
    }
}
