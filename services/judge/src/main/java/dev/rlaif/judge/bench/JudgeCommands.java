package dev.rlaif.judge.bench;

import dev.rlaif.common.cli.CommandProvider;

import java.util.List;

/** Contributes {@code ./rlaif bench judge} to the launcher. */
public final class JudgeCommands implements CommandProvider {

    @Override
    public List<Contribution> commands() {
        return List.of(new Contribution("bench", new JudgeBenchCommand()));
    }
}
