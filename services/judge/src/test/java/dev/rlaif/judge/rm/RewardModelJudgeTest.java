package dev.rlaif.judge.rm;

import dev.rlaif.judge.Fixtures;
import dev.rlaif.rm.EnsembleMath;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.rm.ScoringInput;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RewardModelJudgeTest {

    /** Three heads; each rewards the response's length, scaled, plus a per-head bias toward "polite" answers. */
    static class LengthModel implements RewardModel {
        private final String version;
        private final float[] politeBonus;

        LengthModel(String version, float... politeBonus) {
            this.version = version;
            this.politeBonus = politeBonus;
        }

        @Override
        public String version() {
            return version;
        }

        @Override
        public int heads() {
            return politeBonus.length;
        }

        @Override
        public float[][] score(List<ScoringInput> inputs) {
            float[][] out = new float[inputs.size()][heads()];
            for (int i = 0; i < inputs.size(); i++) {
                String r = inputs.get(i).response();
                for (int h = 0; h < heads(); h++) {
                    out[i][h] = r.length() / 10f + (r.contains("please") ? politeBonus[h] : 0f);
                }
            }
            return out;
        }

        @Override
        public void close() {
        }
    }

    private final ComparisonPair pair = Fixtures.pair("Pass the salt", "g1", "Salt, please, here you go", "g2", "Here");

    private static Judgment judge(RewardModelJudge judge, ComparisonPair pair) throws Exception {
        try (judge) {
            return judge.judge(pair).get(10, TimeUnit.SECONDS).judgment();
        }
    }

    @Test
    void abstainsWithZeroConfidenceBeforeAnyModelExists() throws Exception {
        Judgment j = judge(new RewardModelJudge(Optional::empty, Clock.systemUTC(), null), pair);
        assertThat(j.getVerdict()).isEqualTo(Verdict.ABSTAIN);
        assertThat(j.getConfidence()).isZero();
        assertThat(j.getJudgeType()).isEqualTo(JudgeType.REWARD_MODEL);
        assertThat(j.getJudgeModel()).isEqualTo(RewardModelJudge.NO_MODEL);
        assertThat(j.getPairId()).isEqualTo(pair.getPairId());
        assertThat(j.getSamples()).isEmpty();
    }

    @Test
    void scoresWithTheCurrentModelsHeads() throws Exception {
        LengthModel model = new LengthModel("v0003", 1f, 0.5f, -3f);
        Judgment j = judge(new RewardModelJudge(() -> Optional.of(model), Clock.systemUTC(), null), pair);
        float[][] r = model.score(List.of(new ScoringInput(pair.getPrompt(), pair.getA().getResponse(), null),
                new ScoringInput(pair.getPrompt(), pair.getB().getResponse(), null)));
        assertThat(j.getVerdict()).isEqualTo(Verdict.A);
        assertThat(j.getPA()).isCloseTo(EnsembleMath.probabilityAPreferred(r[0], r[1]), within(1e-12));
        assertThat(j.getConfidence()).isCloseTo(EnsembleMath.confidence(r[0], r[1]), within(1e-12));
        assertThat(j.getConfidence()).isBetween(0.0, 1.0);
        assertThat(j.getVotes().getA()).isEqualTo(2); // the third head's bias outweighs the length margin
        assertThat(j.getVotes().getB()).isEqualTo(1);
        assertThat(j.getJudgeModel()).isEqualTo("v0003");
        assertThat(j.getJudgeType()).isEqualTo(JudgeType.REWARD_MODEL);
    }

    @Test
    void unanimousHeadsAreMoreConfidentThanSplitOnes() throws Exception {
        Judgment unanimous = judge(new RewardModelJudge(() -> Optional.of(new LengthModel("v1", 1f, 1f, 1f)),
                Clock.systemUTC(), null), pair);
        Judgment split = judge(new RewardModelJudge(() -> Optional.of(new LengthModel("v1", 1f, 0.5f, -3f)),
                Clock.systemUTC(), null), pair);
        assertThat(unanimous.getConfidence()).isGreaterThan(split.getConfidence());
    }

    @Test
    void followsTheSupplierWhenANewModelIsPublished() throws Exception {
        AtomicReference<RewardModel> current = new AtomicReference<>();
        RewardModelJudge judge = new RewardModelJudge(() -> Optional.ofNullable(current.get()), Clock.systemUTC(), null);
        try (judge) {
            assertThat(judge.judge(pair).get(10, TimeUnit.SECONDS).judgment().getVerdict()).isEqualTo(Verdict.ABSTAIN);
            current.set(new LengthModel("v0001", 0f));
            Judgment j = judge.judge(pair).get(10, TimeUnit.SECONDS).judgment();
            assertThat(j.getVerdict()).isEqualTo(Verdict.A);
            assertThat(j.getJudgeModel()).isEqualTo("v0001");
        }
    }

    @Test
    void aFailingModelGivesUnavailableNotALostPair() throws Exception {
        RewardModel broken = new LengthModel("v2", 1f) {
            @Override
            public float[][] score(List<ScoringInput> inputs) {
                throw new IllegalStateException("engine crashed");
            }
        };
        Judgment j = judge(new RewardModelJudge(() -> Optional.of(broken), Clock.systemUTC(), null), pair);
        assertThat(j.getVerdict()).isEqualTo(Verdict.UNAVAILABLE);
        assertThat(j.getError()).contains("engine crashed");
    }
}
