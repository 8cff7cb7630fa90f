package dev.rlaif.pairing;

import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;
import dev.rlaif.pairing.service.PairingService;

/** Registers the pairing service with the launcher. */
public final class PairingProvider implements ServiceProvider {

    @Override
    public String name() {
        return "pairing";
    }

    @Override
    public String description() {
        return "forms comparison pairs per prompt (Kafka Streams)";
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public RlaifService create(ServiceContext context) {
        return new PairingService(PairingConfig.fromEnv(context.env()), context);
    }
}
