package dev.rlaif.labeling.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.LabelingService;
import dev.rlaif.labeling.sim.AnnotatorClient;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 50 annotators pull and submit at once over HTTP. Checks that no task is held by more annotators than its
 * overlap at any moment, that each task ends with exactly its labels_wanted labels from distinct annotators,
 * and that every accepted label is on {@code human-labels} exactly once.
 */
@Tag("broker")
class ConcurrencyTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static final int ANNOTATORS = 50;
    private static final int TASKS = 120;

    @Test
    void fiftyAnnotatorsAtOnce() throws Exception {
        Map<String, Integer> wanted = new HashMap<>();
        List<EscalationRequest> requests = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            int n = 1 + i % 3;
            String id = "c-" + i;
            wanted.put(id, n);
            requests.add(Fixtures.escalation(id, EscalationReason.LOW_CONFIDENCE, (i * 7 % 10) / 10.0, n, null));
        }
        int expectedLabels = wanted.values().stream().mapToInt(Integer::intValue).sum();

        try (LabelingService service = new LabelingService(Fixtures.context(broker.settings()),
                Fixtures.config(Files.createTempDirectory("labeling-db"), Duration.ofMinutes(5), ANNOTATORS, false, 0),
                Clock.systemUTC())) {
            service.start();
            Fixtures.produce(broker.settings(), requests);
            await().atMost(Duration.ofSeconds(30)).until(() -> service.queue().openCount() == TASKS);

            HttpClient http = AnnotatorClient.newHttpClient();
            // Who holds each task right now, as seen by the clients: must never exceed the task's overlap.
            Map<String, Set<String>> holders = new ConcurrentHashMap<>();
            AtomicInteger overlapViolations = new AtomicInteger();
            Map<String, String> acceptedLabels = new ConcurrentHashMap<>();
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(ANNOTATORS);
            List<Future<Integer>> results = new ArrayList<>();
            for (int a = 0; a < ANNOTATORS; a++) {
                AnnotatorClient client = new AnnotatorClient(http, service.baseUrl(), Fixtures.token(a));
                String me = "ann-" + a;
                results.add(pool.submit(() -> {
                    go.await();
                    int done = 0;
                    while (true) {
                        Optional<JsonNode> t = client.next();
                        if (t.isEmpty()) {
                            return done;
                        }
                        String esc = t.get().get("escalation_id").asText();
                        Set<String> h = holders.computeIfAbsent(esc, k -> ConcurrentHashMap.newKeySet());
                        h.add(me);
                        if (h.size() > wanted.get(esc)) {
                            overlapViolations.incrementAndGet();
                        }
                        String labelId = UUID.randomUUID().toString();
                        String choice = List.of("A", "B", "TIE").get(Math.abs(labelId.hashCode()) % 3);
                        AnnotatorClient.Reply r = client.submit(t.get().get("lease_id").asText(), labelId, choice, null, 5);
                        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
                        acceptedLabels.put(labelId, esc);
                        done++;
                    }
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            pool.shutdown();

            assertThat(overlapViolations).hasValue(0);
            assertThat(total).isEqualTo(expectedLabels);
            assertThat(acceptedLabels).hasSize(expectedLabels);
            assertThat(service.queue().openCount()).isZero();

            List<HumanLabel> onTopic = TopicReader.readAll(broker.settings(), Topics.HUMAN_LABELS).stream().map(r -> r.value()).toList();
            assertThat(onTopic).hasSize(expectedLabels);
            assertThat(onTopic).extracting(HumanLabel::getLabelId).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(acceptedLabels.keySet());
            Map<String, Set<String>> annotatorsPerTask = new HashMap<>();
            for (HumanLabel l : onTopic) {
                assertThat(annotatorsPerTask.computeIfAbsent(l.getEscalationId(), k -> new HashSet<>()).add(l.getAnnotatorId()))
                        .as("one label per annotator per task").isTrue();
            }
            annotatorsPerTask.forEach((esc, who) -> assertThat(who).as(esc).hasSize(wanted.get(esc)));
            assertThat(annotatorsPerTask).hasSize(TASKS);
            assertThat(service.queue().unpublishedCount()).isZero();
        }
    }
}
