package dev.rlaif.cli.bench;

import dev.rlaif.common.cli.CommandProvider;

import java.util.List;

/** Contributes the benchmarks that need more than one service module ({@code ./rlaif bench judge-cost}). */
public final class CliBenchCommands implements CommandProvider {

    @Override
    public List<Contribution> commands() {
        return List.of(new Contribution("bench", new JudgeCostCommand()));
    }
}
