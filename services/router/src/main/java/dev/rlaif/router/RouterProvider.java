package dev.rlaif.router;

import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;

/** Registers the router with the launcher (order 30: after the judge, before the merger). */
public final class RouterProvider implements ServiceProvider {

    @Override
    public String name() {
        return "router";
    }

    @Override
    public String description() {
        return "routes judgments: confident ones to ai-labels, the rest (and audits) to escalations";
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public RlaifService create(ServiceContext context) {
        return new RouterService(context);
    }
}
