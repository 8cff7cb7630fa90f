package dev.rlaif.labeling;

import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;

/** Registers the labeling service with the launcher (order 50: after the router that feeds it). */
public final class LabelingProvider implements ServiceProvider {

    @Override
    public String name() {
        return "labeling";
    }

    @Override
    public String description() {
        return "human labeling queue and web UI: escalations -> human-labels";
    }

    @Override
    public int order() {
        return 50;
    }

    @Override
    public RlaifService create(ServiceContext context) {
        return new LabelingService(context);
    }
}
