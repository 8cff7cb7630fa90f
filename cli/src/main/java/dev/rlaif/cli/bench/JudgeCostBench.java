package dev.rlaif.cli.bench;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.io.TempDirs;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.judge.JudgeConfig;
import dev.rlaif.judge.JudgeServiceProvider;
import dev.rlaif.judge.bench.SimulatedOpenAiEndpoint;
import dev.rlaif.judge.genrm.GenRmJudge;
import dev.rlaif.judge.llm.ChatEndpoint;
import dev.rlaif.judge.llm.OpenAiEndpoint;
import dev.rlaif.router.RouterConfig;
import dev.rlaif.router.policy.RoutingPolicy;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.PairedResponse;
import dev.rlaif.schema.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.random.Well19937c;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * What adaptive sampling saves: one simulated population of pairs judged by the real GenRM judge (prompt, OpenAI SDK
 * client, retries, verdict parsing, vote math, {@code SequentialTest}) against a zero-latency
 * {@link SimulatedOpenAiEndpoint}, once per sampling rule, and every judgment routed by the router's real
 * {@link RoutingPolicy} at its default threshold.
 *
 * <p>Population (issue 14): 60% clear pairs with the better side's preference p ~ Beta(18, 2), 25% moderate
 * Beta(6, 3), 15% close Beta(2, 2); the better side is A or B at random; p(A) is the latent preference. The truth is
 * the side p(A) favours. Each sampled verdict prefers the first-shown answer with probability p(first) + bias
 * (clipped to [0, 1]), for bias 0.1 and 0.2. Every rule judges the same pairs; votes are drawn afresh per rule.
 */
public final class JudgeCostBench {

    /** The clear/moderate/close mixture of issue 14. */
    static final double[][] MIXTURE = {{0.60, 18, 2}, {0.25, 6, 3}, {0.15, 2, 2}};
    static final double[] BIASES = {0.1, 0.2};

    /**
     * @param pairs       pairs per population
     * @param seed        population seed
     * @param concurrency pairs judged at once
     * @param majRows     also the fixed k=16/32 rows and adaptive rules with those maxima
     * @param inProcess   call the simulated endpoint's behaviour in process instead of over HTTP (same judge code,
     *                    no OpenAI client or sockets: fast enough for populations large enough for tight intervals)
     */
    public record Options(int pairs, long seed, int concurrency, boolean majRows, boolean inProcess) {
    }

    /** One sampling rule's figures on one population. */
    public record Row(String rule, double samplesPerPair, double aiRate, double aiAccuracy, int aiLabels,
                      double ciLow, double ciHigh) {
        String json() {
            return String.format(Locale.ROOT, "{\"rule\": \"%s\", \"samples_per_pair\": %.4f, \"ai_rate\": %.4f, "
                    + "\"ai_accuracy\": %.4f, \"ai_labels\": %d}", rule, samplesPerPair, aiRate, aiAccuracy, aiLabels);
        }
    }

    /** The rows of one population; the first is fixed k=8, the second the default adaptive plan. */
    public record Population(double bias, List<Row> rows) {
        public Row fixed() {
            return rows.get(0);
        }

        public Row adaptive() {
            return rows.get(1);
        }

        /** 1 - adaptive escalations / fixed escalations. */
        public double escalationReduction() {
            return 1 - (1 - adaptive().aiRate()) / (1 - fixed().aiRate());
        }

        public double accuracyDelta() {
            return adaptive().aiAccuracy() - fixed().aiAccuracy();
        }

        /** 95% Wald interval of the accuracy difference, as if the two label sets were independent (conservative). */
        public double deltaLow() {
            return accuracyDelta() - 1.96 * deltaSe();
        }

        public double deltaHigh() {
            return accuracyDelta() + 1.96 * deltaSe();
        }

        private double deltaSe() {
            Row f = fixed();
            Row a = adaptive();
            return Math.sqrt(f.aiAccuracy() * (1 - f.aiAccuracy()) / Math.max(1, f.aiLabels())
                    + a.aiAccuracy() * (1 - a.aiAccuracy()) / Math.max(1, a.aiLabels()));
        }

        /** Issue 14's target: no more samples than k=8, accuracy at most 0.2 points lower, 40% fewer escalations. */
        public boolean targetMet() {
            return adaptive().samplesPerPair() <= fixed().samplesPerPair() && accuracyDelta() >= -0.002
                    && escalationReduction() >= 0.40;
        }
    }

