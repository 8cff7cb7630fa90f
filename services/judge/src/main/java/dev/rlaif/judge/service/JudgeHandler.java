package dev.rlaif.judge.service;

import dev.rlaif.common.consume.Input;
import dev.rlaif.common.consume.Output;
import dev.rlaif.common.consume.RecordHandler;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.Critique;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import dev.rlaif.schema.VoteCounts;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The judge as a handler of {@code pairs}: judges one pair asynchronously with a {@link PairJudge} and returns its
 * fresh critiques (to {@code critiques}, keyed by generation id) and its Judgment (to {@code judgments}, keyed by
 * pair id, so a pair judged twice after a crash collapses downstream). A judge that fails on a pair does not lose
 * it: the pair gets an UNAVAILABLE Judgment, which the router sends to humans.
 */
public final class JudgeHandler implements RecordHandler<ComparisonPair> {

    private static final Logger log = LoggerFactory.getLogger(JudgeHandler.class);

    private final PairJudge judge;
    private final MeterRegistry metrics;
    private final Clock clock;

    public JudgeHandler(PairJudge judge, MeterRegistry metrics, Clock clock) {
        this.judge = judge;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public CompletionStage<List<Output>> handle(Input<ComparisonPair> input) {
        ComparisonPair pair = input.value();
        CompletableFuture<JudgeResult> judged;
        try {
            judged = judge.judge(pair);
        } catch (RuntimeException e) {
            judged = CompletableFuture.failedFuture(e);
        }
        return judged.handle((result, error) -> outputs(error == null ? result : unavailable(pair, error)));
    }

    private List<Output> outputs(JudgeResult result) {
        List<Output> out = new ArrayList<>();
        for (Critique c : result.freshCritiques()) {
            out.add(Output.of(Topics.CRITIQUES, c.getGenerationId(), c));
        }
        Judgment j = result.judgment();
        out.add(Output.of(Topics.JUDGMENTS, j.getPairId(), j));
        metrics.counter("rlaif_judge_judgments_total", "verdict", j.getVerdict().name()).increment();
        metrics.timer("rlaif_judge_latency", "judge_type", j.getJudgeType().name())
                .record(java.time.Duration.ofMillis(j.getLatencyMs()));
        metrics.counter("rlaif_judge_tokens_total", "kind", "prompt").increment(j.getPromptTokens());
        metrics.counter("rlaif_judge_tokens_total", "kind", "completion").increment(j.getCompletionTokens());
        if (!j.getPositionConsistent()) {
            metrics.counter("rlaif_judge_position_inconsistent_total").increment();
        }
        return out;
    }

    /** A judge bug must not lose the pair: it is written as UNAVAILABLE, so humans get it. */
    private JudgeResult unavailable(ComparisonPair pair, Throwable error) {
        log.error("judge failed on pair {}", pair.getPairId(), error);
        Judgment j = Judgment.newBuilder()
                .setPairId(pair.getPairId()).setPair(pair).setJudgeType(JudgeType.LLM).setJudgeModel("unknown")
                .setVerdict(Verdict.UNAVAILABLE).setPA(0.5).setConfidence(0).setPositionConsistent(false)
                .setVotes(new VoteCounts(0, 0, 0, 0)).setError("judge-unavailable: " + DeadLetters.describe(error))
                .setCreatedAt(clock.instant()).build();
        return new JudgeResult(j, List.of());
    }
}
