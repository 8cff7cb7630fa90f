package dev.rlaif.labeling.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.LabelingConfig;
import dev.rlaif.labeling.auth.Account;
import dev.rlaif.labeling.auth.Accounts;
import dev.rlaif.labeling.gold.GoldItem;
import dev.rlaif.labeling.gold.GoldPolicy;
import dev.rlaif.labeling.queue.Assignment;
import dev.rlaif.labeling.queue.LabelQueue;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.PairedResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gold task as the annotator's page receives it looks like the real task it stands in for: the same fields, ids of
 * the same shapes, the same lease time, reason and counts, and nothing that names it gold or tells its answer.
 */
@Tag("unit")
class GoldLeakTest {

    private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path dir;

    /** A real escalation with ids made the way the gateway, pairing and router make them. */
    static EscalationRequest realShaped(String seed, EscalationReason reason) {
        EscalationRequest base = Fixtures.escalation(seed, reason, 0.5, 2, null);
        String genA = "g-" + PairIds.hash(seed + "a", 24);
        String genB = "g-" + PairIds.hash(seed + "b", 24);
        String pairId = PairIds.pairId(genA, genB);
        ComparisonPair p = base.getPair();
        ComparisonPair pair = ComparisonPair.newBuilder(p).setPairId(pairId)
                .setA(new PairedResponse(genA, p.getA().getResponse(), "policy-x", "1"))
                .setB(new PairedResponse(genB, p.getB().getResponse(), "policy-x", "1")).build();
        return EscalationRequest.newBuilder(base).setEscalationId("esc-" + PairIds.hash(pairId + "|" + reason, 20))
                .setPairId(pairId).setPair(pair).setJudgment(null).build();
    }

    /** Every field path of a JSON document, with the kind of its value (arrays by their elements). */
    static TreeSet<String> shape(JsonNode n, String path) {
        TreeSet<String> out = new TreeSet<>();
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                out.addAll(shape(e.getValue(), path + "." + e.getKey()));
            }
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                out.addAll(shape(e, path + "[]"));
            }
        } else {
            out.add(path + ":" + n.getNodeType());
        }
        return out;
    }

    @Test
    void goldTaskJsonLooksLikeTheRealTaskItReplaces() throws Exception {
        List<GoldItem> items = List.of(new GoldItem("gold-secret-17",
                List.of(new ChatMessage("user", "Is it safe to mix bleach and ammonia for cleaning?")),
                "No: mixing them releases toxic chloramine gas. Use one at a time and ventilate the room.",
                "Yes, the mix cleans twice as well."));
        LabelingConfig config = Fixtures.config(dir.resolve("cfg"), Duration.ofMinutes(5), 0, false, 0);
        try (TaskDatabase db = TaskDatabase.open(dir)) {
            // rate 1 for alice's queue: alice gets gold, bob (other queue view, same store) the real task.
            LabelQueue queue = new LabelQueue(db, config.leaseTimeout(), config::labelsWanted,
                    new GoldPolicy(items, 1.0, new SplittableRandom(1), r -> true));
            EscalationRequest real = realShaped("x1", EscalationReason.POSITION_INCONSISTENT);
            queue.ingest(List.of(real), "escalations", Map.of(0, 1L));
            Accounts accounts = new Accounts(Fixtures.accounts(0));
            LabelingApi api = new LabelingApi(config, accounts, queue, l -> { }, Clock.fixed(T0, ZoneOffset.UTC),
                    new SimpleMeterRegistry());
            Account alice = accounts.authenticate("Bearer " + Fixtures.ALICE).orElseThrow();
            Account bob = accounts.authenticate("Bearer " + Fixtures.BOB).orElseThrow();

            Assignment goldTask = queue.next("alice", T0).orElseThrow();
            assertThat(goldTask.request().getEscalationId()).isNotEqualTo(real.getEscalationId());
            // Bob gets the real one (gold is used up for nobody else: he gets it too, so read his second task).
            Assignment first = queue.next("bob", T0).orElseThrow();
            Assignment realTask = first.request().getEscalationId().equals(real.getEscalationId()) ? first : null;
            if (realTask == null) {
                queue.submit("bob", false, first.lease().leaseId(), "b-1", dev.rlaif.schema.Choice.A, null, 1, T0);
                realTask = queue.next("bob", T0).orElseThrow();
            }
            assertThat(realTask.request().getEscalationId()).isEqualTo(real.getEscalationId());

            JsonNode g = Json.MAPPER.valueToTree(api.render(goldTask, alice, T0));
            JsonNode r = Json.MAPPER.valueToTree(api.render(realTask, bob, T0));

            assertThat(shape(g, "$")).isEqualTo(shape(r, "$"));
            for (JsonNode n : List.of(g, r)) {
                assertThat(n.get("lease_id").asText()).matches("[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}");
                assertThat(n.get("escalation_id").asText()).matches("esc-[0-9a-f]{20}");
                assertThat(n.get("pair_id").asText()).matches("p-[0-9a-f]{20}");
                assertThat(n.get("responses").get("A").get("generation_id").asText()).matches("g-[0-9a-f]{24}");
                assertThat(n.get("responses").get("B").get("generation_id").asText()).matches("g-[0-9a-f]{24}");
            }
            for (String field : List.of("reason", "audit", "lease_expires_at", "lease_seconds_left", "labels_wanted")) {
                assertThat(g.get(field)).as(field).isEqualTo(r.get(field));
            }
            String json = Json.MAPPER.writeValueAsString(g);
            assertThat(json.toLowerCase(Locale.ROOT)).doesNotContain("gold").doesNotContain("secret-17")
                    .doesNotContain("better").doesNotContain("correct");
            // The pair id is derived from the generation ids, as pairing derives it.
            assertThat(g.get("pair_id").asText()).isEqualTo(PairIds.pairId(
                    g.get("responses").get("A").get("generation_id").asText(),
                    g.get("responses").get("B").get("generation_id").asText()));
        }
    }

    @Test
    void staticPagesNeverMentionGold() throws Exception {
        List<String> files = new ArrayList<>(List.of("index.html", "app.js"));
        for (String f : files) {
            try (var in = GoldLeakTest.class.getResourceAsStream("/web/" + f)) {
                assertThat(new String(in.readAllBytes()).toLowerCase(Locale.ROOT)).as(f).doesNotContain("gold");
            }
        }
    }
}
