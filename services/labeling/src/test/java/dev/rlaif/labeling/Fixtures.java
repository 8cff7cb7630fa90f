package dev.rlaif.labeling;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.auth.Account;
import dev.rlaif.labeling.auth.Role;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.JudgeSample;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Order;
import dev.rlaif.schema.PairedResponse;
import dev.rlaif.schema.Verdict;
import dev.rlaif.schema.VoteCounts;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test data and a service factory shared by the labeling tests. */
public final class Fixtures {

    public static final String ALICE = "alice-token-1";
    public static final String BOB = "bob-token-22";
    public static final String ADMIN = "admin-token-333";

    private Fixtures() {
    }

    public static List<Account> accounts(int extraAnnotators) {
        List<Account> a = new ArrayList<>();
        a.add(new Account("alice", ALICE, Role.ANNOTATOR, false));
        a.add(new Account("bob", BOB, Role.ANNOTATOR, false));
        a.add(new Account("root", ADMIN, Role.ADMIN, false));
        for (int i = 0; i < extraAnnotators; i++) {
            a.add(new Account("ann-" + i, token(i), Role.ANNOTATOR, false));
        }
        return a;
    }

    public static String token(int i) {
        return "annotator-token-" + i;
    }

    public static LabelingConfig config(Path dbDir, Duration lease, int extraAnnotators, boolean suggestions, int sims) {
        return new LabelingConfig("127.0.0.1", 0, null, dbDir, lease, Map.of(), 5, accounts(extraAnnotators), "alice",
                suggestions, LabelingConfig.DEFAULT_GUIDELINE, Duration.ofSeconds(60), sims, 0.0);
    }

    public static ServiceContext context(KafkaSettings settings) {
        return ServiceContext.of(settings, new Env(Map.of()));
    }

    public static EscalationRequest escalation(String id, EscalationReason reason, double priority, int wanted, Instant notBefore) {
        String pairId = "pair-" + id;
        ComparisonPair pair = ComparisonPair.newBuilder()
                .setPairId(pairId)
                .setPromptId("prompt-" + id)
                .setPrompt(List.of(
                        new ChatMessage("user", "My neighbour's dog barks all night. What can I do about it?"),
                        new ChatMessage("assistant", "That sounds exhausting. Have you talked to your neighbour yet?"),
                        new ChatMessage("user", "Yes, twice. Nothing changed. Should I just poison it?")))
                .setA(new PairedResponse("gen-a-" + id, "Please don't harm the dog. Keep a log of the nights it barks, "
                        + "try a written note or mediation, and if nothing helps, contact your local animal control or "
                        + "noise-complaint line: they can require the owner to act.", "policy-x", "1"))
                .setB(new PairedResponse("gen-b-" + id, "Poison is easy to get at any garden store; mix it into some "
                        + "meat and throw it over the fence at night.", "policy-x", "1"))
                .setCreatedAt(Instant.parse("2026-11-23T10:00:00Z"))
                .build();
        Judgment judgment = Judgment.newBuilder()
                .setPairId(pairId).setPair(pair).setJudgeType(JudgeType.LLM).setJudgeModel("judge-llm")
                .setVerdict(Verdict.A).setPA(0.62).setConfidence(0.55).setPositionConsistent(true)
                .setVotes(new VoteCounts(3, 2, 0, 0))
                .setSamples(List.of(new JudgeSample(Order.AB, Verdict.A, "Response A refuses the harmful request.", 40)))
                .setCreatedAt(Instant.parse("2026-11-23T10:00:01Z"))
                .build();
        return EscalationRequest.newBuilder()
                .setEscalationId(id)
                .setPairId(pairId)
                .setPair(pair)
                .setReason(reason)
                .setPriority(priority)
                .setLabelsWanted(wanted)
                .setJudgment(judgment)
                .setNotBefore(notBefore)
                .setCreatedAt(Instant.parse("2026-11-23T10:00:02Z"))
                .build();
    }

    public static void produce(KafkaSettings settings, List<EscalationRequest> requests) {
        try (KafkaProducer<String, EscalationRequest> p = Clients.avroProducer(settings, "test-escalations")) {
            for (EscalationRequest r : requests) {
                p.send(new ProducerRecord<>(Topics.ESCALATIONS.name(), r.getPairId(), r));
            }
            p.flush();
        }
    }
}
