package dev.rlaif.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rlaif.cli.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docker-compose.yml, deploy/prometheus and deploy/grafana, checked without a Docker engine: every service is
 * deployed from the one image with a health check on its /health and healthy dependencies, only variables the code
 * reads are set, Prometheus scrapes every service, the dashboard plots metrics the code registers.
 */
class ComposeFileTest {

    private static final String COMPOSE = "docker-compose.yml";

    private final Map<String, Object> compose = DeployFiles.yamlMap(DeployFiles.read(COMPOSE));

    private Map<String, Object> service(String name) {
        return DeployFiles.<Map<String, Object>>at(compose, "services." + name)
                .orElseThrow(() -> new AssertionError("docker-compose.yml has no service " + name));
    }

    private static String opsPort(Map<String, Object> service) {
        return String.valueOf(DeployFiles.<Object>at(service, "environment.RLAIF_OPS_PORT")
                .orElseThrow(() -> new AssertionError("no RLAIF_OPS_PORT in " + service.get("command"))));
    }

    @Test
    void everyServiceRunsFromTheImageWithAHealthCheckOnItsOpsPortAndHealthyDependencies() {
        for (String name : DeployFiles.serviceNames()) {
            Map<String, Object> s = service(name);
            assertThat(s.get("image")).as(name).isEqualTo("rlaif:0.1.0");
            assertThat(s.get("command")).as(name).isEqualTo(List.of("service", name));
            List<Object> test = DeployFiles.<List<Object>>at(s, "healthcheck.test").orElseThrow();
            assertThat(test).as(name + " health check").contains("http://localhost:" + opsPort(s) + "/health");
            Map<String, Map<String, String>> deps = DeployFiles.<Map<String, Map<String, String>>>at(s, "depends_on").orElseThrow();
            assertThat(deps.get("kafka")).as(name).containsEntry("condition", "service_healthy");
            assertThat(deps.get("registry")).as(name).containsEntry("condition", "service_healthy");
            assertThat(deps.get("topics")).as(name).containsEntry("condition", "service_completed_successfully");
        }
    }

    @Test
    void everyDependencyThatIsWaitedForHealthyHasAHealthCheck() {
        Map<String, Map<String, Object>> services = DeployFiles.<Map<String, Map<String, Object>>>at(compose, "services").orElseThrow();
        services.forEach((name, s) -> {
            Object deps = s.get("depends_on");
            if (deps instanceof Map<?, ?> m) {
                m.forEach((dep, cond) -> {
                    assertThat(services).as(name + " depends on " + dep).containsKey((String) dep);
                    if ("service_healthy".equals(((Map<?, ?>) cond).get("condition"))) {
                        assertThat(services.get(dep)).as(dep + " (waited for by " + name + ")").containsKey("healthcheck");
                    }
                });
            }
        });
    }

    @Test
    void topicsAreCreatedByTheInitStepFromTheSameImage() {
        Map<String, Object> topics = service("topics");
        assertThat(topics.get("command")).isEqualTo(List.of("topics", "create"));
        assertThat(topics.get("image")).isEqualTo("rlaif:0.1.0");
        assertThat(DeployFiles.<String>at(topics, "build.dockerfile")).contains("deploy/Dockerfile");
        assertThat(DeployFiles.<Object>at(topics, "depends_on.kafka.condition")).contains("service_healthy");
    }

    @Test
    void kafkaIsKraftAtTheBuildsVersionAndTheRegistryIsThePinnedTestedOne() {
        String kafkaVersion = DeployFiles.read("pom.xml").replaceAll("(?s).*<kafka.version>([^<]+)</kafka.version>.*", "$1");
        assertThat(service("kafka").get("image")).isEqualTo("apache/kafka:" + kafkaVersion);
        assertThat(DeployFiles.<String>at(service("kafka"), "environment.KAFKA_PROCESS_ROLES")).contains("broker,controller");
        assertThat(service("registry").get("image")).isEqualTo("apicurio/apicurio-registry-sql:2.4.2.Final");
        assertThat(DeployFiles.<String>at(compose, "x-rlaif-env.RLAIF_REGISTRY_URL")).contains("http://registry:8080/apis/registry/v2");
    }

    @Test
    void setsAndInterpolatesOnlyVariablesTheCodeReads() {
        Set<String> read = DeployFiles.variablesTheCodeReads();
        Set<String> used = DeployFiles.variablesIn(DeployFiles.read(COMPOSE));
        assertThat(used).isNotEmpty();
        assertThat(read).as("RLAIF_* variables in docker-compose.yml that no code reads").containsAll(used);
    }

