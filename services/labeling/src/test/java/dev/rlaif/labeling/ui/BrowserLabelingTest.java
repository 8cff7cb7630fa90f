package dev.rlaif.labeling.ui;

import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.LabelingService;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real browser: headless Chromium signs in, labels a task with the keyboard only (2 = right-hand response, then
 * Enter), and the label is read back from {@code human-labels}, mapped to the pair's own A/B. Skipped when Chromium
 * or chromedriver is not installed. Leaves a screenshot in target/labeling.png.
 */
@Tag("broker")
@Tag("browser")
class BrowserLabelingTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    @Test
    void labelsATaskWithTheKeyboard() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER), "chromium and chromedriver are not installed");
        EscalationRequest req = Fixtures.escalation("browser-1", EscalationReason.POSITION_INCONSISTENT, 0.8, 3, null);
        try (LabelingService service = new LabelingService(Fixtures.context(broker.settings()),
                Fixtures.config(Files.createTempDirectory("labeling-db"), Duration.ofMinutes(5), 0, true, 0), Clock.systemUTC())) {
            service.start();
            Fixtures.produce(broker.settings(), List.of(req));
            await().atMost(Duration.ofSeconds(20)).until(() -> service.queue().openCount() == 1);

            Path profile = Files.createTempDirectory("chromium-profile");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--user-data-dir=" + profile, "--window-size=1400,1200");
            ChromeDriverService driverService = new ChromeDriverService.Builder()
                    .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
            WebDriver driver = new ChromeDriver(driverService, options);
            try {
                driver.manage().window().setSize(new Dimension(1400, 1200));
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
                driver.get(service.baseUrl() + "/");
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(Fixtures.ALICE, Keys.ENTER);
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("task")));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("lease"), "lease 4:"));
                assertThat(driver.findElements(By.cssSelector("#turns .turn"))).hasSize(3);
                assertThat(driver.findElement(By.id("guideline-text")).getText()).contains("helpful");
                assertThat(driver.findElement(By.id("suggestion")).getAttribute("open")).as("AI suggestion collapsed").isNull();
                assertThat(driver.findElement(By.id("progress")).getText()).contains("0 labeled").contains("1 waiting");
                String rightText = driver.findElement(By.id("text-B")).getText();
                boolean pairAOnRight = rightText.equals(req.getPair().getA().getResponse());
                assertThat(pairAOnRight || rightText.equals(req.getPair().getB().getResponse())).isTrue();

                new Actions(driver).sendKeys("2").perform();
                wait.until(ExpectedConditions.attributeContains(By.id("resp-B"), "class", "selected"));
                File shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
                Files.createDirectories(Path.of("target"));
                Files.copy(shot.toPath(), Path.of("target/labeling.png"), StandardCopyOption.REPLACE_EXISTING);
                new Actions(driver).sendKeys(Keys.ENTER).perform();

                await().atMost(Duration.ofSeconds(20))
                        .until(() -> TopicReader.count(broker.settings(), Topics.HUMAN_LABELS.name()) == 1);
                HumanLabel label = TopicReader.readAll(broker.settings(), Topics.HUMAN_LABELS).get(0).value();
                assertThat(label.getAnnotatorId()).isEqualTo("alice");
                assertThat(label.getPairId()).isEqualTo(req.getPairId());
                assertThat(label.getChoice()).isEqualTo(pairAOnRight ? Choice.A : Choice.B);
                assertThat(label.getTimeSpentMs()).isPositive();
                // The page moves on: the only task is labeled by alice, so the queue is clear for her.
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("empty")));

                // The admin page: an annotator token is refused, the admin sees alice's row and the queue depth.
                driver.get(service.baseUrl() + "/admin");
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(Fixtures.ADMIN, Keys.ENTER);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("annotators"), "alice"));
                assertThat(driver.findElement(By.id("depth")).getText().toLowerCase()).contains("position inconsistent");
                assertThat(driver.findElement(By.id("k-hour")).getText()).isEqualTo("1");
                File admin = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
                Files.copy(admin.toPath(), Path.of("target/labeling-admin.png"), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                driver.quit();
            }
        }
    }
}
