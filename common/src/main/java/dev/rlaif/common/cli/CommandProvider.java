package dev.rlaif.common.cli;

import java.util.List;

/**
 * Lets a module add commands to the {@code rlaif} launcher without the launcher knowing it: listed in
 * {@code META-INF/services/dev.rlaif.common.cli.CommandProvider}. A command is a picocli {@code @Command}
 * object; {@code parent} places it under a group ("" for top level, "bench" for {@code ./rlaif bench NAME},
 * "export" for {@code ./rlaif export NAME}).
 */
public interface CommandProvider {

    record Contribution(String parent, Object command) {
    }

    List<Contribution> commands();
}