    @Test
    void theLlmProfileServesTheJudgesModel() {
        assertThat(service("ollama").get("profiles")).isEqualTo(List.of("llm"));
        assertThat(service("ollama-pull").get("profiles")).isEqualTo(List.of("llm"));
        assertThat(DeployFiles.<Object>at(service("judge"), "environment.RLAIF_JUDGE_LLM_URL")).isPresent();
        assertThat(DeployFiles.read(COMPOSE)).contains("RLAIF_JUDGE_LLM_URL=http://ollama:11434/v1 docker compose --profile llm up");
    }

    @Test
    void prometheusScrapesEveryServiceOnItsOpsPort() {
        Map<String, Object> prometheus = DeployFiles.yamlMap(DeployFiles.read("deploy/prometheus/prometheus.yml"));
        List<String> targets = new ArrayList<>();
        for (Object job : DeployFiles.<List<?>>at(prometheus, "scrape_configs").orElseThrow()) {
            for (Object sc : DeployFiles.<List<?>>at(job, "static_configs").orElseThrow()) {
                targets.addAll(DeployFiles.<List<String>>at(sc, "targets").orElseThrow());
            }
        }
        for (String name : DeployFiles.serviceNames()) {
            assertThat(targets).as("scrape target of " + name).contains(name + ":" + opsPort(service(name)));
        }
        assertThat(service("prometheus").get("volumes").toString()).contains("./deploy/prometheus/prometheus.yml");
    }

    @Test
    void grafanaIsProvisionedWithTheDashboardOverMetricsTheCodeRegisters() throws Exception {
        Map<String, Object> ds = DeployFiles.yamlMap(DeployFiles.read("deploy/grafana/provisioning/datasources/prometheus.yml"));
        String uid = DeployFiles.<List<Map<String, Object>>>at(ds, "datasources").orElseThrow().get(0).get("uid").toString();
        Map<String, Object> provider = DeployFiles.yamlMap(DeployFiles.read("deploy/grafana/provisioning/dashboards/rlaif.yml"));
        assertThat(provider.toString()).contains("/var/lib/grafana/dashboards");
        assertThat(service("grafana").get("volumes").toString())
                .contains("./deploy/grafana/provisioning:/etc/grafana/provisioning")
                .contains("./deploy/grafana/dashboards:/var/lib/grafana/dashboards");

        JsonNode dashboard = new ObjectMapper().readTree(DeployFiles.read("deploy/grafana/dashboards/rlaif.json"));
        Set<String> inCode = DeployFiles.metricNamesInCode();
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo(uid);
            panel.get("targets").forEach(t -> exprs.add(t.get("expr").asText()));
        }
        Matcher m = Pattern.compile("rlaif_[a-z0-9_]+").matcher(String.join("\n", exprs));
        int checked = 0;
        while (m.find()) {
            String series = m.group();
            assertThat(exportedBy(series, inCode)).as("the code registers a meter exported as " + series).isTrue();
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(10);
    }

    /** Whether a Prometheus series name is what Micrometer exports for one of the code's meter names. */
    static boolean exportedBy(String series, Set<String> meters) {
        for (String meter : meters) {
            String base = meter.endsWith("_total") ? meter.substring(0, meter.length() - 6) : meter;
            String timer = base.endsWith("_seconds") ? base : base + "_seconds";
            if (series.equals(base) || series.equals(base + "_total")
                    || series.equals(timer + "_count") || series.equals(timer + "_sum") || series.equals(timer + "_max")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void dockerComposeAcceptsTheFileWhereItIsInstalled() {
        boolean v1 = DeployFiles.installed("docker-compose", "version");
        boolean v2 = !v1 && DeployFiles.installed("docker", "compose", "version");
        assumeTrue(v1 || v2, "docker-compose is not installed here: the file was checked as YAML only");
        String out = v1 ? DeployFiles.run("docker-compose", "-f", COMPOSE, "--profile", "llm", "config")
                : DeployFiles.run("docker", "compose", "-f", COMPOSE, "--profile", "llm", "config");
        Map<String, Object> resolved = DeployFiles.yamlMap(out);
        for (String name : DeployFiles.serviceNames()) {
            assertThat(String.valueOf(DeployFiles.<Object>at(resolved, "services." + name + ".healthcheck.test").orElseThrow()))
                    .as(name).contains("http://localhost:9400/health");
            assertThat(DeployFiles.<Object>at(resolved, "services." + name + ".environment.RLAIF_OPS_PORT")).as(name).contains("9400");
        }
    }
}
