package dev.rlaif.cli.deploy;

import dev.rlaif.common.topic.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaTopicManifestsTest {

    @Test
    void theCommittedTopicsFileIsTheCatalogRendered() {
        String committed = DeployFiles.read("deploy/k8s/base/topics.yaml");
        assertThat(committed)
                .as("deploy/k8s/base/topics.yaml is stale: regenerate it with ./rlaif topics k8s --out deploy/k8s/base/topics.yaml")
                .isEqualTo(KafkaTopicManifests.BASE.render(Topics.ALL));
    }

    @Test
    void rendersATopicAndItsOnePartitionDeadLetterTopicWithTheCatalogsCleanupPolicy() {
        List<java.util.Map<String, Object>> docs = DeployFiles.yamlDocuments(
                new KafkaTopicManifests("c1", 4, 2, 1).render(List.of(Topics.PREFERENCES)));
        assertThat(docs).hasSize(2);
        assertThat(DeployFiles.<String>at(docs.get(0), "metadata.name")).contains("preferences");
        assertThat(DeployFiles.<Integer>at(docs.get(0), "spec.partitions")).contains(4);
        assertThat(DeployFiles.<Integer>at(docs.get(0), "spec.replicas")).contains(2);
        assertThat(docs.get(0).toString()).contains("cleanup.policy=compact").contains("strimzi.io/cluster=c1");
        assertThat(DeployFiles.<String>at(docs.get(1), "metadata.name")).contains("preferences-dlq");
        assertThat(DeployFiles.<String>at(docs.get(1), "spec.topicName")).contains("preferences.dlq");
        assertThat(DeployFiles.<Integer>at(docs.get(1), "spec.partitions")).contains(1);
        assertThat(docs.get(1).toString()).contains("cleanup.policy=delete");
    }

    @Test
    void refusesMoreInSyncReplicasThanReplicas() {
        assertThatThrownBy(() -> new KafkaTopicManifests("c", 1, 1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kubernetesNamesHaveNoDots() {
        assertThat(KafkaTopicManifests.resourceName("model-versions.dlq")).isEqualTo("model-versions-dlq");
    }
}
