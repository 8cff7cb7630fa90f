package dev.rlaif.pairing;

import dev.rlaif.common.service.ServiceMain;

/** Entry point of the pairing service's own container. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceMain.run(new PairingProvider());
    }
}
