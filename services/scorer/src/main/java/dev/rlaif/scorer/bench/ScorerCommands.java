package dev.rlaif.scorer.bench;

import dev.rlaif.common.cli.CommandProvider;

import java.util.List;

/** Contributes {@code ./rlaif bench scorer}. */
public final class ScorerCommands implements CommandProvider {

    @Override
    public List<Contribution> commands() {
        return List.of(new Contribution("bench", new ScorerBench()));
    }
}
