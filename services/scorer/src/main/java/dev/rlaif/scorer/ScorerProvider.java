package dev.rlaif.scorer;

import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;

/** Plugs the scorer into the launcher and the demo. */
public final class ScorerProvider implements ServiceProvider {

    @Override
    public String name() {
        return "scorer";
    }

    @Override
    public String description() {
        return "serves the published reward model over HTTP (/v1/score, /v1/compare)";
    }

    @Override
    public int order() {
        return 70;
    }

    @Override
    public RlaifService create(ServiceContext context) {
        return new ScorerService(ScorerConfig.fromEnv(context.env(), context.kafka()), context);
    }
}
