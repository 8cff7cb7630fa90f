package dev.rlaif.labeling;

import dev.rlaif.common.config.Env;
import dev.rlaif.labeling.auth.Role;
import dev.rlaif.schema.EscalationReason;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("unit")
class LabelingConfigTest {

    private static LabelingConfig from(Map<String, String> vars) {
        return LabelingConfig.fromEnv(new Env(vars), Path.of("/tmp/state"));
    }

    @Test
    void defaults() {
        LabelingConfig c = from(Map.of());
        assertThat(c.port()).isEqualTo(8085);
        assertThat(c.leaseTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.dbDir()).isEqualTo(Path.of("/tmp/state/labeling"));
        assertThat(c.accounts()).isEmpty();
        assertThat(c.showSuggestions()).isFalse();
        assertThat(c.simAnnotators()).isZero();
        assertThat(c.labelsWanted(EscalationReason.LOW_CONFIDENCE, 2)).isEqualTo(2);
        assertThat(c.labelsWanted(EscalationReason.LOW_CONFIDENCE, 0)).isEqualTo(1);
    }

    @Test
    void parsesAccountsOverlapAndRedactsSecrets() {
        LabelingConfig c = from(Map.of("RLAIF_LABELING_ANNOTATORS", "demo:demo-token, alice:s3cret-x",
                "RLAIF_LABELING_ADMINS", "root:admin-secret", "RLAIF_LABELING_OVERLAP", "audit=1,position-inconsistent=3",
                "RLAIF_LABELING_MAX_OVERLAP", "4", "RLAIF_LABELING_LEASE_TIMEOUT", "90s"));
        assertThat(c.accounts()).extracting(a -> a.id() + "/" + a.role())
                .containsExactly("demo/" + Role.ANNOTATOR, "alice/" + Role.ANNOTATOR, "root/" + Role.ADMIN);
        assertThat(c.labelsWanted(EscalationReason.AUDIT, 3)).isEqualTo(1);
        assertThat(c.labelsWanted(EscalationReason.POSITION_INCONSISTENT, 1)).isEqualTo(3);
        assertThat(c.labelsWanted(EscalationReason.ABSTAIN, 9)).isEqualTo(4);
        assertThat(c.leaseTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.demoAccount()).get().extracting(a -> a.secret()).isEqualTo("demo-token");
        assertThat(c.describe().toString()).doesNotContain("demo-token").doesNotContain("admin-secret").contains("demo:******");
    }

    @Test
    void rejectsBadValuesNamingTheVariable() {
        assertThatThrownBy(() -> from(Map.of("RLAIF_LABELING_OVERLAP", "bogus=2")))
                .hasMessageContaining("RLAIF_LABELING_OVERLAP").hasMessageContaining("bogus");
        assertThatThrownBy(() -> from(Map.of("RLAIF_LABELING_OVERLAP", "AUDIT=9")))
                .hasMessageContaining("RLAIF_LABELING_MAX_OVERLAP");
        assertThatThrownBy(() -> from(Map.of("RLAIF_LABELING_ANNOTATORS", "nocolon")))
                .hasMessageContaining("RLAIF_LABELING_ANNOTATORS");
        assertThatThrownBy(() -> from(Map.of("RLAIF_LABELING_ANNOTATORS", "a:same-secret", "RLAIF_LABELING_ADMINS", "b:same-secret")))
                .hasMessageContaining("unique");
        assertThatThrownBy(() -> from(Map.of("RLAIF_LABELING_LEASE_TIMEOUT", "soon")))
                .hasMessageContaining("RLAIF_LABELING_LEASE_TIMEOUT");
        assertThatThrownBy(() -> from(Map.of("RLAIF_SIM_ERROR_RATE", "2")))
                .hasMessageContaining("RLAIF_SIM_ERROR_RATE");
    }
}
