package dev.rlaif.router.cli;

import dev.rlaif.common.testing.Fixtures;
import dev.rlaif.common.json.Json;
import dev.rlaif.router.calibration.Calibration;
import dev.rlaif.router.calibration.OfflineCalibration;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CalibrateCommandTest {

    private static EscalationRequest esc(Judgment j, EscalationReason r) {
        return EscalationRequest.newBuilder().setEscalationId("e-" + j.getPairId()).setPairId(j.getPairId()).setPair(j.getPair())
                .setReason(r).setJudgment(j).setCreatedAt(Instant.EPOCH).build();
    }

    private static HumanLabel label(String id, String pair, Choice c) {
        return HumanLabel.newBuilder().setLabelId(id).setPairId(pair).setAnnotatorId("a").setChoice(c).setCreatedAt(Instant.EPOCH).build();
    }

    @Test
    void computesTheTableFromTopicsAndEndsWithJson() {
        List<EscalationRequest> escalations = List.of(
                esc(Fixtures.judgment("a1", Verdict.A, 0.95, true), EscalationReason.AUDIT),
                esc(Fixtures.judgment("a2", Verdict.B, 0.95, true), EscalationReason.AUDIT),
                esc(Fixtures.judgment("l1", Verdict.A, 0.35, true), EscalationReason.LOW_CONFIDENCE),
                esc(Fixtures.judgment("x1", Verdict.ABSTAIN, 0, true), EscalationReason.ABSTAIN));
        List<HumanLabel> labels = List.of(label("1", "a1", Choice.A), label("1", "a1", Choice.A), label("2", "a2", Choice.A),
                label("3", "l1", Choice.B), label("4", "x1", Choice.B));
        Calibration c = OfflineCalibration.compute(escalations, labels, 10);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CalibrateCommand.report(c, 0.8, 0.95, 1, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines[0]).contains("judge_model").contains("agreement");
        var json = Json.read(lines[lines.length - 1]);
        assertThat(json.get("labels").asInt()).isEqualTo(3);
        assertThat(json.get("agreement").asDouble()).isEqualTo(1 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
        var buckets = json.get("judge_models").get(0).get("buckets");
        assertThat(buckets).hasSize(2);
        assertThat(buckets.get(1).get("agreement").asDouble()).isEqualTo(0.5);
        // the top bucket (agreement 0.5, 2 labels >= min 1) is known bad: every pair to humans
        assertThat(json.get("judge_models").get(0).get("threshold").isNull()).isTrue();
    }
}
