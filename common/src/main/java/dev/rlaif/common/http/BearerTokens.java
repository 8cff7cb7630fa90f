package dev.rlaif.common.http;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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

    /**
     * A before-handler for the protected routes: answers 401 (with {@code WWW-Authenticate: Bearer}) and skips the
     * route when the request has no configured token. The body is read and dropped first ({@link UnreadBody}), so
     * the client gets its 401 rather than a reset connection.
     */
    public void check(Context ctx) {
        if (!allows(ctx.header("Authorization"))) {
            UnreadBody.discard(ctx);
            ctx.header("WWW-Authenticate", "Bearer");
            ctx.status(HttpStatus.UNAUTHORIZED).json(Map.of("error", "missing or invalid bearer token"));
            ctx.skipRemainingHandlers();
        }
    }
}
