package dev.rlaif.common.http;

import dev.rlaif.common.config.Env;

import java.util.Map;

/**
 * Where a service process serves its operational endpoints ({@code /health}, {@code /metrics}) when it runs on its
 * own (a container, a pod): one port for every kind of service, so probes and Prometheus scrape them alike.
 *
 * <table>
 * <tr><th>variable</th><th>meaning</th><th>default</th></tr>
 * <tr><td>RLAIF_OPS_PORT</td><td>port of /health and /metrics for {@code ./rlaif service} and {@code ./rlaif up}; unset = none</td><td>unset</td></tr>
 * <tr><td>RLAIF_OPS_HOST</td><td>bind address of that port</td><td>0.0.0.0</td></tr>
 * </table>
 *
 * @param host bind address
 * @param port port, 0 for any free one; {@code -1} when disabled
 */
public record OpsConfig(String host, int port) {

    public OpsConfig {
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("RLAIF_OPS_PORT must be in 0..65535, was " + port);
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("RLAIF_OPS_HOST must not be empty");
        }
    }

    public static OpsConfig fromEnv(Env env) {
        return new OpsConfig(env.string("RLAIF_OPS_HOST", "0.0.0.0"), env.integer("RLAIF_OPS_PORT", -1));
    }

    public boolean enabled() {
        return port >= 0;
    }

    public Map<String, Object> describe() {
        return Map.of("host", host, "port", enabled() ? port : "off");
    }
}
