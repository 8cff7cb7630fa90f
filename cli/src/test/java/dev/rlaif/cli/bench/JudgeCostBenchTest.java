package dev.rlaif.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class JudgeCostBenchTest {

    @Test
    void thePopulationFollowsTheMixtureAndTheBetterSideIsRandom() {
        double[] pA = JudgeCostBench.population(20_000, 3);
        long aBetter = 0;
        long close = 0;
        for (double p : pA) {
            aBetter += p > 0.5 ? 1 : 0;
            close += Math.abs(p - 0.5) < 0.1 ? 1 : 0;
        }
        assertThat(aBetter / 20_000.0).isCloseTo(0.5, within(0.02));
        // |p - 1/2| < 0.1: Beta(2,2) 0.296, Beta(6,3) 0.266, Beta(18,2) 0.0008 → .15·.296 + .25·.266 + .6·.0008 = 0.111
        assertThat(close / 20_000.0).isCloseTo(0.111, within(0.015));
    }

    @Test
    void printsTheSixFiguresForFixedAndAdaptiveSamplingThroughTheRealJudge() throws Exception {
        List<String> progress = new ArrayList<>();
        JudgeCostBench.Result r = JudgeCostBench.run(new JudgeCostBench.Options(600, 5, 16, false, true), progress::add);
        JsonNode json = Json.MAPPER.readTree(r.json());
        for (String key : List.of("fixed_samples_per_pair", "fixed_ai_rate", "fixed_ai_accuracy",
                "adaptive_samples_per_pair", "adaptive_ai_rate", "adaptive_ai_accuracy")) {
            assertThat(json.has(key)).as(key).isTrue();
        }
        assertThat(json.get("fixed_samples_per_pair").asDouble()).isEqualTo(8.0);
        assertThat(json.get("adaptive_samples_per_pair").asDouble()).isBetween(4.0, 20.0);
        assertThat(json.get("populations")).hasSize(2);
        assertThat(r.populations().get(0).fixed().aiRate()).isBetween(0.4, 0.9);
        assertThat(r.populations().get(0).adaptive().aiAccuracy()).isGreaterThan(0.9);
        assertThat(progress).hasSize(4);
    }
}
