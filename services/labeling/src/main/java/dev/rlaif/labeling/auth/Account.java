package dev.rlaif.labeling.auth;

/**
 * A configured (or, in the demo, simulated) login.
 *
 * @param id        annotator or admin id; an annotator's id is the {@code annotator_id} of its labels
 * @param secret    its token or password
 * @param role      what it may do
 * @param simulated SIMULATION ONLY: true for the demo's simulated annotators, whose labels carry source SIMULATED
 */
public record Account(String id, String secret, Role role, boolean simulated) {

    @Override
    public String toString() {
        return "Account[" + id + ", " + role + (simulated ? ", simulated" : "") + "]";
    }
}
