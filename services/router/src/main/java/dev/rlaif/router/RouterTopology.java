package dev.rlaif.router;

import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.router.budget.BudgetProcessor;
import dev.rlaif.router.budget.HumanBudget;
import dev.rlaif.router.calibration.Calibration;
import dev.rlaif.router.calibration.CalibrationProcessor;
import dev.rlaif.router.calibration.CalibrationView;
import dev.rlaif.router.calibration.JudgedPair;
import dev.rlaif.router.calibration.Observation;
import dev.rlaif.router.quality.JudgeQuality;
import dev.rlaif.router.quality.JudgeQualityConfig;
import dev.rlaif.router.quality.JudgeQualityMetrics;
import dev.rlaif.router.quality.JudgedForQuality;
import dev.rlaif.router.quality.QualityEvent;
import dev.rlaif.router.quality.QualityObserveProcessor;
import dev.rlaif.router.quality.QualityTableProcessor;
import dev.rlaif.router.calibration.ObserveProcessor;
import dev.rlaif.router.policy.RouteProcessor;
import dev.rlaif.common.serde.JsonSerde;
import dev.rlaif.schema.CalibrationCell;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import org.apache.avro.specific.SpecificRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The router's Kafka Streams topology.
 *
 * <pre>
 * judgments ─▶ router-route ─┬─▶ ai-labels                         (Judgment, keyed by pair id)
 *                            └─▶ [router-budget-queue, 1 partition] ─▶ router-budget ─▶ escalations
 * human-labels ─▶ router-observe ─▶ [router-calibration-by-model] ─▶ router-calibrate ─▶ calibration (compacted)
 * calibration ─▶ router-calibration-view (global store, every instance) ─▶ live table + metrics
 * judgments + human-labels ─▶ router-quality-observe ─▶ [router-quality-by-judge] ─▶ router-quality-table (judge quality)
 * </pre>
 *
 * Reads {@code judgments}, {@code human-labels} and {@code calibration}; writes {@code ai-labels},
 * {@code escalations} and {@code calibration}. Stores: {@code router-routed}, {@code router-judged},
 * {@code router-budget}, {@code router-calibration}, and the global {@code router-calibration-global}. The
 * calibration table is counted by the instance that owns a judge model's partition and shared with every instance
 * through the topic, so routing with the automatic threshold is the same whichever instance holds a pair. With no human
 * budget the budget step is left out and escalations go straight to their topic.
 */
public final class RouterTopology {

    private RouterTopology() {
    }

    /** The topology, with its counters in a registry of its own. */
    public static Topology buildTopology(AvroSerdes serdes, RouterConfig config, Calibration calibration) {
        return buildTopology(serdes, config, calibration, new SimpleMeterRegistry());
    }

    /** The topology, counting routing outcomes ({@code rlaif_router_routed_total{outcome}}) in {@code metrics}. */
    public static Topology buildTopology(AvroSerdes serdes, RouterConfig config, Calibration calibration, MeterRegistry metrics) {
        return buildTopology(serdes, config, calibration, metrics, JudgeQualityConfig.defaults());
    }

