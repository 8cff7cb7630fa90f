package dev.rlaif.common.service;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a service is made from: the Kafka settings, its configuration variables, the metrics registry it reports
 * to, and attributes that services of one JVM share (the demo's simulation hooks, say).
 *
 * @param kafka      broker, registry and topic layout
 * @param env        configuration variables (environment with command-line overrides)
 * @param metrics    Prometheus registry, served at /metrics by the HTTP services
 * @param attributes in-process attributes shared by the services of one JVM
 */
public record ServiceContext(KafkaSettings kafka, Env env, PrometheusMeterRegistry metrics,
                             Map<String, Object> attributes) {

    public static ServiceContext of(KafkaSettings kafka, Env env) {
        return new ServiceContext(kafka, env, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new ConcurrentHashMap<>());
    }

    /**
     * The attribute holding what to do when a service fails for good (a {@code java.util.function.Consumer} of the
     * error): {@link ServiceMain} exits the process non-zero so its supervisor restarts it. Without one the error
     * is logged and the service reports DOWN.
     */
    public static final String ON_FATAL = "rlaif.onFatal";

    /** Reports that {@code service} cannot go on: runs the {@link #ON_FATAL} action, if any. */
    @SuppressWarnings("unchecked")
    public void fatal(String service, Throwable cause) {
        Object action = attributes.get(ON_FATAL);
        if (action instanceof java.util.function.Consumer<?> c) {
            ((java.util.function.Consumer<Throwable>) c).accept(cause);
        } else {
            org.slf4j.LoggerFactory.getLogger(ServiceContext.class)
                    .error("{} stopped for good and reports DOWN (restart it): {}", service, String.valueOf(cause));
        }
    }

    /** An attribute set by another part of this JVM. */
    public <T> Optional<T> attribute(String name, Class<T> type) {
        return Optional.ofNullable(attributes.get(name)).filter(type::isInstance).map(type::cast);
    }
}
