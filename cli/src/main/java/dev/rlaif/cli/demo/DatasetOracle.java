package dev.rlaif.cli.demo;

import dev.rlaif.common.dataset.PreferenceExample;
import dev.rlaif.common.sim.GoldOracle;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.ComparisonPair;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SIMULATION ONLY: the demo's gold labels. The demo replays each comparison as generations {@code <id>-a} and
 * {@code <id>-b} (see {@code Datasets.toGenerations}); this oracle remembers which side the dataset preferred and
 * answers for a pair in the pair's own A/B terms, for the simulated annotators.
 */
final class DatasetOracle implements GoldOracle {

    private final Map<String, Choice> labelByExample = new ConcurrentHashMap<>();

    void remember(PreferenceExample ex) {
        if (ex.label() != null) {
            labelByExample.put(ex.id(), ex.label());
        }
    }

    @Override
    public Optional<Choice> gold(ComparisonPair pair) {
        String a = pair.getA().getGenerationId();
        String b = pair.getB().getGenerationId();
        Choice label = labelByExample.get(exampleOf(a));
        if (label == null || !exampleOf(a).equals(exampleOf(b))) {
            return Optional.empty();
        }
        if (label == Choice.TIE) {
            return Optional.of(Choice.TIE);
        }
        // label is in the example's terms (A = response "-a"); map to the pair's own order.
        boolean pairAIsExampleA = a.endsWith("-a");
        boolean exampleAWins = label == Choice.A;
        return Optional.of(pairAIsExampleA == exampleAWins ? Choice.A : Choice.B);
    }

    private static String exampleOf(String generationId) {
        int dash = generationId.lastIndexOf('-');
        return dash < 0 ? generationId : generationId.substring(0, dash);
    }
}
