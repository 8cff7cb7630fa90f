package dev.rlaif.scorer;

import dev.rlaif.common.service.ServiceMain;

/** Runs the scorer alone. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceMain.run(new ScorerProvider());
    }
}
