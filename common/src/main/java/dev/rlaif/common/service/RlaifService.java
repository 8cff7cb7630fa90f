package dev.rlaif.common.service;

import java.util.List;
import java.util.Map;

/**
 * A running part of the pipeline (gateway, pairing, judge, ...). The embedded mode starts every service found
 * through {@link ServiceProvider} in one JVM; {@code ./rlaif service NAME} and each module's {@code Main} start one.
 */
public interface RlaifService extends AutoCloseable {

    /** Short name, as used by {@code ./rlaif service NAME}. */
    String name();

    /** Starts the service; returns once it is serving. */
    void start() throws Exception;

    /** Addresses it serves, by kind ("http" -> "http://127.0.0.1:8080"), for the start-up banner. */
    default Map<String, String> endpoints() {
        return Map.of();
    }

    /** Consumer groups (or Streams application ids) whose lag is this service's backlog. */
    default List<String> consumerGroups() {
        return List.of();
    }

    /** False while the service holds work that its consumer lag does not show (in-flight requests, open tasks). */
    default boolean idle() {
        return true;
    }

    /** UP while the service can work; DOWN with the reason once a loop of it stopped for good. */
    default Health serviceHealth() {
        return Health.UP;
    }

    /**
     * Whether the service is working, for {@code /health} on the ops port: a map with {@code "status"} "up" or
     * anything else (then the process reports itself down). The default reports {@link #serviceHealth()}.
     */
    default Map<String, Object> healthReport() {
        Health health = serviceHealth();
        return health.up() ? Map.of("status", "up") : Map.of("status", health.status(), "detail", String.valueOf(health.detail()));
    }

    /** Stops the service, finishing or handing back what is in flight. */
    @Override
    void close();
}
