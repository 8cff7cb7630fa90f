package dev.rlaif.merger.star;

import dev.rlaif.common.cli.CommandProvider;

import java.util.List;

/** Contributes {@code ./rlaif export star} to the launcher. */
public final class MergerCommands implements CommandProvider {

    @Override
    public List<Contribution> commands() {
        return List.of(new Contribution("export", new ExportStarCommand()));
    }
}
