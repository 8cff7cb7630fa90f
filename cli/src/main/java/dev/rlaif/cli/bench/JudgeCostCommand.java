package dev.rlaif.cli.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./rlaif bench judge-cost}: LLM samples per pair, share of pairs labelled by AI and accuracy of those labels,
 * fixed k against adaptive sampling, on simulated pair populations (see {@link JudgeCostBench}). Last stdout line: JSON.
 */
@Command(name = "judge-cost", mixinStandardHelpOptions = true,
        description = "Samples per pair, AI-label rate and AI-label accuracy of fixed k=8/16/32 vs adaptive sampling, "
                + "through the real GenRM judge against a simulated endpoint with latent preferences and position bias.")
public final class JudgeCostCommand implements Callable<Integer> {

    @Option(names = "--pairs", defaultValue = "40000", description = "pairs per population (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--seed", defaultValue = "14", description = "population seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--concurrency", defaultValue = "64", description = "pairs judged at once (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--quick", description = "only fixed k=8 and the default adaptive plan (no maj@16/32 rows)")
    boolean quick;

    @Option(names = "--http", description = "reach the simulated endpoint over HTTP through the OpenAI SDK client "
            + "(default: its behaviour called in process, same judge code, about 20 times faster); use with --pairs 2000")
    boolean http;

    @Override
    public Integer call() throws Exception {
        JudgeCostBench.Result r = JudgeCostBench.run(new JudgeCostBench.Options(pairs, seed, concurrency, !quick, !http),
                System.out::println);
        for (JudgeCostBench.Population p : r.populations()) {
            System.out.printf(Locale.ROOT, "%nposition bias %.1f, %d pairs (threshold %.2f):%n", p.bias(), pairs, r.threshold());
            System.out.printf(Locale.ROOT, "  %-34s %9s %8s %10s %18s%n", "rule", "samples", "AI rate", "escalated",
                    "AI accuracy (95%)");
            for (JudgeCostBench.Row row : p.rows()) {
                System.out.printf(Locale.ROOT, "  %-34s %9.2f %8.4f %10.4f %8.4f [%.4f, %.4f]%n", row.rule(),
                        row.samplesPerPair(), row.aiRate(), 1 - row.aiRate(), row.aiAccuracy(), row.ciLow(), row.ciHigh());
            }
            System.out.printf(Locale.ROOT, "  adaptive vs fixed k=8: escalations %.1f%% fewer (target >= 40%%), accuracy %+.2f "
                            + "points (95%% CI %+.2f..%+.2f; target >= -0.2), samples %.2f vs 8: target %s%n",
                    100 * p.escalationReduction(), 100 * p.accuracyDelta(), 100 * p.deltaLow(), 100 * p.deltaHigh(),
                    p.adaptive().samplesPerPair(), p.targetMet() ? "met" : "NOT met");
        }
        System.out.printf(Locale.ROOT, "%d judgments in %.1f s%n", r.judgments(), r.seconds());
        System.out.println(r.json());
        return 0;
    }
}
