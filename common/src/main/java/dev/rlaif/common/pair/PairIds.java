package dev.rlaif.common.pair;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Ids derived from content, so that the same thing gets the same id wherever and however often it is seen. */
public final class PairIds {

    private PairIds() {
    }

    /** The id of the pair of two generations, whatever their order: a pair is formed and judged once. */
    public static String pairId(String generationA, String generationB) {
        String lo = generationA.compareTo(generationB) <= 0 ? generationA : generationB;
        String hi = lo.equals(generationA) ? generationB : generationA;
        return "p-" + hash(lo + "\u0000" + hi, 20);
    }

    /**
     * One SHA-256 digest per thread: {@code MessageDigest.getInstance} looks the algorithm up in the provider list on
     * every call, which pairing and the router paid per record ({@code digest} resets it for the next use).
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private static final HexFormat HEX = HexFormat.of();

    /** A hex digest of {@code text}, {@code length} characters long (at most 64): the first characters of SHA-256's hex. */
    public static String hash(String text, int length) {
        if (length < 0 || length > 64) {
            throw new IllegalArgumentException("a SHA-256 hex digest has 64 characters, asked for " + length);
        }
        byte[] d = SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
        String hex = HEX.formatHex(d, 0, (length + 1) / 2);   // only the bytes the prefix needs
        return hex.length() == length ? hex : hex.substring(0, length);
    }

    /** A number in [0, 1) from a string's hash: the same string always gives the same number (audit sampling, holdouts). */
    public static double unitHash(String text) {
        long v = Long.parseUnsignedLong(hash(text, 13), 16);
        return v / (double) (1L << 52);
    }
}
