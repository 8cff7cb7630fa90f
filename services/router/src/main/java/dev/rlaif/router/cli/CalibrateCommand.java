package dev.rlaif.router.cli;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.router.RouterConfig;
import dev.rlaif.router.quality.JudgeQuality;
import dev.rlaif.router.quality.JudgeQualityConfig;
import dev.rlaif.router.quality.OfflineJudgeQuality;
import dev.rlaif.schema.Judgment;
import dev.rlaif.router.calibration.Calibration;
import dev.rlaif.router.calibration.OfflineCalibration;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./rlaif calibrate}: reads {@code escalations} and {@code human-labels} from the cluster, prints AI-human
 * agreement per judge model and confidence bucket, and the threshold the automatic mode would choose; the last
 * line is JSON.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "AI-human agreement per judge model and confidence bucket, from audited and low-confidence pairs")
public final class CalibrateCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: $RLAIF_BOOTSTRAP_SERVERS or localhost:9092)")
    String bootstrapServers;

    @Option(names = "--buckets", description = "confidence buckets (default: $RLAIF_ROUTER_CALIBRATION_BUCKETS or 10)")
    Integer buckets;

    @Option(names = "--target", description = "target AI-label accuracy (default: $RLAIF_ROUTER_TARGET_ACCURACY or 0.95)")
    Double target;

    @Option(names = "--min-samples", description = "labels a bucket needs to be trusted (default: $RLAIF_ROUTER_MIN_BUCKET_SAMPLES or 20)")
    Integer minSamples;


    @Override
    public Integer call() {
        Env env = Env.system();
        KafkaSettings settings = KafkaSettings.fromEnv(env);
        if (bootstrapServers != null) {
            settings = settings.withBootstrapServers(bootstrapServers);
        }
        RouterConfig config = RouterConfig.fromEnv(env);
        int b = buckets != null ? buckets : config.calibrationBuckets();
        double t = target != null ? target : config.targetAccuracy();
        int min = minSamples != null ? minSamples : config.minBucketSamples();
        List<EscalationRequest> escalations = new ArrayList<>();
        for (ConsumerRecord<String, EscalationRequest> r : TopicReader.readAll(settings, Topics.ESCALATIONS)) {
            escalations.add(r.value());
        }
        List<HumanLabel> labels = new ArrayList<>();
        for (ConsumerRecord<String, HumanLabel> r : TopicReader.readAll(settings, Topics.HUMAN_LABELS)) {
            labels.add(r.value());
        }
        Calibration c = OfflineCalibration.compute(escalations, labels, b);
        List<Judgment> judgments = new ArrayList<>();
        for (ConsumerRecord<String, Judgment> r : TopicReader.readAll(settings, Topics.JUDGMENTS)) {
            judgments.add(r.value());
        }
        JudgeQuality quality = OfflineJudgeQuality.compute(JudgeQualityConfig.fromEnv(env).newQuality(), judgments,
                escalations, labels);
        report(c, config.confidenceThreshold(), t, min, quality.summaries(), System.out);
        return 0;
    }

    /** Prints the table and the final JSON line. */
    static void report(Calibration c, double configured, double target, int minSamples, PrintStream out) {
        report(c, configured, target, minSamples, List.of(), out);
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** Prints the calibration table, the judge-quality table and the final JSON line. */
    static void report(Calibration c, double configured, double target, int minSamples,
                       List<JudgeQuality.Summary> quality, PrintStream out) {
        out.printf(Locale.ROOT, "%-28s %-11s %7s %9s%n", "judge_model", "confidence", "labels", "agreement");
        List<Map<String, Object>> models = new ArrayList<>();
        for (String model : c.models()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Calibration.Cell cell : c.cells()) {
                if (!cell.judgeModel().equals(model)) {
                    continue;
                }
                out.printf(Locale.ROOT, "%-28s %.2f-%.2f %7d %9.3f%n", model, cell.low(), cell.high(), cell.n(), cell.agreement());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("low", cell.low());
                row.put("high", cell.high());
                row.put("labels", cell.n());
                row.put("agreement", cell.agreement());
                rows.add(row);
            }
            double threshold = c.threshold(model, configured, target, minSamples);
            out.printf(Locale.ROOT, "%-28s threshold for accuracy %.2f: %s%n", model, target,
                    threshold > 1 ? "none (every pair to humans)" : String.format(Locale.ROOT, "%.2f", threshold));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("judge_model", model);
            m.put("buckets", rows);
            m.put("threshold", threshold > 1 ? null : threshold);
            models.add(m);
        }
        List<Map<String, Object>> qualityJson = new ArrayList<>();
        if (!quality.isEmpty()) {
            out.printf(Locale.ROOT, "%n%-28s %-10s %9s %13s %9s %7s %20s %7s %s%n", "judge_model", "prompt", "judgments",
                    "inconsistent", "votes/pair", "audits", "audit agreement", "ECE", "alarm");
        }
        for (JudgeQuality.Summary q : quality) {
            out.printf(Locale.ROOT, "%-28s %-10s %9d %13.3f %9.2f %7d %6.3f [%.3f,%.3f] %7.3f %s%n", q.key().judgeModel(),
                    q.key().promptVersion(), q.judgments(), q.inconsistencyRate(), q.votesPerPair(), q.audits(),
                    q.auditAgreement(), q.auditLow(), q.auditHigh(), q.ece(), q.alarm() ? "BELOW FLOOR" : "ok");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("judge_model", q.key().judgeModel());
            m.put("prompt_version", q.key().promptVersion());
            m.put("judgments", q.judgments());
            m.put("position_inconsistency", nan(q.inconsistencyRate()));
            m.put("votes_per_pair", nan(q.votesPerPair()));
            m.put("audits", q.audits());
            m.put("audit_agreement", nan(q.auditAgreement()));
            m.put("audit_agreement_ci", List.of(q.auditLow(), q.auditHigh()));
            m.put("human_labels", q.labelled());
            m.put("ece", nan(q.ece()));
            m.put("alarm", q.alarm());
            qualityJson.add(m);
        }
        long total = c.cells().stream().mapToLong(Calibration.Cell::n).sum();
        long agree = c.cells().stream().mapToLong(Calibration.Cell::agree).sum();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("labels", total);
        json.put("agreement", total == 0 ? null : agree / (double) total);
        json.put("target_accuracy", target);
        json.put("configured_threshold", configured);
        json.put("judge_models", models);
        json.put("judge_quality", qualityJson);
        out.println(Json.write(json));
    }
}
