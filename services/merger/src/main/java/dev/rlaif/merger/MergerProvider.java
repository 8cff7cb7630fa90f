package dev.rlaif.merger;

import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;

/** Registers the merger with the launcher (order 40). */
public final class MergerProvider implements ServiceProvider {

    @Override
    public String name() {
        return "merger";
    }

    @Override
    public String description() {
        return "merges AI labels, human labels and user feedback into versioned preferences (and STaR rationales)";
    }

    @Override
    public int order() {
        return 40;
    }

    @Override
    public RlaifService create(ServiceContext context) {
        return new MergerService(context);
    }
}
