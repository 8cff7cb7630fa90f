package dev.rlaif.common.service;

/**
 * Makes one kind of service. Each service module lists its provider in
 * {@code META-INF/services/dev.rlaif.common.service.ServiceProvider}; the launcher finds them with
 * {@link java.util.ServiceLoader}, so it needs no list of services of its own.
 */
public interface ServiceProvider {

    /** Name of the service ({@code gateway}, {@code pairing}, {@code judge}, ...). */
    String name();

    /** One line on what it does. */
    String description();

    /** Start order in the embedded mode: lower first (consumers before the producers that feed them). */
    int order();

    /** Whether the embedded mode and {@code ./rlaif up} start it by default. */
    default boolean enabledByDefault() {
        return true;
    }

    RlaifService create(ServiceContext context);
}
