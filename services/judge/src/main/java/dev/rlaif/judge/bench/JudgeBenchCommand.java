package dev.rlaif.judge.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code ./rlaif bench judge}: the judge's throughput against a simulated OpenAI-compatible endpoint, as the ratio of
 * achieved requests per second to the endpoint's capacity. Last stdout line: JSON with {@code judge_efficiency}.
 */
@Command(name = "judge", mixinStandardHelpOptions = true,
        description = "Judge throughput against a simulated OpenAI-compatible endpoint (fixed latency, concurrency cap); "
                + "prints achieved/capacity as judge_efficiency.")
public final class JudgeBenchCommand implements Callable<Integer> {

    @Option(names = "--pairs", defaultValue = "300", description = "pairs to judge (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--samples", defaultValue = "8", description = "samples per pair (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--latency-ms", defaultValue = "200", description = "endpoint latency per request (default: ${DEFAULT-VALUE})")
    long latencyMs;

    @Option(names = "--concurrency", defaultValue = "16", description = "endpoint concurrency cap (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--max-in-flight", defaultValue = "32",
            description = "judge's requests in flight, RLAIF_JUDGE_MAX_IN_FLIGHT (default: ${DEFAULT-VALUE})")
    int maxInFlight;

    @Option(names = "--server-n", defaultValue = "honour",
            description = "how the endpoint treats n>1: honour (vLLM), ignore (Ollama), reject (default: ${DEFAULT-VALUE})")
    String serverN;

    @Option(names = "--critiques", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "also critique both responses (default: ${DEFAULT-VALUE})")
    boolean critiques;

    @Override
    public Integer call() throws Exception {
        JudgeBench.Options o = new JudgeBench.Options(pairs, samples, latencyMs, concurrency, maxInFlight,
                SimulatedOpenAiEndpoint.NMode.valueOf(serverN.toUpperCase()), critiques);
        JudgeBench.Result r = JudgeBench.run(o, System.out::println);
        System.out.printf(java.util.Locale.ROOT, "achieved %.1f requests/s (%.1f completions/s) of a capacity of %.1f "
                        + "requests/s over %.2f s: efficiency %.3f%n", r.requestsPerSecond(), r.completionsPerSecond(),
                r.capacityPerSecond(), r.seconds(), r.efficiency());
        System.out.println(r.json());
        return r.judgments() >= pairs ? 0 : 1;
    }
}
