package dev.rlaif.router;

import dev.rlaif.common.service.ServiceMain;

/** Runs the router alone (its container's entry point). */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceMain.run(new RouterProvider());
    }
}
