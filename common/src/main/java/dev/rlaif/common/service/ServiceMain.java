package dev.rlaif.common.service;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.TopicAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * The {@code main} of a service's own container: reads the environment, makes sure the topics exist, starts the
 * service and runs until the process is stopped.
 */
public final class ServiceMain {

    private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

    private ServiceMain() {
    }

    public static void run(ServiceProvider provider) {
        Env env = Env.system();
        KafkaSettings kafka = KafkaSettings.fromEnv(env);
        if (kafka.registryUrl() == null) {
            log.error("{} runs in its own process, so it needs a shared schema registry: set RLAIF_REGISTRY_URL "
                    + "(the in-memory registry serves only services of one process: ./rlaif up, ./rlaif demo)", provider.name());
            System.exit(2);
        }
        log.info("starting {} with {}", provider.name(), kafka.describe());
        TopicAdmin.createAll(kafka);
        ServiceContext context = ServiceContext.of(kafka, env);
        // a service that fails for good exits non-zero so its supervisor restarts it; from a new thread, since the
        // shutdown hook closes the service and may join the very thread that reports the failure
        context.attributes().put(ServiceContext.ON_FATAL, (java.util.function.Consumer<Throwable>) cause -> {
            log.error("{} failed for good; exiting with status 1 so it is restarted", provider.name(), cause);
            new Thread(() -> System.exit(1), "fatal-exit").start();
        });
        RlaifService service = provider.create(context);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            service.start();
            service.endpoints().forEach((k, v) -> log.info("{} {}: {}", provider.name(), k, v));
            log.info("{} started, {} ms after the JVM", provider.name(),
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("{} failed to start", provider.name(), e);
            System.exit(1);
        }
    }
}
