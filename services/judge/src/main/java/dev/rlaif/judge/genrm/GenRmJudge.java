package dev.rlaif.judge.genrm;

import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.judge.critique.Critic;
import dev.rlaif.judge.critique.CritiqueCache;
import dev.rlaif.judge.llm.ChatEndpoint;
import dev.rlaif.judge.llm.ChatRequest;
import dev.rlaif.judge.llm.ChatResult;
import dev.rlaif.judge.llm.Retryability;
import dev.rlaif.judge.llm.Sampler;
import dev.rlaif.judge.prompt.PromptTemplate;
import dev.rlaif.judge.service.JudgeResult;
import dev.rlaif.judge.service.PairJudge;
import dev.rlaif.judge.vote.SequentialTest;
import dev.rlaif.judge.vote.VerdictParser;
import dev.rlaif.judge.vote.VoteMath;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.Critique;
import dev.rlaif.schema.JudgeSample;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Order;
import dev.rlaif.schema.SamplingStop;
import dev.rlaif.schema.Verdict;
import dev.rlaif.schema.VoteCounts;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The GenRM judge: k samples of the versioned pairwise prompt, half with the responses in order AB and half in
 * BA, each ending in a verdict token; BA verdicts are mapped back so position bias cancels, and {@link VoteMath}
 * gives p(A), confidence and position consistency. Every sample's (bounded) reasoning, the token counts and the
 * latency go into the Judgment. With critiques on, both responses are critiqued (through the cache) in parallel
 * with the samples, and the Judgment links the critiques that exist. When the samples cannot be had after the
 * endpoint's bounded retries, the Judgment's verdict is UNAVAILABLE with the error; the router escalates it.
 */
public final class GenRmJudge implements PairJudge {

    /**
     * Settings of the procedure.
     *
     * @param adaptive the sequential plan (AB/BA rounds until {@link SequentialTest} stops), or null for fixed k
     */
    public record Settings(int samples, boolean allowTie, double temperature, int maxTokens, int maxReasoningChars,
                           boolean critiques, SequentialTest.Plan adaptive) {
        public Settings {
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be at least 1, was " + samples);
            }
        }