    /** Everything measured. */
    public record Result(double threshold, List<Population> populations, int judgments, double seconds) {
        public String json() {
            Population p = populations.get(0);
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "{\"fixed_samples_per_pair\": %.4f, \"fixed_ai_rate\": %.4f, \"fixed_ai_accuracy\": %.4f, "
                            + "\"adaptive_samples_per_pair\": %.4f, \"adaptive_ai_rate\": %.4f, \"adaptive_ai_accuracy\": %.4f, "
                            + "\"bias\": %.1f, \"escalation_reduction\": %.4f, \"target_met\": %b, \"threshold\": %.2f, "
                            + "\"pairs\": %d, \"populations\": [",
                    p.fixed().samplesPerPair(), p.fixed().aiRate(), p.fixed().aiAccuracy(), p.adaptive().samplesPerPair(),
                    p.adaptive().aiRate(), p.adaptive().aiAccuracy(), p.bias(), p.escalationReduction(), p.targetMet(),
                    threshold, judgments / Math.max(1, populations.stream().mapToInt(x -> x.rows().size()).sum())));
            for (int i = 0; i < populations.size(); i++) {
                Population q = populations.get(i);
                sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                        "{\"bias\": %.1f, \"escalation_reduction\": %.4f, \"accuracy_delta\": %.4f, \"target_met\": %b, \"rows\": [",
                        q.bias(), q.escalationReduction(), q.accuracyDelta(), q.targetMet()));
                for (int j = 0; j < q.rows().size(); j++) {
                    sb.append(j == 0 ? "" : ", ").append(q.rows().get(j).json());
                }
                sb.append("]}");
            }
            return sb.append(String.format(Locale.ROOT, "], \"seconds\": %.1f}", seconds)).toString();
        }
    }

    /** A sampling rule: fixed k, or the sequential plan with a maximum (and optionally a naive boundary). */
    record Rule(String name, Map<String, String> env) {
        static Rule fixed(int k) {
            return new Rule("fixed k=" + k + " (maj@" + k + ")", Map.of("RLAIF_JUDGE_SAMPLES", String.valueOf(k)));
        }

        static Rule adaptive(int max) {
            return new Rule("adaptive, max " + max, Map.of("RLAIF_JUDGE_ADAPTIVE", "true",
                    "RLAIF_JUDGE_MAX_SAMPLES", String.valueOf(max)));
        }

        static Rule naive(int max) {
            return new Rule("naive stop-when-confident, max " + max, Map.of("RLAIF_JUDGE_ADAPTIVE", "true",
                    "RLAIF_JUDGE_MAX_SAMPLES", String.valueOf(max), "RLAIF_JUDGE_ADAPTIVE_RHO", "0",
                    "RLAIF_JUDGE_ADAPTIVE_FUTILITY", "0", "RLAIF_JUDGE_ADAPTIVE_EARLY_BOUNDARY", "0",
                    "RLAIF_JUDGE_ADAPTIVE_CONSISTENCY_FUTILITY", "0"));
        }
    }

    private JudgeCostBench() {
    }

    public static Result run(Options o, Consumer<String> progress) throws Exception {
        long start = System.nanoTime();
        double threshold = RouterConfig.defaults().confidenceThreshold();
        List<Rule> rules = new ArrayList<>(List.of(Rule.fixed(8), Rule.adaptive(JudgeConfig.DEFAULT_MAX_SAMPLES)));
        if (o.majRows()) {
            rules.addAll(List.of(Rule.naive(JudgeConfig.DEFAULT_MAX_SAMPLES), Rule.fixed(16), Rule.adaptive(16),
                    Rule.fixed(32), Rule.adaptive(32)));
        }
        List<Population> populations = new ArrayList<>();
        int judgments = 0;
        Path state = Files.createTempDirectory("rlaif-judge-cost");
        try {
            for (double bias : BIASES) {
                double[] pA = population(o.pairs(), o.seed());
                List<Row> rows = new ArrayList<>();
                try (SimulatedOpenAiEndpoint server = new SimulatedOpenAiEndpoint(o.concurrency(),
                        SimulatedOpenAiEndpoint.NMode.HONOUR, behavior(pA, bias))) {
                    for (Rule rule : rules) {
                        ChatEndpoint endpoint = o.inProcess() ? inProcess(behavior(pA, bias))
                                : new OpenAiEndpoint(server.baseUrl(), "sim-judge", null, Duration.ofSeconds(60));
                        Row row = judgeAll(rule, endpoint, server.baseUrl(), pA, threshold, o.concurrency(), state);
                        judgments += o.pairs();
                        rows.add(row);
                        progress.accept(String.format(Locale.ROOT, "bias %.1f  %-34s samples/pair %.2f  AI rate %.4f  "
                                + "AI accuracy %.4f", bias, rule.name(), row.samplesPerPair(), row.aiRate(), row.aiAccuracy()));
                    }
                }
                populations.add(new Population(bias, rows));
            }
        } finally {
            TempDirs.deleteTree(state);
        }
        return new Result(threshold, populations, judgments, (System.nanoTime() - start) / 1e9);
    }

    /** The latent p(A) of each pair, from the mixture, the better side at random. */
    static double[] population(int n, long seed) {
        Well19937c rng = new Well19937c(seed);
        BetaDistribution[] betas = new BetaDistribution[MIXTURE.length];
        for (int i = 0; i < MIXTURE.length; i++) {
            betas[i] = new BetaDistribution(rng, MIXTURE[i][1], MIXTURE[i][2]);
        }
        double[] pA = new double[n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            int c = 0;
            for (double acc = MIXTURE[0][0]; u >= acc && c < MIXTURE.length - 1; acc += MIXTURE[++c][0]) {
                // find the component
            }
            double p = betas[c].sample();
            pA[i] = rng.nextBoolean() ? p : 1 - p;
        }
        return pA;
    }

    /**
     * Votes from the latent preference: the first-shown answer wins each sample with probability p(first) + bias.
     * The pair is found from its prompt, which side is shown first from the answer's text.
     */
    static SimulatedOpenAiEndpoint.Behavior behavior(double[] pA, double bias) {
        return req -> {
            String first = req.firstAnswer();
            int i = Integer.parseInt(first.substring(first.lastIndexOf('#') + 1).trim());
            double pFirst = first.startsWith("Answer A") ? pA[i] : 1 - pA[i];
            double q = Math.max(0, Math.min(1, pFirst + bias));
            List<String> answers = new ArrayList<>();
            ThreadLocalRandom rng = ThreadLocalRandom.current();
            for (int s = 0; s < req.n(); s++) {
                answers.add(rng.nextDouble() < q ? "The first answer is better. [[A]]" : "The second answer is better. [[B]]");
            }
            return SimulatedOpenAiEndpoint.Reply.answers(0, answers);
        };
    }

    static ComparisonPair pair(int i) {
        String ga = "cost-a-" + i;
        String gb = "cost-b-" + i;
        return ComparisonPair.newBuilder()
                .setPairId(PairIds.pairId(ga, gb))
                .setPromptId("cost-prompt-" + i)
                .setPrompt(List.of(new ChatMessage("user", "Which is better? Pair #" + i)))
                .setA(new PairedResponse(ga, "Answer A of pair #" + i, "sim", "1"))
                .setB(new PairedResponse(gb, "Answer B of pair #" + i, "sim", "1"))
                .setCreatedAt(Instant.now())
                .build();
    }

    /** The behaviour as a ChatEndpoint without the HTTP hop. */
    static ChatEndpoint inProcess(SimulatedOpenAiEndpoint.Behavior behavior) {
        java.util.concurrent.atomic.AtomicInteger index = new java.util.concurrent.atomic.AtomicInteger();
        return new ChatEndpoint() {
            @Override
            public CompletableFuture<dev.rlaif.judge.llm.ChatResult> send(dev.rlaif.judge.llm.ChatRequest r) {
                var reply = behavior.apply(new SimulatedOpenAiEndpoint.Request(index.getAndIncrement(), "sim-judge",
                        r.system(), r.user(), r.n(), r.temperature(), System.nanoTime()));
                return CompletableFuture.completedFuture(dev.rlaif.judge.llm.ChatResult.of(reply.contents(),
                        r.user().length() / 4, reply.contents().size() * 8));
            }

            @Override
            public String model() {
                return "sim-judge";
            }
        };
    }

    private static Row judgeAll(Rule rule, ChatEndpoint raw, String url, double[] pA, double threshold, int concurrency, Path state)
            throws Exception {
        Map<String, String> env = new HashMap<>(rule.env());
        env.put("RLAIF_JUDGE_LLM_URL", url);
        env.put("RLAIF_JUDGE_LLM_MODEL", "sim-judge");
        env.put("RLAIF_JUDGE_CRITIQUES", "false");
        env.put("RLAIF_JUDGE_MAX_IN_FLIGHT", String.valueOf(2 * concurrency));
        env.put("RLAIF_JUDGE_ADAPTIVE_THRESHOLD", String.valueOf(threshold));
        JudgeConfig config = JudgeConfig.fromEnv(new Env(env), new KafkaSettings("localhost:1", null, 1, (short) 1, state));
        ChatEndpoint endpoint = JudgeServiceProvider.resilient(raw, config);
        long samples = 0;
        int ai = 0;
        int correct = 0;
        try (GenRmJudge judge = JudgeServiceProvider.genRm(endpoint, config, Clock.systemUTC(), new SimpleMeterRegistry()).judge()) {
            Semaphore slots = new Semaphore(concurrency);
            List<CompletableFuture<Judgment>> all = new ArrayList<>();
            for (int i = 0; i < pA.length; i++) {
                slots.acquire();
                CompletableFuture<Judgment> f = judge.judge(pair(i)).thenApply(r -> r.judgment());
                f.whenComplete((j, e) -> slots.release());
                all.add(f);
            }
            for (int i = 0; i < pA.length; i++) {
                Judgment j = all.get(i).join();
                if (j.getVerdict() == Verdict.UNAVAILABLE) {
                    throw new IllegalStateException("the simulated endpoint failed: " + j.getError());
                }
                samples += j.getSamplesDrawn();
                if (RoutingPolicy.decide(j, threshold, 0.0).aiLabel()) {
                    ai++;
                    boolean truthA = pA[i] > 0.5;
                    if ((j.getVerdict() == Verdict.A) == truthA && j.getVerdict() != Verdict.TIE) {
                        correct++;
                    }
                }
            }
        }
        double acc = ai == 0 ? Double.NaN : correct / (double) ai;
        double[] ci = dev.rlaif.common.stats.Wilson.of(correct, ai);
        return new Row(rule.name(), samples / (double) pA.length, ai / (double) pA.length, acc, ai, ci[0], ci[1]);
    }

}
