package dev.rlaif.cli.run;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.http.OpsConfig;
import dev.rlaif.common.http.OpsServer;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.cli.dashboard.DashboardServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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

    @Option(names = "--dashboard-port", defaultValue = "8090",
            description = "port of the live pipeline dashboard of the services in this process (default ${DEFAULT-VALUE}; 0 = any free port, -1 = none)")
    int dashboardPort = 8090;

    @Override
    public Integer call() throws Exception {
        return runUntilStopped(connection.env(), new LinkedHashSet<>(only), dashboardPort);
    }

    static int runUntilStopped(Env env, java.util.Set<String> names) throws Exception {
        return runUntilStopped(env, names, -1);
    }

    static int runUntilStopped(Env env, java.util.Set<String> names, int dashboardPort) throws Exception {
        KafkaSettings kafka = KafkaSettings.fromEnv(env);
        System.err.println("rlaif: connecting to " + kafka.describe());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (dashboardPort >= 0) {
            DashboardServer dashboard = DashboardServer.start(registry, env.string("RLAIF_DASHBOARD_HOST", "127.0.0.1"), dashboardPort);
            Runtime.getRuntime().addShutdownHook(new Thread(dashboard::close, "rlaif-dashboard-shutdown"));
            env = env.with(java.util.Map.of("RLAIF_DASHBOARD_URL", dashboard.url()));
            System.err.println("rlaif: pipeline dashboard " + dashboard.url());
        }
        ServiceContext context = new ServiceContext(kafka, env, registry, new java.util.concurrent.ConcurrentHashMap<>());
        OpsConfig opsConfig = OpsConfig.fromEnv(env);
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
