package dev.rlaif.judge;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.judge.prompt.PromptTemplate;
import dev.rlaif.judge.vote.SequentialTest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The judge's configuration, from {@code RLAIF_JUDGE_*} variables (see docs/judge.md for the table). Without
 * {@code RLAIF_JUDGE_LLM_URL} the judge uses the reward-model backend. The API key is read from
 * {@code RLAIF_JUDGE_API_KEY}, or from the variable named by {@code RLAIF_JUDGE_API_KEY_ENV}; it is never logged.
 */
public record JudgeConfig(
        String llmUrl,
        String llmModel,
        String apiKey,
        Duration timeout,
        int samples,
        boolean allowTie,
        double temperature,
        int maxTokens,
        int maxReasoningChars,
        boolean tryN,
        int maxInFlight,
        int maxPendingPairs,
        int retryAttempts,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        int breakerFailureRate,
        int breakerWindow,
        Duration breakerOpenFor,
        boolean critiques,
        int critiqueCacheSize,
        boolean critiqueCacheWarm,
        String promptVersion,
        String critiquePromptVersion,
        String groupId,
        Duration shutdownGrace,
        Path modelsDir,
        boolean adaptive,
        int minSamples,
        int maxSamples,
        double adaptiveThreshold,
        double spendingRho,
        double futility,
        double earlyBoundary,
        double consistencyFutility) {

    /** The router's default confidence threshold (RLAIF_ROUTER_CONFIDENCE_THRESHOLD), which the sequential test aims at. */
    public static final double ROUTER_DEFAULT_THRESHOLD = 0.8;

    public JudgeConfig {
        require(samples >= 1 && samples <= 64, "RLAIF_JUDGE_SAMPLES must be in 1..64, was " + samples);
        require(maxInFlight >= 1, "RLAIF_JUDGE_MAX_IN_FLIGHT must be at least 1, was " + maxInFlight);
        require(maxPendingPairs >= 1, "RLAIF_JUDGE_MAX_PENDING_PAIRS must be at least 1, was " + maxPendingPairs);
        require(retryAttempts >= 1 && retryAttempts <= 20, "RLAIF_JUDGE_RETRY_ATTEMPTS must be in 1..20, was " + retryAttempts);
        require(temperature >= 0 && temperature <= 2, "RLAIF_JUDGE_TEMPERATURE must be in [0, 2], was " + temperature);
        require(maxTokens >= 16, "RLAIF_JUDGE_MAX_TOKENS must be at least 16, was " + maxTokens);
        require(breakerFailureRate >= 1 && breakerFailureRate <= 100,
                "RLAIF_JUDGE_BREAKER_FAILURE_RATE must be in 1..100, was " + breakerFailureRate);
        require(breakerWindow >= 1, "RLAIF_JUDGE_BREAKER_WINDOW must be at least 1, was " + breakerWindow);
        require(llmUrl == null || llmUrl.startsWith("http://") || llmUrl.startsWith("https://"),
                "RLAIF_JUDGE_LLM_URL must be an http(s) URL, was '" + llmUrl + "'");
        require(llmUrl == null || (llmModel != null && !llmModel.isBlank()),
                "RLAIF_JUDGE_LLM_MODEL must be set when RLAIF_JUDGE_LLM_URL is");
        require(minSamples >= 2 && minSamples % 2 == 0 && minSamples <= 64,
                "RLAIF_JUDGE_MIN_SAMPLES must be even and in 2..64, was " + minSamples);
        require(maxSamples >= minSamples && maxSamples % 2 == 0 && maxSamples <= 128,
                "RLAIF_JUDGE_MAX_SAMPLES must be even, at least RLAIF_JUDGE_MIN_SAMPLES (" + minSamples
                        + ") and at most 128, was " + maxSamples);
        require(adaptiveThreshold > 0 && adaptiveThreshold < 1,
                "RLAIF_JUDGE_ADAPTIVE_THRESHOLD must be in (0, 1), was " + adaptiveThreshold);
        require(spendingRho >= 0 && spendingRho <= 10, "RLAIF_JUDGE_ADAPTIVE_RHO must be in [0, 10], was " + spendingRho);
        require(futility >= 0 && futility < 1, "RLAIF_JUDGE_ADAPTIVE_FUTILITY must be in [0, 1), was " + futility);
        require(earlyBoundary >= 0 && earlyBoundary < 1,
                "RLAIF_JUDGE_ADAPTIVE_EARLY_BOUNDARY must be in [0, 1), was " + earlyBoundary);
        require(consistencyFutility >= 0 && consistencyFutility < 1,
                "RLAIF_JUDGE_ADAPTIVE_CONSISTENCY_FUTILITY must be in [0, 1), was " + consistencyFutility);
        PromptTemplate.load(promptVersion);
        PromptTemplate.load(critiquePromptVersion);
    }

    public static JudgeConfig fromEnv(Env env, KafkaSettings kafka) {
        int maxInFlight = env.integer("RLAIF_JUDGE_MAX_IN_FLIGHT", 32);
        String keyEnv = env.string("RLAIF_JUDGE_API_KEY_ENV", "OPENAI_API_KEY");
        String apiKey = env.get("RLAIF_JUDGE_API_KEY").orElseGet(() -> env.get(keyEnv).orElse(null));
        return new JudgeConfig(
                env.get("RLAIF_JUDGE_LLM_URL").map(JudgeConfig::normalizeUrl).orElse(null),
                env.get("RLAIF_JUDGE_LLM_MODEL").orElse(null),
                apiKey,
                env.duration("RLAIF_JUDGE_TIMEOUT", Duration.ofSeconds(60)),
                env.integer("RLAIF_JUDGE_SAMPLES", 8),
                env.bool("RLAIF_JUDGE_ALLOW_TIE", true),
                env.decimal("RLAIF_JUDGE_TEMPERATURE", 0.7),
                env.integer("RLAIF_JUDGE_MAX_TOKENS", 1024),
                env.integer("RLAIF_JUDGE_MAX_REASONING_CHARS", 4000),
                env.bool("RLAIF_JUDGE_USE_N", true),
                maxInFlight,
                env.integer("RLAIF_JUDGE_MAX_PENDING_PAIRS", Math.max(4, maxInFlight)),
                env.integer("RLAIF_JUDGE_RETRY_ATTEMPTS", 4),
                env.duration("RLAIF_JUDGE_RETRY_INITIAL_BACKOFF", Duration.ofMillis(500)),
                env.duration("RLAIF_JUDGE_RETRY_MAX_BACKOFF", Duration.ofSeconds(10)),
                env.integer("RLAIF_JUDGE_BREAKER_FAILURE_RATE", 50),
                env.integer("RLAIF_JUDGE_BREAKER_WINDOW", 20),
                env.duration("RLAIF_JUDGE_BREAKER_OPEN_FOR", Duration.ofSeconds(30)),
                env.bool("RLAIF_JUDGE_CRITIQUES", true),
                env.integer("RLAIF_JUDGE_CRITIQUE_CACHE_SIZE", 100_000),
                env.bool("RLAIF_JUDGE_CRITIQUE_CACHE_WARM", true),
                env.string("RLAIF_JUDGE_PROMPT_VERSION", PromptTemplate.PAIRWISE_V2),
                env.string("RLAIF_JUDGE_CRITIQUE_PROMPT_VERSION", PromptTemplate.CRITIQUE_V1),
                env.string("RLAIF_JUDGE_GROUP_ID", "rlaif-judge"),
                env.duration("RLAIF_JUDGE_SHUTDOWN_GRACE", Duration.ofSeconds(10)),
                env.path("RLAIF_MODELS_DIR", kafka.stateDir().resolve("models")),
                env.bool("RLAIF_JUDGE_ADAPTIVE", false),
                env.integer("RLAIF_JUDGE_MIN_SAMPLES", DEFAULT_MIN_SAMPLES),
                env.integer("RLAIF_JUDGE_MAX_SAMPLES", DEFAULT_MAX_SAMPLES),
                env.decimal("RLAIF_JUDGE_ADAPTIVE_THRESHOLD", ROUTER_DEFAULT_THRESHOLD),
                env.decimal("RLAIF_JUDGE_ADAPTIVE_RHO", DEFAULT_RHO),
                env.decimal("RLAIF_JUDGE_ADAPTIVE_FUTILITY", DEFAULT_FUTILITY),
                env.decimal("RLAIF_JUDGE_ADAPTIVE_EARLY_BOUNDARY", DEFAULT_EARLY_BOUNDARY),
                env.decimal("RLAIF_JUDGE_ADAPTIVE_CONSISTENCY_FUTILITY", DEFAULT_CONSISTENCY_FUTILITY));
    }

    /** Defaults of the sequential plan, chosen with {@code ./rlaif bench judge-cost} (docs/judge.md). */
    public static final int DEFAULT_MIN_SAMPLES = 4;
    public static final int DEFAULT_MAX_SAMPLES = 20;
    public static final double DEFAULT_RHO = 0.0;
    public static final double DEFAULT_FUTILITY = 0.4;
    public static final double DEFAULT_EARLY_BOUNDARY = 0.93;
    public static final double DEFAULT_CONSISTENCY_FUTILITY = 0.05;

    /** The sequential plan when adaptive sampling is on, else null (fixed RLAIF_JUDGE_SAMPLES). */
    public SequentialTest.Plan samplingPlan() {
        return adaptive ? new SequentialTest.Plan(minSamples, maxSamples, adaptiveThreshold, spendingRho, futility,
                earlyBoundary, consistencyFutility) : null;
    }

    /** Whether an LLM endpoint is configured (else the reward-model backend judges). */
    public boolean llm() {
        return llmUrl != null;
    }

    /** Accepts a server root ({@code http://host:8000}) as well as its API prefix ({@code .../v1}). */
    static String normalizeUrl(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return u.matches("https?://[^/]+") ? u + "/v1" : u;
    }

    /** The settings for the start-up log, the key redacted. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("RLAIF_JUDGE_LLM_URL", llmUrl == null ? "(none: reward-model backend)" : llmUrl);
        m.put("RLAIF_JUDGE_LLM_MODEL", llmModel);
        m.put("RLAIF_JUDGE_API_KEY", apiKey == null ? "(none)" : Env.redact("RLAIF_JUDGE_API_KEY", apiKey));
        m.put("RLAIF_JUDGE_TIMEOUT", timeout);
        m.put("RLAIF_JUDGE_SAMPLES", samples);
        m.put("RLAIF_JUDGE_ADAPTIVE", adaptive);
        if (adaptive) {
            m.put("RLAIF_JUDGE_MIN_SAMPLES", minSamples);
            m.put("RLAIF_JUDGE_MAX_SAMPLES", maxSamples);
            m.put("RLAIF_JUDGE_ADAPTIVE_THRESHOLD", adaptiveThreshold);
            m.put("RLAIF_JUDGE_ADAPTIVE_RHO", spendingRho);
            m.put("RLAIF_JUDGE_ADAPTIVE_FUTILITY", futility);
            m.put("RLAIF_JUDGE_ADAPTIVE_EARLY_BOUNDARY", earlyBoundary);
            m.put("RLAIF_JUDGE_ADAPTIVE_CONSISTENCY_FUTILITY", consistencyFutility);
        }
        m.put("RLAIF_JUDGE_ALLOW_TIE", allowTie);
        m.put("RLAIF_JUDGE_TEMPERATURE", temperature);
        m.put("RLAIF_JUDGE_MAX_TOKENS", maxTokens);
        m.put("RLAIF_JUDGE_USE_N", tryN);
        m.put("RLAIF_JUDGE_MAX_IN_FLIGHT", maxInFlight);
        m.put("RLAIF_JUDGE_MAX_PENDING_PAIRS", maxPendingPairs);
        m.put("RLAIF_JUDGE_RETRY_ATTEMPTS", retryAttempts);
        m.put("RLAIF_JUDGE_RETRY_INITIAL_BACKOFF", retryInitialBackoff);
        m.put("RLAIF_JUDGE_RETRY_MAX_BACKOFF", retryMaxBackoff);
        m.put("RLAIF_JUDGE_BREAKER_FAILURE_RATE", breakerFailureRate);
        m.put("RLAIF_JUDGE_BREAKER_WINDOW", breakerWindow);
        m.put("RLAIF_JUDGE_BREAKER_OPEN_FOR", breakerOpenFor);
        m.put("RLAIF_JUDGE_CRITIQUES", critiques);
        m.put("RLAIF_JUDGE_CRITIQUE_CACHE_SIZE", critiqueCacheSize);
        m.put("RLAIF_JUDGE_PROMPT_VERSION", promptVersion);
        m.put("RLAIF_JUDGE_CRITIQUE_PROMPT_VERSION", critiquePromptVersion);
        m.put("RLAIF_JUDGE_GROUP_ID", groupId);
        m.put("RLAIF_MODELS_DIR", modelsDir.toAbsolutePath());
        return m;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
