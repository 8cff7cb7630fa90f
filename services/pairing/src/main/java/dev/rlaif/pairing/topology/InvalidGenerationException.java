package dev.rlaif.pairing.topology;

/** A generation that cannot be paired; the dead-letter handler sends it to {@code generations.dlq} with this message. */
public class InvalidGenerationException extends RuntimeException {
    public InvalidGenerationException(String message) {
        super(message);
    }
}
