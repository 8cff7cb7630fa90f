package dev.rlaif.common.service;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceContextTest {

    private final ServiceContext context = ServiceContext.of(
            new KafkaSettings("localhost:1", null, 1, (short) 1, Path.of(".")), new Env(Map.of()));

    @Test
    void aFatalFailureRunsTheProcessActionWhereOneIsSet() {
        context.fatal("judge", new IllegalStateException("no action set: logged only")); // must not throw
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        context.attributes().put(ServiceContext.ON_FATAL, (Consumer<Throwable>) seen::add);
        IllegalStateException e = new IllegalStateException("retries spent");
        context.fatal("judge", e);
        assertThat(seen).containsExactly(e);
    }

    @Test
    void healthCombinesToTheFirstDown() {
        assertThat(Health.UP.and(Health.down("a")).and(Health.down("b")).detail()).isEqualTo("a");
        assertThat(Health.UP.and(Health.UP).status()).isEqualTo("up");
        assertThat(Health.down("x").status()).isEqualTo("down");
    }
}
