package dev.rlaif.scorer.http;

/** A request the scorer cannot serve; the message names the field. */
final class BadRequest extends RuntimeException {

    BadRequest(String message) {
        super(message);
    }
}
