package dev.rlaif.judge;

import dev.rlaif.common.service.ServiceMain;

/** Runs the judge service alone (its own container). */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceMain.run(new JudgeServiceProvider());
    }
}
