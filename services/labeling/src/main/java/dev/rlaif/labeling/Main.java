package dev.rlaif.labeling;

import dev.rlaif.common.service.ServiceMain;

/** Runs the labeling service alone (its container's entry point). */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceMain.run(new LabelingProvider());
    }
}
