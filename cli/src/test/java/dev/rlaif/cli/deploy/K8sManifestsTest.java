package dev.rlaif.cli.deploy;

import dev.rlaif.common.http.OpsConfig;
import dev.rlaif.common.http.OpsServer;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.topic.Topic;
import dev.rlaif.common.topic.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.rlaif.cli.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kustomize base and the local overlay as {@code kubectl kustomize} renders them (skipped where kubectl is
 * absent): a workload with startup, readiness and liveness probes per service on paths the code serves, only
 * variables the code reads, secrets from Secrets, one KafkaTopic per catalog topic and dead-letter topic, a KRaft
 * Strimzi Kafka, a single trainer, PodDisruptionBudgets.
 */
class K8sManifestsTest {

    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet");
    private static final Map<String, List<Map<String, Object>>> rendered = new HashMap<>();

    @BeforeAll
    static void render() {
        assumeTrue(DeployFiles.installed("kubectl", "version", "--client"),
                "kubectl is not installed here: the manifests were not rendered");
        for (String dir : List.of("deploy/k8s/base", "deploy/k8s/overlays/local")) {
            rendered.put(dir, DeployFiles.yamlDocuments(DeployFiles.run("kubectl", "kustomize", dir)));
        }
    }

    private static List<Map<String, Object>> ofKind(String dir, String kind) {
        return rendered.get(dir).stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static String name(Map<String, Object> resource) {
        return DeployFiles.<String>at(resource, "metadata.name").orElseThrow();
    }

    private static Map<String, Object> workload(String dir, String service) {
        return rendered.get(dir).stream()
                .filter(d -> WORKLOADS.contains(d.get("kind")) && service.equals(name(d)))
                .findFirst().orElseThrow(() -> new AssertionError(dir + " has no Deployment or StatefulSet " + service));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(Map<String, Object> workload) {
        return ((List<Map<String, Object>>) DeployFiles.<List<?>>at(workload, "spec.template.spec.containers").orElseThrow()).get(0);
    }

    private static Map<String, String> configMap(String dir, String name) {
        return ofKind(dir, "ConfigMap").stream().filter(c -> name.equals(name(c))).findFirst()
                .map(c -> DeployFiles.<Map<String, String>>at(c, "data").orElse(Map.of()))
                .orElseThrow(() -> new AssertionError("no ConfigMap " + name));
    }

    /** Every variable a container gets: its env entries and the keys of the ConfigMaps it takes whole. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(String dir, Map<String, Object> container) {
        Map<String, Object> env = new HashMap<>();
        for (Object from : (List<Object>) container.getOrDefault("envFrom", List.of())) {
            DeployFiles.<String>at(from, "configMapRef.name").ifPresent(cm -> env.putAll(configMap(dir, cm)));
            assertThat(DeployFiles.<Object>at(from, "secretRef")).as("take secrets one key at a time").isEmpty();
        }
        for (Map<String, Object> e : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
            env.put((String) e.get("name"), e.containsKey("value") ? e.get("value") : e.get("valueFrom"));
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    private static int portNumber(Map<String, Object> container, Object port) {
        if (port instanceof Integer i) {
            return i;
        }
        for (Map<String, Object> p : (List<Map<String, Object>>) container.get("ports")) {
            if (port.equals(p.get("name"))) {
                return (Integer) p.get("containerPort");
            }
        }
        throw new AssertionError("no container port named " + port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/k8s/base", "deploy/k8s/overlays/local"})
    void everyServiceHasAWorkloadWithThreeProbesOnPortsItServes(String dir) {
        for (String service : DeployFiles.serviceNames()) {
            Map<String, Object> c = container(workload(dir, service));
            assertThat(c.get("image")).as(service).isEqualTo("rlaif:0.1.0");
            assertThat(c.get("args")).as(service).isEqualTo(List.of("service", service));
            Map<String, Object> env = environment(dir, c);
            Set<Integer> served = new HashSet<>();
            served.add(Integer.parseInt(String.valueOf(env.get("RLAIF_OPS_PORT"))));
            String ownPort = "RLAIF_" + service.toUpperCase() + "_PORT";
            if (env.containsKey(ownPort)) {
                served.add(Integer.parseInt(String.valueOf(env.get(ownPort))));
            }
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                String path = DeployFiles.<String>at(c, probe + ".httpGet.path")
                        .orElseThrow(() -> new AssertionError(service + " has no HTTP " + probe));
                assertThat(path).as(service + " " + probe).isIn(OPS_PATHS);
                int port = portNumber(c, DeployFiles.<Object>at(c, probe + ".httpGet.port").orElseThrow());
                assertThat(served).as(service + " " + probe + " port").contains(port);
            }
            assertThat(DeployFiles.<Object>at(c, "resources.requests.memory")).as(service).isPresent();
            assertThat(DeployFiles.<Object>at(c, "resources.requests.cpu")).as(service).isPresent();
            assertThat(DeployFiles.<Object>at(c, "resources.limits.memory")).as(service).isPresent();
        }
    }

    /** The paths {@link dev.rlaif.common.http.OpsRoutes} serves, asked of a running {@link OpsServer}. */
    private static final Set<String> OPS_PATHS = servedOpsPaths();

    private static Set<String> servedOpsPaths() {
        RlaifService service = new RlaifService() {
            @Override
            public String name() {
                return "probe-check";
            }

            @Override
            public void start() {
            }

            @Override
            public void close() {
            }
        };
        Set<String> served = new TreeSet<>();
        try (OpsServer ops = OpsServer.start(new OpsConfig("127.0.0.1", 0), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            ops.watch(service);
            ops.started();
            HttpClient http = HttpClient.newHttpClient();
            for (String path : List.of("/health", "/metrics", "/ready", "/healthz")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    served.add(path);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(served).containsExactly("/health", "/metrics");
        return served;
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/k8s/base", "deploy/k8s/overlays/local"})
    void containersSetOnlyVariablesTheCodeReadsAndTakeSecretsFromSecrets(String dir) {
        Set<String> read = DeployFiles.variablesTheCodeReads();
        for (String service : DeployFiles.serviceNames()) {
            Map<String, Object> env = environment(dir, container(workload(dir, service)));
            assertThat(read).as(service + ": variables no code reads").containsAll(env.keySet());
            env.forEach((k, v) -> {
                if (k.endsWith("TOKENS") || k.endsWith("API_KEY") || k.endsWith("ANNOTATORS") || k.endsWith("ADMINS")) {
                    assertThat(DeployFiles.<String>at(v, "secretKeyRef.name")).as(service + " " + k).contains("rlaif-secrets");
                }
            });
        }
        for (Map<String, Object> cm : ofKind(dir, "ConfigMap")) {
            assertThat(read).as("ConfigMap " + name(cm)).containsAll(DeployFiles.<Map<String, ?>>at(cm, "data").orElse(Map.of()).keySet());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/k8s/base", "deploy/k8s/overlays/local"})
    void everyCatalogTopicAndItsDeadLetterTopicIsAKafkaTopicOfAKraftCluster(String dir) {
        Set<String> expected = new TreeSet<>();
        for (Topic<?> t : Topics.ALL) {
            expected.add(t.name());
            expected.add(t.dlq());
        }
        List<Map<String, Object>> topics = ofKind(dir, "KafkaTopic");
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> t : topics) {
            names.add(DeployFiles.<String>at(t, "spec.topicName").orElseThrow());
            assertThat(((Map<?, ?>) DeployFiles.<Map<?, ?>>at(t, "metadata.labels").orElseThrow()).get("strimzi.io/cluster")).isEqualTo("rlaif");
        }
        assertThat(names).isEqualTo(expected);
        for (Topic<?> t : Topics.ALL) {
            Map<String, Object> kt = topics.stream().filter(x -> t.name().equals(at(x, "spec.topicName").orElse(null))).findFirst().orElseThrow();
            assertThat(DeployFiles.<Map<String, Object>>at(kt, "spec.config").orElseThrow()).containsEntry("cleanup.policy", t.cleanupPolicy());
        }

        List<Map<String, Object>> kafka = ofKind(dir, "Kafka");
        assertThat(kafka).hasSize(1);
        assertThat(name(kafka.get(0))).isEqualTo("rlaif");
        assertThat(DeployFiles.<Map<String, String>>at(kafka.get(0), "metadata.annotations").orElseThrow())
                .containsEntry("strimzi.io/kraft", "enabled").containsEntry("strimzi.io/node-pools", "enabled");
        assertThat(DeployFiles.<Object>at(kafka.get(0), "spec.entityOperator.topicOperator")).isPresent();
        List<Map<String, Object>> pools = ofKind(dir, "KafkaNodePool");
        assertThat(pools).hasSize(1);
        assertThat(DeployFiles.<List<String>>at(pools.get(0), "spec.roles").orElseThrow()).containsExactlyInAnyOrder("controller", "broker");
        assertThat(configMap(dir, "rlaif-config").get("RLAIF_BOOTSTRAP_SERVERS")).isEqualTo("rlaif-kafka-bootstrap:9092");
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/k8s/base", "deploy/k8s/overlays/local"})
    void theTrainerIsOneReplicaRecreatedAndSharesTheModelsVolumeWithJudgeAndScorer(String dir) {
        Map<String, Object> trainer = workload(dir, "trainer");
        assertThat(trainer.get("kind")).isEqualTo("Deployment");
        assertThat(DeployFiles.<Integer>at(trainer, "spec.replicas")).contains(1);
        assertThat(DeployFiles.<String>at(trainer, "spec.strategy.type")).contains("Recreate");
        for (String service : List.of("trainer", "judge", "scorer")) {
            assertThat(String.valueOf(DeployFiles.<Object>at(workload(dir, service), "spec.template.spec.volumes").orElseThrow()))
                    .as(service).contains("claimName=rlaif-models");
            assertThat(String.valueOf(container(workload(dir, service)).get("volumeMounts"))).as(service).contains("/var/lib/rlaif/models");
        }
        assertThat(ofKind(dir, "PersistentVolumeClaim").stream().map(K8sManifestsTest::name)).contains("rlaif-models");
        Map<String, Object> labeling = workload(dir, "labeling");
        assertThat(labeling.get("kind")).isEqualTo("StatefulSet");
        assertThat(DeployFiles.<Integer>at(labeling, "spec.replicas")).contains(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/k8s/base", "deploy/k8s/overlays/local"})
    void everyServiceAndTheRegistryHaveADisruptionBudget(String dir) {
        Set<String> covered = new TreeSet<>();
        for (Map<String, Object> pdb : ofKind(dir, "PodDisruptionBudget")) {
            covered.add(String.valueOf(DeployFiles.<Map<?, ?>>at(pdb, "spec.selector.matchLabels").orElseThrow().get("app.kubernetes.io/name")));
        }
        List<String> expected = new ArrayList<>(DeployFiles.serviceNames());
        expected.add("registry");
        assertThat(covered).containsAll(expected);
        Map<String, Object> registry = workload(dir, "registry");
        assertThat(container(registry).get("image")).isEqualTo("apicurio/apicurio-registry-sql:2.4.2.Final");
        assertThat(configMap(dir, "rlaif-config").get("RLAIF_REGISTRY_URL")).isEqualTo("http://registry:8080/apis/registry/v2");
    }
}
