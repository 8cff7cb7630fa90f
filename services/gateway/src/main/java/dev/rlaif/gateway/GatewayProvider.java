package dev.rlaif.gateway;

import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;

/** Registers the gateway with the launcher. */
public final class GatewayProvider implements ServiceProvider {

    @Override
    public String name() {
        return "gateway";
    }

    @Override
    public String description() {
        return "HTTP ingestion of generations and user feedback";
    }

    @Override
    public int order() {
        return 80;
    }

    @Override
    public RlaifService create(ServiceContext context) {
        return new GatewayService(GatewayConfig.fromEnv(context.env()), context);
    }
}
