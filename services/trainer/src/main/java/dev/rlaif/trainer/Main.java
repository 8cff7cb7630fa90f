package dev.rlaif.trainer;

import dev.rlaif.common.service.ServiceMain;

/** Runs the trainer alone. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceMain.run(new TrainerProvider());
    }
}