        /** Fixed k samples per pair. */
        public Settings(int samples, boolean allowTie, double temperature, int maxTokens, int maxReasoningChars,
                        boolean critiques) {
            this(samples, allowTie, temperature, maxTokens, maxReasoningChars, critiques, null);
        }
    }

    private final ChatEndpoint endpoint;
    private final Sampler sampler;
    private final PromptTemplate prompt;
    private final VerdictParser parser;
    private final Settings settings;
    private final Critic critic;
    private final Clock clock;
    private final MeterRegistry metrics;

    /** @param critic the critic, or null when critiques are off */
    public GenRmJudge(ChatEndpoint endpoint, Sampler sampler, PromptTemplate prompt, Settings settings, Critic critic,
                      Clock clock, MeterRegistry metrics) {
        this.endpoint = endpoint;
        this.sampler = sampler;
        this.prompt = prompt;
        this.parser = new VerdictParser(settings.allowTie());
        this.settings = settings;
        this.critic = settings.critiques() ? critic : null;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public String describe() {
        SequentialTest.Plan plan = settings.adaptive();
        String sampling = plan == null ? settings.samples() + " samples per pair"
                : "adaptive sampling (" + plan.minSamples() + ".." + plan.maxSamples() + " samples in AB/BA rounds)";
        return "GenRM LLM judge, model " + endpoint.model() + ", prompt " + prompt.version() + ", " + sampling
                + (critic == null ? ", no critiques" : ", with critiques");
    }

    @Override
    public CompletableFuture<JudgeResult> judge(ComparisonPair pair) {
        if (settings.adaptive() != null) {
            return judgeAdaptively(pair);
        }
        long start = System.nanoTime();
        int inOrder = (settings.samples() + 1) / 2;
        int swapped = settings.samples() - inOrder;
        List<ChatMessage> conversation = pair.getPrompt();
        CompletableFuture<ChatResult> ab = sampler.sample(request(conversation, pair.getA().getResponse(),
                pair.getB().getResponse(), inOrder));
        CompletableFuture<ChatResult> ba = swapped == 0 ? CompletableFuture.completedFuture(ChatResult.empty())
                : sampler.sample(request(conversation, pair.getB().getResponse(), pair.getA().getResponse(), swapped));
        CritiqueCache.Lookup ca = critic == null ? null : critic.critique(pair, pair.getA());
        CritiqueCache.Lookup cb = critic == null ? null : critic.critique(pair, pair.getB());
        CompletableFuture<?> critiquesDone = critic == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(ca.critique(), cb.critique());
        CompletableFuture<Judgment> judgment = ab.handle((r, e) -> new Half(r, e))
                .thenCombine(ba.handle((r, e) -> new Half(r, e)), (h1, h2) -> toJudgment(pair, h1, h2, start, inOrder, swapped));
        return judgment.thenCombine(critiquesDone, (j, ignored) -> result(withCritiques(j, ca, cb), ca, cb));
    }

    /**
     * Adaptive sampling: a first round of min/2 samples per order, then one sample per order per round, until the
     * {@link SequentialTest} settles the pair, finds it futile or the maximum is drawn. Every round has both orders.
     */
    private CompletableFuture<JudgeResult> judgeAdaptively(ComparisonPair pair) {
        long start = System.nanoTime();
        SequentialTest test = new SequentialTest(settings.adaptive());
        List<ChatMessage> conversation = pair.getPrompt();
        CritiqueCache.Lookup ca = critic == null ? null : critic.critique(pair, pair.getA());
        CritiqueCache.Lookup cb = critic == null ? null : critic.critique(pair, pair.getB());
        CompletableFuture<?> critiquesDone = critic == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(ca.critique(), cb.critique());
        CompletableFuture<Judgment> judgment = round(pair, conversation, test, new Half(ChatResult.empty(), null),
                new Half(ChatResult.empty(), null), settings.adaptive().minSamples() / 2, start);
        return judgment.thenCombine(critiquesDone, (j, ignored) -> result(withCritiques(j, ca, cb), ca, cb));
    }

    private CompletableFuture<Judgment> round(ComparisonPair pair, List<ChatMessage> conversation, SequentialTest test,
                                              Half ab, Half ba, int perOrder, long start) {
        CompletableFuture<ChatResult> nextAb = sampler.sample(request(conversation, pair.getA().getResponse(),
                pair.getB().getResponse(), perOrder));
        CompletableFuture<ChatResult> nextBa = sampler.sample(request(conversation, pair.getB().getResponse(),
                pair.getA().getResponse(), perOrder));
        return nextAb.handle((r, e) -> new Half(r, e)).thenCombine(nextBa.handle((r, e) -> new Half(r, e)),
                (h1, h2) -> new Half[] {join(ab, h1, perOrder), join(ba, h2, perOrder)}).thenCompose(halves -> {
            Half allAb = halves[0];
            Half allBa = halves[1];
            int drawnAb = allAb.result().texts().size();
            int drawnBa = allBa.result().texts().size();
            if (allAb.error() != null || allBa.error() != null) {
                return CompletableFuture.completedFuture(stopped(toJudgment(pair, allAb, allBa, start, drawnAb, drawnBa),
                        drawnAb + drawnBa, SamplingStop.UNAVAILABLE));
            }
            SequentialTest.Decision d = test.decide(votes(allAb, allBa));
            if (d == SequentialTest.Decision.CONTINUE) {
                return round(pair, conversation, test, allAb, allBa, 1, start);
            }
            SamplingStop why = switch (d) {
                case SETTLED -> SamplingStop.SETTLED;
                case FUTILE -> SamplingStop.FUTILE;
                default -> SamplingStop.MAX_SAMPLES;
            };
            return CompletableFuture.completedFuture(stopped(toJudgment(pair, allAb, allBa, start, drawnAb, drawnBa),
                    drawnAb + drawnBa, why));
        });
    }

    /**
     * The answers so far followed by a round's; the round's error, if any, is kept. A round that returned fewer
     * answers than asked is padded with empty ones (INVALID votes, as in fixed sampling), so every round counts.
     */
    private static Half join(Half sofar, Half next, int asked) {
        if (next.error() != null) {
            return new Half(sofar.result(), next.error());
        }
        ChatResult r = next.result();
        int missing = asked - r.texts().size();
        if (missing > 0) {
            List<String> empty = new ArrayList<>();
            List<Integer> zero = new ArrayList<>();
            for (int i = 0; i < missing; i++) {
                empty.add("");
                zero.add(0);
            }
            r = r.plus(new ChatResult(empty, 0, 0, zero));
        }
        return new Half(sofar.result().plus(r), null);
    }

    /** The mapped-back votes of all answers drawn so far (unparseable ones as INVALID). */
    private List<VoteMath.Vote> votes(Half ab, Half ba) {
        List<VoteMath.Vote> votes = new ArrayList<>();
        ChatResult inOrder = ab.result();
        for (int i = 0; i < inOrder.texts().size(); i++) {
            votes.add(new VoteMath.Vote(Order.AB, shown(inOrder, i)));
        }
        ChatResult swapped = ba.result();
        for (int i = 0; i < swapped.texts().size(); i++) {
            votes.add(new VoteMath.Vote(Order.BA, VerdictParser.mapBack(shown(swapped, i))));
        }
        return votes;
    }

    private Judgment stopped(Judgment j, int drawn, SamplingStop why) {
        metrics.counter("rlaif_judge_sampling_stops_total", "reason", why.name().toLowerCase()).increment();
        metrics.summary("rlaif_judge_samples_per_pair").record(drawn);
        j.setSamplesDrawn(drawn);
        j.setSamplingStop(why);
        return j;
    }

    /** The verdict answer {@code i} shows; a cut-off answer (finish_reason=length) is INVALID, never parsed. */
    private Verdict shown(ChatResult r, int i) {
        return r.cutOff(i) ? Verdict.INVALID : parser.parse(r.texts().get(i));
    }

    private record Half(ChatResult result, Throwable error) {
    }

    private ChatRequest request(List<ChatMessage> conversation, String first, String second, int n) {
        Map<String, String> slots = prompt.pairwiseSlots(conversation, first, second,
                PromptTemplate.tieClause(settings.allowTie()));
        return new ChatRequest(prompt.system(slots), prompt.user(slots), n, settings.temperature(), settings.maxTokens());
    }

    private Judgment toJudgment(ComparisonPair pair, Half ab, Half ba, long start, int wantAb, int wantBa) {
        List<JudgeSample> samples = new ArrayList<>();
        List<VoteMath.Vote> votes = new ArrayList<>();
        int promptTokens = 0;
        int completionTokens = 0;
        for (Half h : List.of(ab, ba)) {
            if (h.result() == null) {
                continue;
            }
            Order order = h == ab ? Order.AB : Order.BA;
            ChatResult r = h.result();
            promptTokens += r.promptTokens();
            completionTokens += r.completionTokens();
            int want = h == ab ? wantAb : wantBa;
            for (int i = 0; i < want; i++) {
                String text = i < r.texts().size() ? r.texts().get(i) : "";
                Verdict shown = i < r.texts().size() ? shown(r, i) : Verdict.INVALID;
                Verdict mapped = order == Order.AB ? shown : VerdictParser.mapBack(shown);
                votes.add(new VoteMath.Vote(order, mapped));
                samples.add(JudgeSample.newBuilder()
                        .setOrder(order)
                        .setVerdict(mapped)
                        .setReasoning(bound(text))
                        .setCompletionTokens(i < r.tokensPerText().size() ? r.tokensPerText().get(i) : 0)
                        .build());
            }
        }
        Throwable error = ab.error() != null ? ab.error() : ba.error();
        VoteMath.Tally tally = VoteMath.tally(votes);
        Judgment.Builder j = Judgment.newBuilder()
                .setPairId(pair.getPairId())
                .setPair(pair)
                .setJudgeType(JudgeType.LLM)
                .setJudgeModel(endpoint.model())
                .setPromptVersion(prompt.version())
                .setVotes(new VoteCounts(tally.a(), tally.b(), tally.tie(), tally.invalid()))
                .setSamples(samples)
                .setLatencyMs((System.nanoTime() - start) / 1_000_000)
                .setPromptTokens(promptTokens)
                .setCompletionTokens(completionTokens)
                .setCreatedAt(clock.instant());
        if (error != null) {
            Throwable cause = Retryability.unwrap(error);
            metrics.counter("rlaif_judge_unavailable_total").increment();
            return j.setSamplesDrawn(votes.size()).setSamplingStop(SamplingStop.UNAVAILABLE)
                    .setVerdict(Verdict.UNAVAILABLE).setPA(0.5).setConfidence(0.0).setPositionConsistent(false)
                    .setError("judge-unavailable: " + DeadLetters.describe(cause)).build();
        }
        metrics.counter("rlaif_judge_invalid_votes_total").increment(tally.invalid());
        return j.setSamplesDrawn(votes.size())
                .setVerdict(tally.verdict())
                .setPA(tally.pA())
                .setConfidence(tally.confidence())
                .setPositionConsistent(tally.positionConsistent())
                .setError(tally.verdict() == Verdict.INVALID ? "no parseable verdict in " + votes.size() + " samples" : null)
                .build();
    }

    private static Judgment withCritiques(Judgment j, CritiqueCache.Lookup a, CritiqueCache.Lookup b) {
        if (a == null) {
            return j;
        }
        List<String> ids = new ArrayList<>();
        for (CritiqueCache.Lookup l : List.of(a, b)) {
            l.critique().join().map(Critique::getCritiqueId).filter(id -> !ids.contains(id)).ifPresent(ids::add);
        }
        j.setCritiqueIds(ids);
        return j;
    }

    /** The result with the critiques that this call produced first (the cache's other hits were written before). */
    private JudgeResult result(Judgment j, CritiqueCache.Lookup a, CritiqueCache.Lookup b) {
        List<Critique> fresh = new ArrayList<>();
        if (a != null) {
            for (CritiqueCache.Lookup l : List.of(a, b)) {
                if (l.fresh()) {
                    l.critique().join().ifPresent(fresh::add);
                }
            }
        }
        return new JudgeResult(j, fresh);
    }

    private String bound(String text) {
        int max = settings.maxReasoningChars();
        return text.length() <= max ? text : text.substring(0, max) + " [truncated]";
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
