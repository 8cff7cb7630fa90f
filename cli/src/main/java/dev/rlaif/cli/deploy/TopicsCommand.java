package dev.rlaif.cli.deploy;

import dev.rlaif.cli.run.ConnectionOptions;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.topic.Topic;
import dev.rlaif.common.topic.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The topic catalog outside the services: {@code topics create} makes the topics on a cluster (compose's init
 * step), {@code topics k8s} writes them as Strimzi {@code KafkaTopic} resources, {@code topics list} prints them.
 */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Create, list or render the catalog's topics.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.K8s.class, TopicsCommand.ListTopics.class})
public final class TopicsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("rlaif topics: name a subcommand: create, k8s, list");
        return 2;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create every catalog topic and its .dlq (RLAIF_TOPIC_PARTITIONS, RLAIF_REPLICATION_FACTOR); existing ones are kept.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Override
        public Integer call() {
            KafkaSettings kafka = KafkaSettings.fromEnv(connection.env());
            TopicAdmin.createAll(kafka);
            System.out.println("topics: " + Topics.ALL.size() * 2 + " present at " + kafka.bootstrapServers());
            return 0;
        }
    }

    @Command(name = "k8s", mixinStandardHelpOptions = true,
            description = "Write the catalog as Strimzi KafkaTopic resources (deploy/k8s/base/topics.yaml).")
    static final class K8s implements Callable<Integer> {
        @Option(names = "--out", description = "file to write (default: standard output)")
        Path out;
        @Option(names = "--cluster", defaultValue = "rlaif", description = "Strimzi Kafka cluster name (default ${DEFAULT-VALUE})")
        String cluster;
        @Option(names = "--partitions", defaultValue = "6", description = "partitions per topic (default ${DEFAULT-VALUE})")
        int partitions;
        @Option(names = "--replicas", defaultValue = "3", description = "replicas per topic (default ${DEFAULT-VALUE})")
        int replicas;
        @Option(names = "--min-insync-replicas", defaultValue = "2", description = "min.insync.replicas (default ${DEFAULT-VALUE})")
        int minIsr;

        @Override
        public Integer call() throws Exception {
            String yaml = new KafkaTopicManifests(cluster, partitions, replicas, minIsr).render(Topics.ALL);
            if (out == null) {
                System.out.print(yaml);
            } else {
                Files.writeString(out, yaml, StandardCharsets.UTF_8);
                System.err.println("topics: wrote " + out);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print the catalog: topic, key, value type, cleanup policy.")
    static final class ListTopics implements Callable<Integer> {
        @Override
        public Integer call() {
            for (Topic<?> t : Topics.ALL) {
                System.out.printf("%-16s %-14s %-20s %s%n", t.name(), t.key(), t.valueType().getSimpleName(), t.cleanupPolicy());
            }
            return 0;
        }
    }
}
