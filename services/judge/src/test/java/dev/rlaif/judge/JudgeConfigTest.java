package dev.rlaif.judge;

import dev.rlaif.common.config.Env;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JudgeConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsToTheRewardModelBackend() {
        JudgeConfig c = JudgeConfig.fromEnv(new Env(Map.of()), Fixtures.kafka(dir));
        assertThat(c.llm()).isFalse();
        assertThat(c.samples()).isEqualTo(8);
        assertThat(c.maxInFlight()).isEqualTo(32);
        assertThat(c.modelsDir()).isEqualTo(dir.resolve("models"));
        assertThat(c.promptVersion()).isEqualTo("pairwise-v2");
    }

    @Test
    void readsTheLlmSettingsAndNeverShowsTheKey() {
        JudgeConfig c = JudgeConfig.fromEnv(new Env(Map.of(
                "RLAIF_JUDGE_LLM_URL", "http://gpu-box:8000",
                "RLAIF_JUDGE_LLM_MODEL", "Qwen/Qwen2.5-7B-Instruct",
                "RLAIF_JUDGE_API_KEY_ENV", "MY_KEY",
                "MY_KEY", "sk-secret",
                "RLAIF_JUDGE_TIMEOUT", "30s",
                "RLAIF_MODELS_DIR", "/srv/models")), Fixtures.kafka(dir));
        assertThat(c.llmUrl()).isEqualTo("http://gpu-box:8000/v1");
        assertThat(c.apiKey()).isEqualTo("sk-secret");
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.modelsDir()).isEqualTo(Path.of("/srv/models"));
        assertThat(c.describe().toString()).doesNotContain("sk-secret").contains("******");
    }

    @Test
    void rejectsBadValuesNamingTheVariable() {
        assertThatThrownBy(() -> JudgeConfig.fromEnv(new Env(Map.of("RLAIF_JUDGE_LLM_URL", "http://x:1")),
                Fixtures.kafka(dir))).hasMessageContaining("RLAIF_JUDGE_LLM_MODEL");
        assertThatThrownBy(() -> JudgeConfig.fromEnv(new Env(Map.of("RLAIF_JUDGE_SAMPLES", "0")),
                Fixtures.kafka(dir))).hasMessageContaining("RLAIF_JUDGE_SAMPLES");
        assertThatThrownBy(() -> JudgeConfig.fromEnv(new Env(Map.of("RLAIF_JUDGE_LLM_URL", "gpu-box:8000",
                "RLAIF_JUDGE_LLM_MODEL", "m")), Fixtures.kafka(dir))).hasMessageContaining("RLAIF_JUDGE_LLM_URL");
        assertThatThrownBy(() -> JudgeConfig.fromEnv(new Env(Map.of("RLAIF_JUDGE_PROMPT_VERSION", "pairwise-v9")),
                Fixtures.kafka(dir))).hasMessageContaining("pairwise-v9");
        assertThatThrownBy(() -> JudgeConfig.fromEnv(new Env(Map.of("RLAIF_JUDGE_TIMEOUT", "soon")),
                Fixtures.kafka(dir))).hasMessageContaining("RLAIF_JUDGE_TIMEOUT");
    }

    @Test
    void adaptiveSamplingIsOffByDefaultAndValidatedWhenOn() {
        assertThat(JudgeConfig.fromEnv(new Env(Map.of()), Fixtures.kafka(dir)).samplingPlan()).isNull();
        JudgeConfig c = JudgeConfig.fromEnv(new Env(Map.of("RLAIF_JUDGE_ADAPTIVE", "true",
                "RLAIF_JUDGE_MAX_SAMPLES", "32")), Fixtures.kafka(dir));
        assertThat(c.samplingPlan().minSamples()).isEqualTo(4);
        assertThat(c.samplingPlan().maxSamples()).isEqualTo(32);
        assertThat(c.samplingPlan().threshold()).isEqualTo(0.8);
        assertThat(c.describe()).containsEntry("RLAIF_JUDGE_MAX_SAMPLES", 32);
        assertThatThrownBy(() -> JudgeConfig.fromEnv(new Env(Map.of("RLAIF_JUDGE_MIN_SAMPLES", "5")),
                Fixtures.kafka(dir))).hasMessageContaining("RLAIF_JUDGE_MIN_SAMPLES");
        assertThatThrownBy(() -> JudgeConfig.fromEnv(new Env(Map.of("RLAIF_JUDGE_MAX_SAMPLES", "2")),
                Fixtures.kafka(dir))).hasMessageContaining("RLAIF_JUDGE_MAX_SAMPLES");
        assertThatThrownBy(() -> JudgeConfig.fromEnv(new Env(Map.of("RLAIF_JUDGE_ADAPTIVE_FUTILITY", "1")),
                Fixtures.kafka(dir))).hasMessageContaining("RLAIF_JUDGE_ADAPTIVE_FUTILITY");
    }
}
