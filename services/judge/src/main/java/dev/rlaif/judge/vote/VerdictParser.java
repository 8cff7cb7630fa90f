package dev.rlaif.judge.vote;

import dev.rlaif.schema.Verdict;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the verdict token a judge model ends its answer with: {@code [[A]]}, {@code [[B]]}, or {@code [[C]]} for a
 * tie. Tolerates spaces and lower case inside the brackets ({@code [[ a ]]}) and markdown around them. The verdict
 * is read only from the answer's final non-empty line (its last token there): a token earlier in the reasoning, or
 * quoted from a response being judged, is not the verdict. Anything else (no token on the final line, a tie token
 * when ties are off, an answer cut off before its verdict) is {@link Verdict#INVALID}: counted, never guessed.
 * Verdicts are in the order shown to the judge; mapping back to the pair's own A and B is the caller's.
 */
public final class VerdictParser {

    private static final Pattern TOKEN = Pattern.compile("\\[\\[\\s*([ABCabc])\\s*]]");

    private final boolean allowTie;

    public VerdictParser(boolean allowTie) {
        this.allowTie = allowTie;
    }

    public Verdict parse(String answer) {
        if (answer == null || answer.isBlank()) {
            return Verdict.INVALID;
        }
        Matcher m = TOKEN.matcher(finalLine(answer));
        String last = null;
        while (m.find()) {
            last = m.group(1).toUpperCase();
        }
        if (last == null) {
            return Verdict.INVALID;
        }
        return switch (last) {
            case "A" -> Verdict.A;
            case "B" -> Verdict.B;
            default -> allowTie ? Verdict.TIE : Verdict.INVALID;
        };
    }

    /** The last line of {@code answer} with anything but white space on it. */
    static String finalLine(String answer) {
        int end = answer.length();
        while (end > 0) {
            int start = answer.lastIndexOf('\n', end - 1) + 1;
            String line = answer.substring(start, end);
            if (!line.isBlank()) {
                return line;
            }
            end = start - 1;
        }
        return "";
    }

    /** The verdict given in order BA, in the pair's own terms (A and B swap; a tie stays a tie). */
    public static Verdict mapBack(Verdict shown) {
        return switch (shown) {
            case A -> Verdict.B;
            case B -> Verdict.A;
            default -> shown;
        };
    }
}
