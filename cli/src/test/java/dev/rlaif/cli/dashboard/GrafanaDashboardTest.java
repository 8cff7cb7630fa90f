package dev.rlaif.cli.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Grafana dashboard in deploy/ reads only metrics some service registers (no panel stays empty by a typo). */
class GrafanaDashboardTest {

    @Test
    void everyQueriedRlaifMetricIsRegisteredSomewhere() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        JsonNode dash = Json.read(Files.readString(root.resolve("deploy/grafana/dashboards/rlaif.json")));
        Set<String> names = new TreeSet<>();
        Pattern metric = Pattern.compile("rlaif_[a-z][a-z_]*");
        for (JsonNode panel : dash.get("panels")) {
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode t : panel.get("targets")) {
                Matcher m = metric.matcher(t.get("expr").asText());
                while (m.find()) {
                    names.add(m.group());
                }
            }
        }
        assertThat(names).isNotEmpty();
        StringBuilder sources = new StringBuilder();
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("common", "cli", "services")) {
            try (Stream<Path> s = Files.walk(root.resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("src" + java.io.File.separator + "main")).forEach(files::add);
            }
        }
        for (Path f : files) {
            sources.append(Files.readString(f));
        }
        for (String name : names) {
            String base = name.replaceAll("_(sum|count|max)$", "");
            String withoutUnit = base.replaceAll("_seconds$", "");
            String withoutTotal = base.replaceAll("_total$", "");   // Prometheus adds _total to counters named without it
            assertThat(sources.indexOf("\"" + base + "\"") >= 0 || sources.indexOf("\"" + withoutUnit + "\"") >= 0
                    || sources.indexOf("\"" + withoutTotal + "\"") >= 0)
                    .as("metric %s is registered in the code", name).isTrue();
        }
    }
}
