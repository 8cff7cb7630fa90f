package dev.rlaif.cli.run;

import dev.rlaif.common.service.ServiceProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Set;
import java.util.concurrent.Callable;

/** Runs one service against an external Kafka, as its container would. */
@Command(name = "service", mixinStandardHelpOptions = true, description = "Run one service (or --list them).")
public final class ServiceCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--list", description = "List the services and exit")
    boolean list;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "gateway, pairing, judge, router, merger, labeling, trainer, scorer")
    String name;

    @Override
    public Integer call() throws Exception {
        if (list || name == null) {
            for (ServiceProvider p : ServiceRunner.providers()) {
                System.out.printf("%-10s %s%n", p.name(), p.description());
            }
            return name == null && !list ? 2 : 0;
        }
        if (connection.env().get("RLAIF_REGISTRY_URL").isEmpty()) {
            System.err.println("rlaif service: a service in its own process needs a shared schema registry: set --registry-url "
                    + "or RLAIF_REGISTRY_URL (the in-memory registry serves only services of one process: ./rlaif up, ./rlaif demo)");
            return 2;
        }
        return UpCommand.runUntilStopped(connection.env(), Set.of(name));
    }
}
