package dev.rlaif.common.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A set of bearer tokens checked in constant time: the presented token is compared with every configured token
 * through {@link MessageDigest#isEqual} (whose time depends on the lengths only), always all of them, so the time
 * an answer takes does not tell how much of a guess was right. The gateway and the scorer use it; an empty set
 * means authentication is off.
 */
public final class BearerTokens {

    private final List<byte[]> tokens;

    public BearerTokens(Collection<String> tokens) {
        this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** True when no token is configured (authentication off). */
    public boolean disabled() {
        return tokens.isEmpty();
    }

    /** True when {@code token} equals one of the configured tokens. */
    public boolean matches(String token) {
        if (token == null) {
            return false;
        }
        byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        boolean found = false;
        for (byte[] t : tokens) {
            found |= MessageDigest.isEqual(t, presented);
        }
        Arrays.fill(presented, (byte) 0);
        return found;
    }

    /** The token of an {@code Authorization: Bearer <token>} header, if it has one. */
    public static Optional<String> fromHeader(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String h = authorization.trim();
        if (h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String t = h.substring(7).trim();
            return t.isEmpty() ? Optional.empty() : Optional.of(t);
        }
        return Optional.empty();
    }

    /** True when authentication is off, or the header carries a configured token. */
    public boolean allows(String authorization) {
        return disabled() || fromHeader(authorization).map(this::matches).orElse(false);
    }
}