    /** The topology, with the judge-quality table ({@code rlaif_judge_quality_*} gauges, alarm) set by {@code quality}. */
    public static Topology buildTopology(AvroSerdes serdes, RouterConfig config, Calibration calibration, MeterRegistry metrics,
                                         JudgeQualityConfig quality) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> keys = Serdes.String();
        Serde<Judgment> judgments = serdes.valueSerde(Topics.JUDGMENTS);
        Serde<EscalationRequest> escalations = serdes.valueSerde(Topics.ESCALATIONS);
        Serde<CalibrationCell> cells = serdes.valueSerde(Topics.CALIBRATION);

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RouteProcessor.ROUTED), keys, Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ObserveProcessor.STORE), keys, JsonSerde.of(JudgedPair.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CalibrationProcessor.STORE), keys, JsonSerde.of(long[].class)));

        KStream<String, Judgment> judgmentStream = builder
                .stream(Topics.JUDGMENTS.name(), Consumed.with(keys, judgments).withName("router-judgments"));
        KStream<String, SpecificRecord> routed = judgmentStream
                .process(() -> new RouteProcessor(config, calibration, metrics), Named.as("router-route"),
                        RouteProcessor.ROUTED, ObserveProcessor.STORE);

        routed.split(Named.as("router-outcome-"))
                .branch((k, v) -> v instanceof Judgment, Branched.withConsumer(s -> s
                        .mapValues(v -> (Judgment) v, Named.as("router-as-judgment"))
                        .to(Topics.AI_LABELS.name(), Produced.with(keys, judgments).withName("router-ai-labels")), "ai"))
                .defaultBranch(Branched.withConsumer(s -> {
                    KStream<String, EscalationRequest> esc = s.mapValues(v -> (EscalationRequest) v, Named.as("router-as-escalation"));
                    if (config.budgetPerHour() > 0) {
                        builder.addStateStore(Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(BudgetProcessor.STORE), Serdes.Long(), Serdes.Long()));
                        HumanBudget budget = new HumanBudget(config.budgetPerHour(), config.budgetWindow());
                        esc = esc.selectKey((k, v) -> "budget", Named.as("router-budget-key"))
                                .repartition(Repartitioned.with(keys, escalations).withName("router-budget-queue").withNumberOfPartitions(1))
                                .process(() -> new BudgetProcessor(budget), Named.as("router-budget"), BudgetProcessor.STORE);
                    }
                    esc.to(Topics.ESCALATIONS.name(), Produced.with(keys, escalations).withName("router-escalations"));
                }, "escalation"));

        KStream<String, HumanLabel> labelStream = builder
                .stream(Topics.HUMAN_LABELS.name(), Consumed.with(keys, serdes.valueSerde(Topics.HUMAN_LABELS)).withName("router-human-labels"));
        judgeQuality(builder, judgmentStream, labelStream, config, quality, metrics);
        labelStream
                .process(ObserveProcessor::new, Named.as("router-observe"), ObserveProcessor.STORE)
                .repartition(Repartitioned.with(keys, JsonSerde.of(Observation.class)).withName("router-calibration-by-model"))
                .process(() -> new CalibrationProcessor(calibration), Named.as("router-calibrate"), CalibrationProcessor.STORE)
                .to(Topics.CALIBRATION.name(), Produced.with(keys, cells).withName("router-calibration-out"));

        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CalibrationView.STORE), keys, cells)
                        .withLoggingDisabled(),
                Topics.CALIBRATION.name(), Consumed.with(keys, cells).withName("router-calibration-view"),
                () -> new CalibrationView(calibration));
        return builder.build();
    }

    /**
     * The judge-quality table: judgments and human labels ─▶ router-quality-observe ─▶ [router-quality-by-judge] ─▶
     * router-quality-table (store {@code router-quality}, gauges, alarm).
     */
    private static void judgeQuality(StreamsBuilder builder, KStream<String, Judgment> judgments, KStream<String, HumanLabel> labels,
                                     RouterConfig config, JudgeQualityConfig quality, MeterRegistry metrics) {
        Serde<String> keys = Serdes.String();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(QualityObserveProcessor.STORE), keys,
                JsonSerde.of(JudgedForQuality.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(QualityTableProcessor.STORE), keys,
                JsonSerde.of(JudgeQuality.Counts.class)));
        JudgeQualityMetrics gauges = new JudgeQualityMetrics(metrics, quality.floor());
        judgments.mapValues(j -> (SpecificRecord) j, Named.as("router-quality-judgment"))
                .merge(labels.mapValues(l -> (SpecificRecord) l, Named.as("router-quality-label")), Named.as("router-quality-inputs"))
                .process(() -> new QualityObserveProcessor(config), Named.as("router-quality-observe"), QualityObserveProcessor.STORE)
                .repartition(Repartitioned.with(keys, JsonSerde.of(QualityEvent.class)).withName("router-quality-by-judge"))
                .process(() -> new QualityTableProcessor(quality, gauges), Named.as("router-quality-table"), QualityTableProcessor.STORE);
    }
}
