package dev.rlaif.merger;

import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.merger.enrich.GenerationProcessor;
import dev.rlaif.common.serde.JsonSerde;
import dev.rlaif.merger.merge.PairMergeProcessor;
import dev.rlaif.merger.merge.PairMergeProcessor.Input;
import dev.rlaif.merger.merge.AnnotatorModel;
import dev.rlaif.merger.merge.PairState;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.FeedbackKind;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.PairLink;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.RankedResponse;
import dev.rlaif.schema.RationalePreference;
import dev.rlaif.schema.UserFeedback;
import org.apache.avro.specific.SpecificRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import java.util.List;

/**
 * The merger's Kafka Streams topology.
 *
 * <pre>
 * judgments ─(PairLink/side)───┐
 * feedback THUMBS ─(by gen.)───┼▶ [merger-by-generation] ▶ merger-generation ▶ [merger-responses-by-pair] ─┐
 * critiques ───────────────────┘                                                                        │
 * judgments, ai-labels, escalations, human-labels, feedback PAIRWISE ─[merger-feedback-by-pair]─────────┴▶ merger-on-* ─┬▶ preferences
 *                                                                                                                        └▶ rationales
 * </pre>
 *
 * Reads {@code judgments}, {@code ai-labels}, {@code escalations}, {@code human-labels}, {@code feedback},
 * {@code critiques}; writes {@code preferences} (keyed by pair id, a higher label_version replaces a lower one) and
 * {@code rationales}. Invalid feedback (pairwise without the other generation or the choice) is dead-lettered.
 */
public final class MergerTopology {

    private MergerTopology() {
    }

    /** The topology, with its counters in a registry of its own. */
    public static Topology buildTopology(AvroSerdes serdes, MergerConfig config) {
        return buildTopology(serdes, config, new SimpleMeterRegistry());
    }

