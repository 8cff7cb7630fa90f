package dev.rlaif.router.cli;

import dev.rlaif.common.cli.CommandProvider;

import java.util.List;

/** Contributes {@code ./rlaif calibrate} to the launcher. */
public final class RouterCommands implements CommandProvider {

    @Override
    public List<Contribution> commands() {
        return List.of(new Contribution("", new CalibrateCommand()));
    }
}
