package dev.rlaif.merger;

import dev.rlaif.common.service.ServiceMain;

/** Runs the merger alone (its container's entry point). */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceMain.run(new MergerProvider());
    }
}
