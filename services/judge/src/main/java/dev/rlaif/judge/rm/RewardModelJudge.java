package dev.rlaif.judge.rm;

import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.judge.service.JudgeResult;
import dev.rlaif.judge.service.PairJudge;
import dev.rlaif.rm.EnsembleMath;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.rm.ScoringInput;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import dev.rlaif.schema.VoteCounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The judge without an LLM endpoint: the current reward model scores both responses with each ensemble head, and
 * {@code p(A) = mean_h sigmoid(r_A,h - r_B,h)} with the confidence from the heads' agreement
 * ({@link EnsembleMath#confidence}: the Secrets-of-RLHF-II preference strength). Votes count the heads preferring
 * each side. Before any model exists the verdict is ABSTAIN with confidence 0, so the router sends the pair to
 * humans. No reasoning, no critiques (there is no LLM to write them). Scoring runs on one worker thread, off the
 * consumer loop.
 */
public final class RewardModelJudge implements PairJudge {

    private static final Logger log = LoggerFactory.getLogger(RewardModelJudge.class);

    /** judge_model of an abstention before any reward model exists. */
    public static final String NO_MODEL = "none";

    private final Supplier<Optional<RewardModel>> models;
    private final Clock clock;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "judge-reward-model");
        t.setDaemon(true);
        return t;
    });
    private volatile String lastVersion;

    private final AutoCloseable store;

    /**
     * @param models the current reward model, empty before the first is published (reloads are the supplier's)
     * @param store  what to close with the judge (the model store), or null
     */
    public RewardModelJudge(Supplier<Optional<RewardModel>> models, Clock clock, AutoCloseable store) {
        this.models = models;
        this.clock = clock;
        this.store = store;
    }

    @Override
    public String describe() {
        return "reward-model judge (no LLM endpoint configured): p = mean over heads of sigmoid(rA - rB); "
                + "ABSTAIN until a reward model is published";
    }

    @Override
    public CompletableFuture<JudgeResult> judge(ComparisonPair pair) {
        return CompletableFuture.supplyAsync(() -> new JudgeResult(score(pair), List.of()), worker);
    }

    Judgment score(ComparisonPair pair) {
        long start = System.nanoTime();
        Judgment.Builder j = Judgment.newBuilder()
                .setPairId(pair.getPairId())
                .setPair(pair)
                .setJudgeType(JudgeType.REWARD_MODEL)
                .setPromptVersion("")
                .setCreatedAt(clock.instant());
        Optional<RewardModel> current;
        try {
            current = models.get();
        } catch (RuntimeException e) {
            log.warn("reward model could not be loaded for pair {}", pair.getPairId(), e);
            return j.setJudgeModel(NO_MODEL).setVerdict(Verdict.UNAVAILABLE).setPA(0.5).setConfidence(0)
                    .setPositionConsistent(true).setVotes(new VoteCounts(0, 0, 0, 0))
                    .setError("judge-unavailable: " + DeadLetters.describe(e)).build();
        }
        if (current.isEmpty()) {
            return j.setJudgeModel(NO_MODEL).setVerdict(Verdict.ABSTAIN).setPA(0.5).setConfidence(0.0)
                    .setPositionConsistent(true).setVotes(new VoteCounts(0, 0, 0, 0))
                    .setLatencyMs((System.nanoTime() - start) / 1_000_000).build();
        }
        RewardModel model = current.get();
        if (!model.version().equals(lastVersion)) {
            lastVersion = model.version();
            log.info("judging with reward model {} ({} heads)", model.version(), model.heads());
        }
        j.setJudgeModel(model.version());
        try {
            float[][] r = model.score(List.of(new ScoringInput(pair.getPrompt(), pair.getA().getResponse(), null),
                    new ScoringInput(pair.getPrompt(), pair.getB().getResponse(), null)));
            double p = EnsembleMath.probabilityAPreferred(r[0], r[1]);
            int a = 0, b = 0, t = 0;
            for (int h = 0; h < r[0].length; h++) {
                if (r[0][h] > r[1][h]) {
                    a++;
                } else if (r[0][h] < r[1][h]) {
                    b++;
                } else {
                    t++;
                }
            }
            Verdict verdict = p > 0.5 ? Verdict.A : p < 0.5 ? Verdict.B : Verdict.TIE;
            return j.setVerdict(verdict).setPA(p).setConfidence(EnsembleMath.confidence(r[0], r[1]))
                    .setPositionConsistent(true).setVotes(new VoteCounts(a, b, t, 0))
                    .setLatencyMs((System.nanoTime() - start) / 1_000_000).build();
        } catch (RuntimeException e) {
            log.warn("reward model {} failed on pair {}", model.version(), pair.getPairId(), e);
            return j.setVerdict(Verdict.UNAVAILABLE).setPA(0.5).setConfidence(0).setPositionConsistent(true)
                    .setVotes(new VoteCounts(0, 0, 0, 0)).setError("judge-unavailable: " + DeadLetters.describe(e))
                    .build();
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        if (store != null) {
            try {
                store.close();
            } catch (Exception e) {
                log.warn("closing the model store failed", e);
            }
        }
    }
}
