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

    /** A hex digest of {@code text}, {@code length} characters long (at most 64). */
    public static String hash(String text, int length) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, length);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A number in [0, 1) from a string's hash: the same string always gives the same number (audit sampling, holdouts). */
    public static double unitHash(String text) {
        long v = Long.parseUnsignedLong(hash(text, 13), 16);
        return v / (double) (1L << 52);
    }
}
