package dev.rlaif.merger;

import dev.rlaif.common.config.Env;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MergerConfigTest {

    @Test
    void defaultsAndOverrides() {
        MergerConfig d = MergerConfig.defaults();
        assertThat(d.applicationId()).isEqualTo("rlaif-merger");
        assertThat(d.emitOnFirstLabel()).isFalse();
        assertThat(d.defaultLabelsWanted()).isEqualTo(1);
        MergerConfig c = MergerConfig.fromEnv(new Env(Map.of("RLAIF_MERGER_EMIT_ON_FIRST_LABEL", "yes",
                "RLAIF_MERGER_DEFAULT_LABELS_WANTED", "2", "RLAIF_MERGER_APP_ID", "m2")));
        assertThat(c).isEqualTo(new MergerConfig("m2", true, 2));
    }

    @Test
    void rejectsBadValuesNamingTheVariable() {
        assertThatThrownBy(() -> MergerConfig.fromEnv(new Env(Map.of("RLAIF_MERGER_DEFAULT_LABELS_WANTED", "0"))))
                .hasMessageContaining("RLAIF_MERGER_DEFAULT_LABELS_WANTED");
        assertThatThrownBy(() -> MergerConfig.fromEnv(new Env(Map.of("RLAIF_MERGER_EMIT_ON_FIRST_LABEL", "maybe"))))
                .hasMessageContaining("RLAIF_MERGER_EMIT_ON_FIRST_LABEL");
    }
}