    /** The topology, counting what it emits ({@code rlaif_merger_preferences_total{source,first}}, {@code rlaif_merger_rationales_total}). */
    public static Topology buildTopology(AvroSerdes serdes, MergerConfig config, MeterRegistry metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> keys = Serdes.String();
        Serde<SpecificRecord> any = serdes.valueSerde(SpecificRecord.class);

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PairMergeProcessor.STATE), keys, JsonSerde.of(PairState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PairMergeProcessor.PAIRS), keys, serdes.<ComparisonPair>valueSerde(ComparisonPair.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PairMergeProcessor.JUDGMENTS), keys, serdes.valueSerde(Topics.JUDGMENTS)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PairMergeProcessor.RESPONSES), keys, serdes.<RankedResponse>valueSerde(RankedResponse.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PairMergeProcessor.ANNOTATORS), keys, JsonSerde.of(AnnotatorModel.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GenerationProcessor.GENERATIONS), keys, serdes.<RankedResponse>valueSerde(RankedResponse.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GenerationProcessor.LINKS), keys, Serdes.String()));

        KStream<String, Judgment> judgments = builder.stream(Topics.JUDGMENTS.name(),
                Consumed.with(keys, serdes.valueSerde(Topics.JUDGMENTS)).withName("merger-judgments"));
        KStream<String, SpecificRecord> feedback = builder.stream(Topics.FEEDBACK.name(),
                        Consumed.with(keys, serdes.valueSerde(Topics.FEEDBACK)).withName("merger-feedback"))
                .mapValues(MergerTopology::validated, Named.as("merger-feedback-validate"));

        // enrichment: per generation, then sent to each of its pairs
        KStream<String, SpecificRecord> byGeneration = judgments
                .flatMap((k, j) -> List.of(KeyValue.pair(j.getPair().getA().getGenerationId(), link(j, j.getPair().getA().getGenerationId())),
                        KeyValue.pair(j.getPair().getB().getGenerationId(), link(j, j.getPair().getB().getGenerationId()))),
                        Named.as("merger-judgment-sides"))
                .merge(feedback.filter((k, f) -> ((UserFeedback) f).getKind() != FeedbackKind.PAIRWISE, Named.as("merger-thumbs"))
                        .selectKey((k, f) -> ((UserFeedback) f).getGenerationId(), Named.as("merger-thumbs-by-generation")), Named.as("merger-merge-thumbs"))
                .merge(builder.stream(Topics.CRITIQUES.name(), Consumed.with(keys, serdes.valueSerde(Topics.CRITIQUES)).withName("merger-critiques"))
                        .mapValues(c -> (SpecificRecord) c, Named.as("merger-critique-record")), Named.as("merger-merge-critiques"));
        KStream<String, SpecificRecord> responses = byGeneration
                .repartition(Repartitioned.with(keys, any).withName("merger-by-generation"))
                .process(GenerationProcessor::new, Named.as("merger-generation"), GenerationProcessor.GENERATIONS, GenerationProcessor.LINKS)
                .repartition(Repartitioned.with(keys, serdes.<RankedResponse>valueSerde(RankedResponse.class)).withName("merger-responses-by-pair"))
                .mapValues(r -> (SpecificRecord) r, Named.as("merger-response-record"));

        KStream<String, SpecificRecord> pairwise = feedback
                .filter((k, f) -> ((UserFeedback) f).getKind() == FeedbackKind.PAIRWISE, Named.as("merger-pairwise"))
                .selectKey((k, f) -> PairIds.pairId(((UserFeedback) f).getGenerationId(), ((UserFeedback) f).getOtherGenerationId()),
                        Named.as("merger-pairwise-by-pair"))
                .repartition(Repartitioned.with(keys, any).withName("merger-feedback-by-pair"));

        KStream<String, SpecificRecord> out = merge(metrics, judgments.mapValues(j -> (SpecificRecord) j, Named.as("merger-judgment-record")), Input.JUDGMENT, config)
                .merge(merge(metrics, builder.stream(Topics.AI_LABELS.name(), Consumed.with(keys, serdes.valueSerde(Topics.AI_LABELS)).withName("merger-ai-labels"))
                        .mapValues(j -> (SpecificRecord) j, Named.as("merger-ai-label-record")), Input.AI_LABEL, config), Named.as("merger-out-ai"))
                .merge(merge(metrics, builder.stream(Topics.ESCALATIONS.name(), Consumed.with(keys, serdes.valueSerde(Topics.ESCALATIONS)).withName("merger-escalations"))
                        .mapValues(e -> (SpecificRecord) e, Named.as("merger-escalation-record")), Input.ESCALATION, config), Named.as("merger-out-escalation"))
                .merge(merge(metrics, builder.stream(Topics.HUMAN_LABELS.name(), Consumed.with(keys, serdes.valueSerde(Topics.HUMAN_LABELS)).withName("merger-human-labels"))
                        .mapValues(l -> (SpecificRecord) l, Named.as("merger-human-label-record")), Input.HUMAN_LABEL, config), Named.as("merger-out-human"))
                .merge(merge(metrics, pairwise, Input.USER_FEEDBACK, config), Named.as("merger-out-user"))
                .merge(merge(metrics, responses, Input.RESPONSE, config), Named.as("merger-out-response"));

        out.split(Named.as("merger-output-"))
                .branch((k, v) -> v instanceof PreferenceLabel, Branched.withConsumer(s -> s
                        .mapValues(v -> (PreferenceLabel) v, Named.as("merger-as-preference"))
                        .to(Topics.PREFERENCES.name(), Produced.with(keys, serdes.valueSerde(Topics.PREFERENCES)).withName("merger-preferences")), "preference"))
                .branch((k, v) -> v instanceof RationalePreference, Branched.withConsumer(s -> s
                        .mapValues(v -> (RationalePreference) v, Named.as("merger-as-rationale"))
                        .to(Topics.RATIONALES.name(), Produced.with(keys, serdes.valueSerde(Topics.RATIONALES)).withName("merger-rationales")), "rationale"));
        return builder.build();
    }

    private static KStream<String, SpecificRecord> merge(MeterRegistry metrics, KStream<String, SpecificRecord> in, Input input, MergerConfig config) {
        return in.process(() -> new PairMergeProcessor(input, config, metrics), Named.as("merger-on-" + input.name().toLowerCase().replace('_', '-')),
                PairMergeProcessor.STORES);
    }

    /**
     * What the generation step needs of a judgment, per side: which pair the generation belongs to. The whole judgment
     * (prompt, both responses, samples) was sent before; a link is a few dozen bytes.
     */
    static SpecificRecord link(Judgment j, String generationId) {
        return PairLink.newBuilder().setPairId(j.getPairId()).setGenerationId(generationId).build();
    }

    /** Rejects feedback that cannot be used, so it is dead-lettered with the reason. */
    static SpecificRecord validated(UserFeedback f) {
        if (f.getGenerationId() == null || f.getGenerationId().isBlank()) {
            throw new IllegalArgumentException("feedback " + f.getFeedbackId() + ": generation_id is empty");
        }
        if (f.getKind() == FeedbackKind.PAIRWISE) {
            if (f.getOtherGenerationId() == null || f.getOtherGenerationId().isBlank()) {
                throw new IllegalArgumentException("pairwise feedback " + f.getFeedbackId() + ": other_generation_id is missing");
            }
            if (f.getChoice() == null) {
                throw new IllegalArgumentException("pairwise feedback " + f.getFeedbackId() + ": choice is missing");
            }
            if (f.getOtherGenerationId().equals(f.getGenerationId())) {
                throw new IllegalArgumentException("pairwise feedback " + f.getFeedbackId() + ": a generation compared with itself");
            }
        }
        return f;
    }
}
