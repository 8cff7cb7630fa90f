package dev.rlaif.trainer;

import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;

/** Plugs the trainer into the launcher and the demo. */
public final class TrainerProvider implements ServiceProvider {

    @Override
    public String name() {
        return "trainer";
    }

    @Override
    public String description() {
        return "trains the reward model from preferences in rounds and publishes versions";
    }

    @Override
    public int order() {
        return 60;
    }

    @Override
    public RlaifService create(ServiceContext context) {
        return new TrainerService(context.kafka(), TrainerConfig.fromEnv(context.env(), context.kafka()), context.metrics(),
                dev.rlaif.trainer.round.ProbeSet.fromEnv(context.env()), e -> context.fatal("trainer", e));
    }
}
