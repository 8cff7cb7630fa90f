package dev.rlaif.labeling.auth;

/** What an account may do: annotators label and see their own stats; admins see queue and agreement stats. */
public enum Role {
    ANNOTATOR, ADMIN
}
