package dev.rlaif.common.service;

/**
 * Whether a service can do its work: UP, or DOWN with the reason (a consumer loop that stopped on a fatal error).
 *
 * @param up     true when the service works
 * @param detail why it is down, or null
 */
public record Health(boolean up, String detail) {

    public static final Health UP = new Health(true, null);

    public static Health down(String detail) {
        return new Health(false, detail);
    }

    /** "up" or "down", as /health documents say. */
    public String status() {
        return up ? "up" : "down";
    }

    /** The worse of the two (the first DOWN). */
    public Health and(Health other) {
        return !up ? this : other;
    }
}
