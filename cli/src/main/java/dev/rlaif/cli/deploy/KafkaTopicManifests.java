package dev.rlaif.cli.deploy;

import dev.rlaif.common.topic.Topic;

import java.util.List;

/**
 * Renders the topic catalog as Strimzi {@code KafkaTopic} resources: one per topic and one per dead-letter topic,
 * with the same settings {@link dev.rlaif.common.kafka.TopicAdmin} gives them (cleanup policy; a dead-letter topic
 * has one partition). {@code deploy/k8s/base/topics.yaml} is this output ({@code ./rlaif topics k8s}); a test
 * fails when the file and the catalog differ, so topics are never written twice by hand.
 *
 * @param cluster           the Strimzi Kafka cluster the topics belong to (label {@code strimzi.io/cluster})
 * @param partitions        partitions of each pipeline topic
 * @param replicas          replicas of every topic
 * @param minInSyncReplicas {@code min.insync.replicas} of every topic
 */
public record KafkaTopicManifests(String cluster, int partitions, int replicas, int minInSyncReplicas) {

    /** What {@code deploy/k8s/base} uses: a three-broker cluster named {@code rlaif}. */
    public static final KafkaTopicManifests BASE = new KafkaTopicManifests("rlaif", 6, 3, 2);

    public KafkaTopicManifests {
        if (partitions < 1 || replicas < 1 || minInSyncReplicas < 1 || minInSyncReplicas > replicas) {
            throw new IllegalArgumentException("need partitions >= 1 and 1 <= min.insync.replicas <= replicas");
        }
    }

    /** The YAML document stream for {@code topics}, each topic followed by its dead-letter topic. */
    public String render(List<Topic<?>> topics) {
        StringBuilder out = new StringBuilder();
        out.append("# Generated from the topic catalog (dev.rlaif.common.topic.Topics) by `./rlaif topics k8s`; do not edit.\n");
        out.append("# KafkaTopicManifestsTest fails when this file and the catalog differ.\n");
        for (Topic<?> t : topics) {
            resource(out, t.name(), partitions, t.cleanupPolicy(), "topic", t.valueType().getSimpleName());
            resource(out, t.dlq(), 1, "delete", "dead-letter", t.name());
        }
        return out.toString();
    }

    private void resource(StringBuilder out, String name, int parts, String cleanup, String role, String of) {
        out.append("---\n")
                .append("apiVersion: kafka.strimzi.io/v1beta2\n")
                .append("kind: KafkaTopic\n")
                .append("metadata:\n")
                .append("  name: ").append(resourceName(name)).append('\n')
                .append("  labels:\n")
                .append("    strimzi.io/cluster: ").append(cluster).append('\n')
                .append("    app.kubernetes.io/part-of: rlaif\n")
                .append("    rlaif.dev/topic-role: ").append(role).append('\n')
                .append("  annotations:\n")
                .append("    rlaif.dev/of: ").append(of).append('\n')
                .append("spec:\n")
                .append("  topicName: ").append(name).append('\n')
                .append("  partitions: ").append(parts).append('\n')
                .append("  replicas: ").append(replicas).append('\n')
                .append("  config:\n")
                .append("    cleanup.policy: ").append(cleanup).append('\n')
                .append("    min.insync.replicas: ").append(minInSyncReplicas).append('\n');
    }

    /** A Kubernetes object name for a topic: lower case, dots become dashes ({@code pairs.dlq} → {@code pairs-dlq}). */
    public static String resourceName(String topic) {
        return topic.toLowerCase().replace('.', '-').replace('_', '-');
    }
}
