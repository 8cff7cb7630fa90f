package dev.rlaif.rm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Runs the reward-model commands without the launcher: {@code train}, {@code eval}, {@code bench-accuracy}. */
@Command(name = "rlaif-rm", mixinStandardHelpOptions = true, subcommands = {TrainCommand.class, EvalCommand.class})
public final class Main {

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("bench-accuracy", new AccuracyBench());
        System.exit(cl.execute(args));
    }
}
