package dev.rlaif.gateway;

import dev.rlaif.common.service.ServiceMain;

/** Entry point of the gateway's own container. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceMain.run(new GatewayProvider());
    }
}
