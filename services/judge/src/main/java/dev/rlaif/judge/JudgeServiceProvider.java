package dev.rlaif.judge;

import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.judge.critique.Critic;
import dev.rlaif.judge.critique.CritiqueCache;
import dev.rlaif.judge.genrm.GenRmJudge;
import dev.rlaif.judge.llm.ChatEndpoint;
import dev.rlaif.judge.llm.OpenAiEndpoint;
import dev.rlaif.judge.llm.ResilientEndpoint;
import dev.rlaif.judge.llm.Sampler;
import dev.rlaif.judge.prompt.PromptTemplate;
import dev.rlaif.judge.rm.RewardModelJudge;
import dev.rlaif.judge.service.JudgeService;
import dev.rlaif.judge.service.PairJudge;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.versions.ModelReloader;
import dev.rlaif.rm.versions.ModelVersionsListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Makes the judge service from the environment: the GenRM LLM judge when {@code RLAIF_JUDGE_LLM_URL} is set, the
 * reward-model judge otherwise. Reads {@code pairs}; writes {@code judgments} and {@code critiques}.
 */
public final class JudgeServiceProvider implements ServiceProvider {

    private static final Logger log = LoggerFactory.getLogger(JudgeServiceProvider.class);

    @Override
    public String name() {
        return "judge";
    }

    @Override
    public String description() {
        return "GenRM LLM judge (k samples, both orders, critiques) or reward-model fallback: pairs -> judgments, critiques";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public RlaifService create(ServiceContext context) {
        JudgeConfig config = JudgeConfig.fromEnv(context.env(), context.kafka());
        log.info("judge configuration: {}", config.describe());
        Clock clock = Clock.systemUTC();
        if (config.llm()) {
            ChatEndpoint endpoint = resilient(new OpenAiEndpoint(config.llmUrl(), config.llmModel(), config.apiKey(),
                    config.timeout()), config);
            GenRmParts parts = genRm(endpoint, config, clock, context.metrics());
            Runnable warm = config.critiques() && config.critiqueCacheWarm()
                    ? () -> preloadCritiques(context, parts.cache()) : () -> { };
            return new JudgeService(context.kafka(), parts.judge(), config.groupId(), config.maxPendingPairs(),
                    config.shutdownGrace(), warm, context.metrics(), clock, e -> context.fatal("judge", e));
        }
        log.info("no RLAIF_JUDGE_LLM_URL set: judging with the reward model from {}, switched on model-versions events "
                + "(ABSTAIN until one is published); "
                + "no critiques are written in this mode", config.modelsDir().toAbsolutePath());
        ModelStore store = ModelStore.open(config.modelsDir());
        ModelReloader reloader = ModelReloader.of(store);
        ModelVersionsListener versions = new ModelVersionsListener(context.kafka(), reloader,
                ModelVersionsListener.recheckInterval(context.env()), config.groupId());
        versions.start();
        PairJudge judge = new RewardModelJudge(reloader, clock, () -> {
            versions.close();
            store.close();
        });
        return new JudgeService(context.kafka(), judge, config.groupId(), config.maxPendingPairs(),
                config.shutdownGrace(), () -> { }, context.metrics(), clock, e -> context.fatal("judge", e));
    }

    /** The resilience policy of the configuration around an endpoint. */
    public static ResilientEndpoint resilient(ChatEndpoint endpoint, JudgeConfig c) {
        return new ResilientEndpoint(endpoint, new ResilientEndpoint.Policy(c.maxInFlight(), c.retryAttempts(),
                c.retryInitialBackoff(), c.retryMaxBackoff(), c.breakerFailureRate(), c.breakerWindow(),
                c.breakerOpenFor()));
    }

    /** The GenRM judge and its critique cache. */
    public record GenRmParts(GenRmJudge judge, CritiqueCache cache) {
    }

    /** Builds the GenRM judge of the configuration on an (already resilient) endpoint. */
    public static GenRmParts genRm(ChatEndpoint endpoint, JudgeConfig c, Clock clock, MeterRegistry metrics) {
        Sampler sampler = new Sampler(endpoint, c.tryN());
        CritiqueCache cache = new CritiqueCache(c.critiqueCacheSize());
        Critic critic = new Critic(sampler, endpoint.model(), PromptTemplate.load(c.critiquePromptVersion()), cache,
                0.0, c.maxTokens(), clock, metrics);
        GenRmJudge judge = new GenRmJudge(endpoint, sampler, PromptTemplate.load(c.promptVersion()),
                new GenRmJudge.Settings(c.samples(), c.allowTie(), c.temperature(), c.maxTokens(),
                        c.maxReasoningChars(), c.critiques(), c.samplingPlan()), critic, clock, metrics);
        return new GenRmParts(judge, cache);
    }

    /** Fills the critique cache from the compacted critiques topic, so a restart critiques nothing twice. */
    static void preloadCritiques(ServiceContext context, CritiqueCache cache) {
        long start = System.nanoTime();
        var records = TopicReader.readAll(context.kafka(), Topics.CRITIQUES);
        records.forEach(r -> {
            if (r.value() != null) {
                cache.preload(r.value());
            }
        });
        log.info("critique cache: {} critiques loaded from {} in {} ms", cache.size(), Topics.CRITIQUES.name(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
