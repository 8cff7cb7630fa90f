package dev.rlaif.common.sim;

import dev.rlaif.schema.Choice;
import dev.rlaif.schema.ComparisonPair;

import java.util.Optional;

/**
 * SIMULATION ONLY (demo and benchmarks): knows the dataset's gold label of a pair, because the demo replayed the
 * dataset itself. The simulated annotators answer from it. Never set outside the demo and benchmarks: in a real
 * deployment no such attribute exists and no annotator is simulated.
 */
public interface GoldOracle {

    /** The {@link dev.rlaif.common.service.ServiceContext} attribute under which the demo publishes its oracle. */
    String ATTRIBUTE = "rlaif.sim.gold-oracle";

    /** The gold choice for the pair in its own A/B terms, if the dataset has one. */
    Optional<Choice> gold(ComparisonPair pair);
}
