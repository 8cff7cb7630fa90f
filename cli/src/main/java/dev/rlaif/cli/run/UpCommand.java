package dev.rlaif.cli.run;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.http.OpsConfig;
import dev.rlaif.common.http.OpsServer;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.service.ServiceContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs the services in this process against an external Kafka and schema registry, until stopped. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run the services against an external Kafka (and registry) until Ctrl-C.")
public final class UpCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--only", split = ",", description = "Comma-separated services to run (default: all)")
    List<String> only = List.of();

    @Override
    public Integer call() throws Exception {
        return runUntilStopped(connection.env(), new LinkedHashSet<>(only));
    }

    static int runUntilStopped(Env env, java.util.Set<String> names) throws Exception {
        KafkaSettings kafka = KafkaSettings.fromEnv(env);
        System.err.println("rlaif: connecting to " + kafka.describe());
        OpsConfig opsConfig = OpsConfig.fromEnv(env);
        ServiceContext context = ServiceContext.of(kafka, env);
        OpsServer ops = opsConfig.enabled() ? OpsServer.start(opsConfig, context.metrics()) : null;
        if (ops != null) {
            System.err.println("rlaif: /health and /metrics on port " + ops.port());
        }
        TopicAdmin.createAll(kafka);
        ServiceRunner runner = new ServiceRunner();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runner.close();
            if (ops != null) {
                ops.close();
            }
            stop.countDown();
        }, "rlaif-shutdown"));
        runner.start(ServiceRunner.select(names), context);
        if (ops != null) {
            runner.services().forEach(ops::watch);
            ops.started();
        }
        runner.services().forEach(s -> s.endpoints().forEach((k, v) -> System.err.println("  " + s.name() + " " + k + ": " + v)));
        System.err.println("rlaif: running " + runner.services().size() + " service(s); Ctrl-C to stop");
        stop.await();
        return 0;
    }
}
