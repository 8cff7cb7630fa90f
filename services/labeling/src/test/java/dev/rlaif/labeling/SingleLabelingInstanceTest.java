package dev.rlaif.labeling;

import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.schema.EscalationReason;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The labeling service is one instance (its task store is one embedded database): a second instance, even with a
 * task store of its own, does not start while the first runs, so no escalation is taken into two stores and
 * labelled twice; once the first stops, a new instance starts and goes on from the first one's store.
 */
@Tag("broker")
class SingleLabelingInstanceTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static ServiceContext context(String wait) {
        return ServiceContext.of(broker.settings(), new Env(Map.of("RLAIF_SINGLETON_WAIT", wait)));
    }

    @Test
    void aSecondInstanceIsRefusedWhileTheFirstRunsAndATakeoverResumes() throws Exception {
        Path firstDb = Files.createTempDirectory("labeling-first");
        Path secondDb = Files.createTempDirectory("labeling-second");
        Fixtures.produce(broker.settings(), List.of(
                Fixtures.escalation("s-1", EscalationReason.LOW_CONFIDENCE, 0.9, 1, null),
                Fixtures.escalation("s-2", EscalationReason.AUDIT, 0.1, 1, null)));
        try (LabelingService first = new LabelingService(context("30s"),
                Fixtures.config(firstDb, Duration.ofMinutes(5), 0, false, 0), Clock.systemUTC())) {
            first.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.queue().openCount() == 2);

            LabelingService second = new LabelingService(context("3s"),
                    Fixtures.config(secondDb, Duration.ofMinutes(5), 0, false, 0), Clock.systemUTC());
            assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another labeling instance is active");
            second.close();
            try (var files = Files.list(secondDb)) {
                assertThat(files.count()).as("the refused instance opened no task store").isZero();
            }
            assertThat(first.queue().openCount()).isEqualTo(2);
        }
        // the first left its group on close: a new instance on its store takes over at once and loses nothing
        try (LabelingService takeover = new LabelingService(context("30s"),
                Fixtures.config(firstDb, Duration.ofMinutes(5), 0, false, 0), Clock.systemUTC())) {
            takeover.start();
            assertThat(takeover.queue().openCount()).isEqualTo(2);
            Fixtures.produce(broker.settings(), List.of(Fixtures.escalation("s-3", EscalationReason.LOW_CONFIDENCE, 0.5, 1, null)));
            await().atMost(Duration.ofSeconds(30)).until(() -> takeover.queue().openCount() == 3);
        }
    }

    @Test
    void aLostLeaseStopsConsumingOffTheGuardThreadReportsDownAndStillPublishesLabels() throws Exception {
        Path db = Files.createTempDirectory("labeling-lost");
        Fixtures.produce(broker.settings(), List.of(Fixtures.escalation("l-1", EscalationReason.LOW_CONFIDENCE, 0.9, 1, null)));
        LabelingService service = new LabelingService(context("30s"),
                Fixtures.config(db, Duration.ofMinutes(5), 0, false, 0), Clock.systemUTC());
        try {
            service.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> service.queue().openCount() >= 1);
            assertThat(service.consuming()).isTrue();
            // what the lease guard calls when another instance took the lease: it must return without doing the stop
            service.leaseLost();
            assertThat(service.serviceHealth().up()).as("DOWN at once").isFalse();
            await().atMost(Duration.ofSeconds(30)).until(() -> !service.consuming());
            // labels already possible are still taken and published
            var alice = new dev.rlaif.labeling.sim.AnnotatorClient(dev.rlaif.labeling.sim.AnnotatorClient.newHttpClient(),
                    service.baseUrl(), Fixtures.ALICE);
            var task = alice.next().orElseThrow();
            assertThat(alice.submit(task.get("lease_id").asText(), "lost-1", "A", null, 1).status()).isEqualTo(200);
        } finally {
            service.close();
        }
        assertThat(service.serviceHealth().up()).isFalse();
    }
}
