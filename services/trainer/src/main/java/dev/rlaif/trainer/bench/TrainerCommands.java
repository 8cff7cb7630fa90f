package dev.rlaif.trainer.bench;

import dev.rlaif.common.cli.CommandProvider;

import java.util.List;

/** Contributes {@code ./rlaif bench trainer}. */
public final class TrainerCommands implements CommandProvider {

    @Override
    public List<Contribution> commands() {
        return List.of(new Contribution("bench", new TrainerBench()));
    }
}
