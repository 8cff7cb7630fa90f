package dev.rlaif.labeling.bench;

import dev.rlaif.common.cli.CommandProvider;

import java.util.List;

/** Contributes {@code ./rlaif bench labeling} to the launcher. */
public final class LabelingCommands implements CommandProvider {

    @Override
    public List<Contribution> commands() {
        return List.of(new Contribution("bench", new LabelingBench()));
    }
}
