package dev.rlaif.cli.run;

import dev.rlaif.common.config.Env;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;

/** Where an external Kafka and registry are: flags override the RLAIF_* environment variables. */
public final class ConnectionOptions {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (env RLAIF_BOOTSTRAP_SERVERS, default localhost:9092)")
    String bootstrapServers;

    @Option(names = "--registry-url", description = "Schema registry URL: http://HOST:PORT/apis/registry/v3 (Apicurio 3) or .../apis/registry/v2 (Apicurio 2, ./rlaif registry); file:JOURNAL reads a demo's schemas (env RLAIF_REGISTRY_URL; unset: in-memory, single process only)")
    String registryUrl;

    @Option(names = "--state-dir", description = "Local state directory (env RLAIF_STATE_DIR, default ./.rlaif)")
    String stateDir;

    /** The environment with these flags on top. */
    public Env env() {
        Map<String, String> o = new HashMap<>();
        o.put("RLAIF_BOOTSTRAP_SERVERS", bootstrapServers);
        o.put("RLAIF_REGISTRY_URL", registryUrl);
        o.put("RLAIF_STATE_DIR", stateDir);
        return Env.system().with(o);
    }
}
