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

    /** An attribute set by another part of this JVM. */
    public <T> Optional<T> attribute(String name, Class<T> type) {
        return Optional.ofNullable(attributes.get(name)).filter(type::isInstance).map(type::cast);
    }
}
