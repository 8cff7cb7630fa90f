package dev.rlaif.common.consume;

import com.microsoft.kiota.ApiExceptionBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which serde failures are the schema registry's (retry) and which the record's (dead letter). */
class FailureClassifierTest {

    private static SerializationException registryAnswered(int status) {
        return new SerializationException("serde failed",
                new ApiExceptionBuilder().withMessage("registry said " + status).withResponseStatusCode(status).build());
    }

    @Test
    void anUnreachableOrBusyRegistryIsNotTheRecordsFault() {
        assertThat(FailureClassifier.registryUnavailable(
                new SerializationException(new UncheckedIOException(new ConnectException("refused"))))).isTrue();
        assertThat(FailureClassifier.registryUnavailable(registryAnswered(409))).as("concurrent registration").isTrue();
        assertThat(FailureClassifier.registryUnavailable(registryAnswered(429))).isTrue();
        assertThat(FailureClassifier.registryUnavailable(registryAnswered(503))).isTrue();
    }

    @Test
    void anUnknownSchemaIdOrABadEncodingIsTheRecordsFault() {
        assertThat(FailureClassifier.registryUnavailable(registryAnswered(404))).as("no such schema id").isFalse();
        assertThat(FailureClassifier.registryUnavailable(new SerializationException("magic byte 7"))).isFalse();
        assertThat(FailureClassifier.registryUnavailable(new IllegalArgumentException("bad"))).isFalse();
    }
}
