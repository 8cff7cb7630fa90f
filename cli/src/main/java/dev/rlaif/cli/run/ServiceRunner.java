package dev.rlaif.cli.run;

import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

/** Starts services found through {@link ServiceProvider} in their order, and stops them in reverse. */
public final class ServiceRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceRunner.class);

    private final List<RlaifService> running = new ArrayList<>();

    /** Every provider on the class path, in start order. */
    public static List<ServiceProvider> providers() {
        List<ServiceProvider> all = new ArrayList<>();
        ServiceLoader.load(ServiceProvider.class).forEach(all::add);
        all.sort(Comparator.comparingInt(ServiceProvider::order));
        return all;
    }

    /** The providers named in {@code names}, or every default-enabled one when {@code names} is empty. */
    public static List<ServiceProvider> select(Set<String> names) {
        List<ServiceProvider> all = providers();
        if (names.isEmpty()) {
            return all.stream().filter(ServiceProvider::enabledByDefault).toList();
        }
        Set<String> known = all.stream().map(ServiceProvider::name).collect(Collectors.toSet());
        for (String n : names) {
            if (!known.contains(n)) {
                throw new IllegalArgumentException("unknown service '" + n + "'; known: " + String.join(", ", known));
            }
        }
        return all.stream().filter(p -> names.contains(p.name())).toList();
    }

    /** Creates and starts each provider's service; on a failure, stops those already started and rethrows. */
    public void start(List<ServiceProvider> providers, ServiceContext context) throws Exception {
        for (ServiceProvider p : providers) {
            long t0 = System.nanoTime();
            RlaifService s = p.create(context);
            try {
                s.start();
            } catch (Exception e) {
                s.close();
                close();
                throw new IllegalStateException("service " + p.name() + " failed to start: " + e.getMessage(), e);
            }
            running.add(s);
            log.info("{} started in {} ms {}", p.name(), (System.nanoTime() - t0) / 1_000_000,
                    s.endpoints().isEmpty() ? "" : s.endpoints());
        }
    }

    public List<RlaifService> services() {
        return List.copyOf(running);
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            RlaifService s = running.get(i);
            try {
                s.close();
            } catch (RuntimeException e) {
                log.warn("stopping {} failed: {}", s.name(), e.toString());
            }
        }
        running.clear();
    }
}
