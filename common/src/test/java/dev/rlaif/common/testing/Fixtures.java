package dev.rlaif.common.testing;

import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.JudgeSample;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Order;
import dev.rlaif.schema.PairedResponse;
import dev.rlaif.schema.Verdict;
import dev.rlaif.schema.VoteCounts;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test records shared by the modules' tests: a pair and an LLM judgment of it. */
public final class Fixtures {

    private Fixtures() {
    }

    public static ComparisonPair pair(String id) {
        return ComparisonPair.newBuilder().setPairId(id).setPromptId("q-" + id)
                .setPrompt(List.of(new ChatMessage("user", "question " + id)))
                .setA(new PairedResponse("g-" + id + "-a", "answer a", "policy", "1"))
                .setB(new PairedResponse("g-" + id + "-b", "answer b", "policy", "1"))
                .setCreatedAt(Instant.ofEpochMilli(1000)).setTags(Map.of()).build();
    }

    public static Judgment judgment(String id, Verdict verdict, double confidence, boolean consistent) {
        return Judgment.newBuilder().setPairId(id).setPair(pair(id)).setJudgeType(JudgeType.LLM)
                .setJudgeModel("judge-m").setVerdict(verdict).setPA(verdict == Verdict.A ? 0.5 + confidence / 2 : 0.5 - confidence / 2)
                .setConfidence(confidence).setPositionConsistent(consistent)
                .setVotes(new VoteCounts(verdict == Verdict.A ? 6 : 1, verdict == Verdict.B ? 6 : 1, 0, 0))
                .setSamples(List.of(
                        new JudgeSample(Order.AB, Verdict.A, "A is right because", 10),
                        new JudgeSample(Order.BA, Verdict.B, "B is right because", 10)))
                .setCreatedAt(Instant.ofEpochMilli(1000)).build();
    }
}
