package dev.rlaif.registry;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.event.Observes;

/**
 * Stops the server when the process that started it is gone. {@code ./rlaif registry} runs the server as a child
 * process and passes its own pid as {@code -Drlaif.registry.parent-pid}: when the launcher ends in any way, SIGKILL
 * included (no shutdown hook runs then), the server exits too, releasing its port and its H2 file, instead of
 * living on as an orphan that blocks the next start on the same data directory.
 */
@ApplicationScoped
public class ParentWatch {

    private static final Logger LOG = Logger.getLogger(ParentWatch.class);

    void onStart(@Observes StartupEvent event) {
        String pid = System.getProperty("rlaif.registry.parent-pid");
        if (pid == null || pid.isBlank()) {
            return;
        }
        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> {
                    LOG.infof("parent process %s ended: stopping the registry", pid);
                    Quarkus.asyncExit(0);
                }),
                () -> {
                    LOG.infof("parent process %s is not running: stopping the registry", pid);
                    Quarkus.asyncExit(0);
                });
    }
}
