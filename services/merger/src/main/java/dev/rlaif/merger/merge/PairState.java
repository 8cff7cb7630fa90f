package dev.rlaif.merger.merge;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the merger knows about one pair besides its content: whether the router made it an AI label, how many
 * labels its escalation wants, the latest label of each annotator and each product user, and what was last
 * emitted. Value of the store {@code merger-state} (JSON), keyed by pair id.
 */
public final class PairState {

    /** One annotator's current label, in the pair's own A/B/TIE terms. */
    public record Vote(String labelId, String choice, long at) {
    }

    /** One product user's current pairwise choice: the preferred generation id, or null for "neither". */
    public record UserVote(String feedbackId, String preferred, long at) {
    }

    public boolean aiLabeled;
    public int labelsWanted;
    public Map<String, Vote> annotators = new TreeMap<>();
    public Set<String> labelIds = new TreeSet<>();
    public Map<String, UserVote> users = new TreeMap<>();
    public int version;
    public String fingerprint;
    public String starFingerprint;
}
