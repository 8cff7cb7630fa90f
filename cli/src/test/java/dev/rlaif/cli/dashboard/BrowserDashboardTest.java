package dev.rlaif.cli.dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Headless Chromium opens the dashboard while counters move: the pipeline is drawn with live rates and every chart
 * is a plot (a canvas), not a table. Skipped when Chromium or chromedriver is not installed. Leaves a screenshot in
 * target/dashboard.png.
 */
@Tag("browser")
class BrowserDashboardTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void drawsThePipelineAndPlots() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER), "chromium and chromedriver are not installed");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Counter pairs = registry.counter("rlaif_pairing_records_out_total", "topic", "pairs");
        Counter esc = registry.counter("rlaif_router_escalations_total", "reason", "low_confidence");
        AtomicInteger depth = new AtomicInteger();
        Gauge.builder("rlaif_labeling_queue_depth", depth, AtomicInteger::get).register(registry);
        Gauge.builder("rlaif_labeling_queue_depth_by_reason", depth, d -> d.get() / 2.0).tag("reason", "AUDIT").register(registry);
        Gauge.builder("rlaif_labeling_queue_depth_by_reason", () -> 0).tag("reason", "ABSTAIN").register(registry);
        for (String prompt : new String[]{"v1", "v2-fenced"}) {
            double shift = prompt.equals("v1") ? 0 : 0.05;
            String[] tags = {"judge_model", "qwen2.5-7b", "prompt_version", prompt};
            Gauge.builder("rlaif_judge_quality_audit_agreement", depth, d -> 0.80 + shift + d.get() / 1000.0).tags(tags).register(registry);
            Gauge.builder("rlaif_judge_quality_audit_agreement_low", depth, d -> 0.70 + shift + d.get() / 1000.0).tags(tags).register(registry);
            Gauge.builder("rlaif_judge_quality_audit_agreement_high", depth, d -> 0.88 + shift + d.get() / 1000.0).tags(tags).register(registry);
            Gauge.builder("rlaif_judge_quality_position_inconsistency", () -> 0.18 - shift).tags(tags).register(registry);
            Gauge.builder("rlaif_judge_quality_ece", () -> 0.07 - shift / 2).tags(tags).register(registry);
            Gauge.builder("rlaif_judge_quality_votes_per_pair", () -> 7.4 + 10 * shift).tags(tags).register(registry);
        }
        Gauge.builder("rlaif_trainer_version_accuracy", () -> 0.66).tag("version", "v000001").tag("published", "true").register(registry);
        try (DashboardServer dashboard = new DashboardServer(registry, Duration.ofMillis(200), 100)) {
            dashboard.listen("127.0.0.1", 0);
            Thread feeder = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    pairs.increment(25);
                    esc.increment(3);
                    depth.set((depth.get() + 7) % 40);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            feeder.setDaemon(true);
            feeder.start();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            Path profile = Files.createTempDirectory("chromium-profile");
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--user-data-dir=" + profile, "--window-size=1400,1500");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
            WebDriver driver = new ChromeDriver(service, options);
            try {
                driver.manage().window().setSize(new Dimension(1400, 1500));
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
                driver.get(dashboard.url());
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("svc-judge")));
                wait.until(d -> d.findElement(By.cssSelector("g.edge[data-topic=pairs] text.rate")).getText().matches("[1-9].*/s .*"));
                assertThat(driver.findElements(By.cssSelector("g.svc"))).hasSize(8);
                for (String chart : new String[]{"chart-lag", "chart-escalations", "chart-queue", "chart-agreement", "chart-position", "chart-versions",
                        "chart-judge-agreement", "chart-judge-calibration", "chart-judge-votes"}) {
                    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#" + chart + " canvas")));
                }
                assertThat(driver.findElements(By.cssSelector("table:not(.u-legend)"))).as("plots, not tables (uPlot's legends aside)").isEmpty();
                assertThat(driver.findElement(By.id("chart-escalations")).getText()).contains("low_confidence");
                // per-reason queue depth (a reason that never waited is left out) and judge quality per model · prompt
                wait.until(d -> d.findElement(By.id("chart-queue")).getText().contains("audit"));
                assertThat(driver.findElement(By.id("chart-queue")).getText()).doesNotContain("abstain");
                wait.until(d -> d.findElement(By.id("chart-judge-agreement")).getText().contains("qwen2.5-7b · v2-fenced agreement"));
                assertThat(driver.findElement(By.id("chart-judge-agreement")).getText()).contains("qwen2.5-7b · v1 low");
                assertThat(driver.findElement(By.id("chart-judge-calibration")).getText()).contains("qwen2.5-7b · v1 ECE")
                        .contains("qwen2.5-7b · v1 position inconsistency");
                assertThat(driver.findElement(By.id("chart-judge-votes")).getText()).contains("qwen2.5-7b · v2-fenced");
                wait.until(d -> Integer.parseInt(d.findElement(By.tagName("body")).getAttribute("data-samples")) >= 5);
                File shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
                Files.createDirectories(Path.of("target"));
                Files.copy(shot.toPath(), Path.of("target/dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                driver.quit();
                feeder.interrupt();
            }
        }
    }
}
