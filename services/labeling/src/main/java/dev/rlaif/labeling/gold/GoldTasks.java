package dev.rlaif.labeling.gold;

import dev.rlaif.common.pair.PairIds;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.PairedResponse;

import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Builds the task a gold item is shown as. Every id has the shape of a real one and is fresh per serve: generation ids
 * as the gateway derives them ({@code g-} + 24 hex), the pair id from them as pairing does, the escalation id from the
 * pair and reason as the router does. Reason, priority and labels wanted are those of the real task it stands in for.
 * Which response becomes the pair's A is random, so the pair-terms choice a submit answers with says nothing.
 */
public final class GoldTasks {

    private GoldTasks() {
    }

    /** A served gold task and which side of its pair the gold answer prefers ("A" or "B"). */
    public record Served(EscalationRequest request, String betterSide) {
    }

    public static Served build(GoldItem item, EscalationRequest standIn, int labelsWanted, Instant now,
                               RandomGenerator random) {
        boolean betterIsA = random.nextBoolean();
        String genA = "g-" + randomHex(random, 24);
        String genB = "g-" + randomHex(random, 24);
        ComparisonPair real = standIn.getPair();
        String pairId = PairIds.pairId(genA, genB);
        ComparisonPair pair = ComparisonPair.newBuilder()
                .setPairId(pairId)
                .setPromptId("pr-" + randomHex(random, 20))
                .setPrompt(item.prompt())
                .setA(new PairedResponse(genA, betterIsA ? item.better() : item.worse(),
                        real.getA().getPolicyModel(), real.getA().getPolicyVersion()))
                .setB(new PairedResponse(genB, betterIsA ? item.worse() : item.better(),
                        real.getB().getPolicyModel(), real.getB().getPolicyVersion()))
                .setCreatedAt(now)
                .setTags(Map.of())
                .build();
        EscalationRequest request = EscalationRequest.newBuilder()
                .setEscalationId("esc-" + PairIds.hash(pairId + "|" + standIn.getReason(), 20))
                .setPairId(pairId)
                .setPair(pair)
                .setReason(standIn.getReason())
                .setPriority(standIn.getPriority())
                .setLabelsWanted(labelsWanted)
                .setJudgment(null)
                .setNotBefore(null)
                .setCreatedAt(now)
                .build();
        return new Served(request, betterIsA ? "A" : "B");
    }

    private static String randomHex(RandomGenerator random, int length) {
        byte[] b = new byte[(length + 1) / 2];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b).substring(0, length);
    }
}
