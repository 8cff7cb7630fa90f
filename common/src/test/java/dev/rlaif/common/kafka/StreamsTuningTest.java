package dev.rlaif.common.kafka;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamsTuningTest {

    @Test
    void environmentOverridesCommitIntervalAndCacheAndRejectsNonNumbers() {
        Properties p = new Properties();
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        StreamsApps.tuning(p, Map.of("RLAIF_STREAMS_COMMIT_INTERVAL_MS", "1000", "RLAIF_STREAMS_CACHE_MAX_BYTES", "10485760"));
        assertThat(p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(1000L);
        assertThat(p.get(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo(10485760L);

        Properties untouched = new Properties();
        untouched.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        StreamsApps.tuning(untouched, Map.of());
        assertThat(untouched.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(200);

        assertThatThrownBy(() -> StreamsApps.tuning(new Properties(), Map.of("RLAIF_STREAMS_COMMIT_INTERVAL_MS", "1s")))
                .hasMessageContaining("RLAIF_STREAMS_COMMIT_INTERVAL_MS");
    }

    @Test
    void taskIdlingIsKafkasDefaultUnlessSet() {
        Properties p = new Properties();
        StreamsApps.tuning(p, Map.of());
        assertThat(p).doesNotContainKey(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG);
        StreamsApps.tuning(p, Map.of("RLAIF_STREAMS_MAX_TASK_IDLE_MS", "-1"));
        assertThat(p.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(-1L);
        assertThatThrownBy(() -> StreamsApps.tuning(new Properties(), Map.of("RLAIF_STREAMS_MAX_TASK_IDLE_MS", "off")))
                .hasMessageContaining("RLAIF_STREAMS_MAX_TASK_IDLE_MS");
    }
}
