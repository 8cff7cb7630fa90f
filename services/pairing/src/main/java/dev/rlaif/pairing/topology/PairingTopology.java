package dev.rlaif.pairing.topology;

import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.pairing.PairingConfig;
import dev.rlaif.schema.PairingState;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * generations (keyed by prompt_id) -> pairs (keyed by pair_id). One stateful step, no repartition: producers key
 * generations by prompt_id (the gateway and the CLI do); a record keyed otherwise, or invalid, goes to
 * {@code generations.dlq} with the reason, like one that cannot be deserialized.
 */
public final class PairingTopology {

    /** The per-prompt state store (and, with the application id, its changelog topic's name). */
    public static final String STORE = "pairing-prompt-state";

    private PairingTopology() {
    }

    public static Topology build(PairingConfig config, AvroSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                serdes.valueSerde(PairingState.class)));
        builder.stream(Topics.GENERATIONS.name(), Consumed.with(Serdes.String(), serdes.valueSerde(Topics.GENERATIONS))
                        .withName("read-generations"))
                .process(() -> new PairingProcessor(config), Named.as("pair-generations"), STORE)
                .to(Topics.PAIRS.name(), Produced.with(Serdes.String(), serdes.valueSerde(Topics.PAIRS)).withName("write-pairs"));
        return builder.build();
    }
}
