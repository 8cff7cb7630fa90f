package dev.rlaif.labeling.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.sim.GoldOracle;
import dev.rlaif.labeling.auth.Account;
import dev.rlaif.labeling.auth.Accounts;
import dev.rlaif.labeling.auth.Role;
import dev.rlaif.labeling.queue.LabelQueue;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.EscalationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * SIMULATION ONLY (demo and benchmarks): simulated annotators that work through the labeling service's real HTTP API
 * (next task, submit), answering from the demo's {@link GoldOracle}. Started only when {@code RLAIF_SIM_ANNOTATORS > 0}
 * and the oracle is present; their labels carry source SIMULATED and ids {@code sim-annotator-N}.
 *
 * <p>{@code threads} workers share {@code ids} distinct annotator ids (at least the largest overlap a task may
 * want), so every task can collect its {@code labels_wanted} labels from distinct simulated annotators. A task
 * without a gold label is skipped by every simulated annotator and stays for real people. With
 * {@code errorRate > 0} a deterministic share of answers (hash of annotator and pair) deliberately disagrees with
 * gold, so agreement statistics have something to measure.
 */
public final class SimulatedAnnotators implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SimulatedAnnotators.class);
    public static final String ID_PREFIX = "sim-annotator-";

    private final List<Thread> workers = new ArrayList<>();
    private final LabelQueue queue;
    private final GoldOracle oracle;
    private final double errorRate;
    private volatile boolean running = true;

    public SimulatedAnnotators(String baseUrl, Accounts accounts, LabelQueue queue, GoldOracle oracle, int threads,
                               int ids, double errorRate) {
        this.queue = queue;
        this.oracle = oracle;
        this.errorRate = errorRate;
        HttpClient http = AnnotatorClient.newHttpClient();
        SecureRandom random = new SecureRandom();
        List<List<Sim>> perThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            perThread.add(new ArrayList<>());
        }
        for (int i = 1; i <= Math.max(ids, threads); i++) {
            byte[] secret = new byte[24];
            random.nextBytes(secret);
            String token = "sim-" + HexFormat.of().formatHex(secret);
            String id = ID_PREFIX + i;
            accounts.register(new Account(id, token, Role.ANNOTATOR, true));
            perThread.get((i - 1) % threads).add(new Sim(id, new AnnotatorClient(http, baseUrl, token)));
        }
        for (int t = 0; t < threads; t++) {
            List<Sim> mine = perThread.get(t);
            Thread th = new Thread(() -> work(mine), "sim-annotators-" + (t + 1));
            th.setDaemon(true);
            workers.add(th);
        }
    }

    private record Sim(String id, AnnotatorClient client) {
    }

    public void start() {
        workers.forEach(Thread::start);
        log.info("SIMULATION: {} simulated annotator threads labeling from the gold oracle (error rate {})",
                workers.size(), errorRate);
    }

    private void work(List<Sim> sims) {
        while (running) {
            boolean didSomething = false;
            for (Sim sim : sims) {
                try {
                    didSomething |= labelOne(sim);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    if (running) {
                        log.warn("simulated annotator {}: {}", sim.id(), e.toString());
                    }
                }
            }
            if (!didSomething) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Takes one task, labels it from gold (or skips it without gold); false when none was available. */
    private boolean labelOne(Sim sim) throws Exception {
        Optional<JsonNode> task = sim.client().next();
        if (task.isEmpty()) {
            return false;
        }
        JsonNode t = task.get();
        String leaseId = t.get("lease_id").asText();
        Optional<EscalationRequest> req = queue.request(t.get("escalation_id").asText());
        Optional<Choice> gold = req.flatMap(r -> oracle.gold(r.getPair()))
                .or(() -> queue.goldAnswer(t.get("escalation_id").asText()));
        if (gold.isEmpty()) {
            sim.client().skip(leaseId);
            return true;
        }
        ComparisonPair pair = req.get().getPair();
        Choice choice = gold.get();
        if (errorRate > 0 && PairIds.unitHash(sim.id() + "|" + pair.getPairId()) < errorRate) {
            choice = choice == Choice.A ? Choice.B : choice == Choice.B ? Choice.A : Choice.A;
        }
        String shown = shownChoice(choice, pair, t.get("responses").get("A").get("generation_id").asText());
        AnnotatorClient.Reply r = sim.client().submit(leaseId, UUID.randomUUID().toString(), shown, null, 0);
        if (r.status() != 200) {
            log.warn("simulated annotator {}: submit answered {} {}", sim.id(), r.status(), r.body());
        }
        return true;
    }

    /** The pair-terms choice in the shown order, given which generation is shown as A (left). */
    static String shownChoice(Choice pairChoice, ComparisonPair pair, String leftGenerationId) {
        if (pairChoice == Choice.TIE) {
            return "TIE";
        }
        boolean aLeft = pair.getA().getGenerationId().equals(leftGenerationId);
        return (pairChoice == Choice.A) == aLeft ? "A" : "B";
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : workers) {
            t.interrupt();
        }
        for (Thread t : workers) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
