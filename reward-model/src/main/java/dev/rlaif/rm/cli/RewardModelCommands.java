package dev.rlaif.rm.cli;

import dev.rlaif.common.cli.CommandProvider;

import java.util.List;

/** Contributes {@code train}, {@code eval} and {@code bench reward-model} to the {@code rlaif} launcher. */
public final class RewardModelCommands implements CommandProvider {

    @Override
    public List<Contribution> commands() {
        return List.of(new Contribution("", new TrainCommand()), new Contribution("", new EvalCommand()),
                new Contribution("bench", new AccuracyBench()));
    }
}
