package dev.rlaif.judge.critique;

import dev.rlaif.common.pair.PairIds;
import dev.rlaif.judge.llm.ChatRequest;
import dev.rlaif.judge.llm.Retryability;
import dev.rlaif.judge.llm.Sampler;
import dev.rlaif.judge.prompt.PromptTemplate;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.Critique;
import dev.rlaif.schema.PairedResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Writes one critique per response (the synthetic-critiques procedure): instruction following, correctness and
 * style, each scored 1-10 with a short text, from the versioned critique prompt. Results go through the
 * {@link CritiqueCache}, so a response is critiqued once per judge model whatever the number of pairs it is in.
 * The judge service writes fresh critiques to the {@code critiques} topic, keyed by generation id.
 */
public final class Critic {

    private static final Logger log = LoggerFactory.getLogger(Critic.class);

    private final Sampler sampler;
    private final String model;
    private final PromptTemplate prompt;
    private final CritiqueCache cache;
    private final double temperature;
    private final int maxTokens;
    private final Clock clock;
    private final Counter invalid;
    private final Counter failed;

    public Critic(Sampler sampler, String model, PromptTemplate prompt, CritiqueCache cache, double temperature,
                  int maxTokens, Clock clock, MeterRegistry metrics) {
        this.sampler = sampler;
        this.model = model;
        this.prompt = prompt;
        this.cache = cache;
        this.temperature = temperature;
        this.maxTokens = maxTokens;
        this.clock = clock;
        this.invalid = metrics.counter("rlaif_judge_critiques_invalid_total");
        this.failed = metrics.counter("rlaif_judge_critiques_failed_total");
    }

    /** The id of the critique of {@code response} to {@code prompt} by this model and prompt version. */
    public String critiqueId(List<ChatMessage> promptMessages, String response) {
        return "c-" + PairIds.hash(model + "\u0000" + prompt.version() + "\u0000"
                + PromptTemplate.transcript(promptMessages) + "\u0000" + response, 24);
    }

    /** The critique of one side of the pair: cached, or requested now. Never fails; empty when none could be had. */
    public CritiqueCache.Lookup critique(ComparisonPair pair, PairedResponse side) {
        String id = critiqueId(pair.getPrompt(), side.getResponse());
        return cache.lookup(id, () -> request(id, pair, side));
    }

    private CompletableFuture<Optional<Critique>> request(String id, ComparisonPair pair, PairedResponse side) {
        // inserted texts neutralised (frame-like lines escaped, verdict tokens spaced out), as in the pairwise prompt
        Map<String, String> slots = Map.of("conversation", dev.rlaif.judge.prompt.Fence.transcript(pair.getPrompt(), null),
                "response", dev.rlaif.judge.prompt.Fence.neutralise(side.getResponse()));
        ChatRequest req = new ChatRequest(prompt.system(slots), prompt.user(slots), 1, temperature, maxTokens);
        return sampler.sample(req).handle((result, error) -> {
            if (error != null) {
                failed.increment();
                if (Retryability.unwrap(error) instanceof java.util.concurrent.RejectedExecutionException) {
                    log.debug("critique of generation {} abandoned: the judge is stopping", side.getGenerationId());
                    return Optional.<Critique>empty();
                }
                log.warn("no critique of generation {} (pair {}): {}", side.getGenerationId(), pair.getPairId(),
                        error.toString());
                return Optional.<Critique>empty();
            }
            Optional<CritiqueParser.Parsed> parsed = result.texts().isEmpty() ? Optional.empty()
                    : CritiqueParser.parse(result.texts().get(0));
            if (parsed.isEmpty()) {
                invalid.increment();
                log.warn("unparseable critique of generation {} (pair {})", side.getGenerationId(), pair.getPairId());
                return Optional.<Critique>empty();
            }
            CritiqueParser.Parsed p = parsed.get();
            return Optional.of(Critique.newBuilder()
                    .setCritiqueId(id)
                    .setGenerationId(side.getGenerationId())
                    .setPromptId(pair.getPromptId())
                    .setJudgeModel(model)
                    .setPromptVersion(prompt.version())
                    .setInstructionFollowing(p.instructionFollowing())
                    .setCorrectness(p.correctness())
                    .setStyle(p.style())
                    .setSummary(p.summary())
                    .setCreatedAt(clock.instant())
                    .build());
        });
    }

    public CritiqueCache cache() {
        return cache;
    }
}
