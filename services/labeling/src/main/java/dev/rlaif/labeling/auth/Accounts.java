package dev.rlaif.labeling.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may call the labeling API: accounts from configuration, plus the simulated annotators the demo registers.
 * A request authenticates with {@code Authorization: Bearer <token>} or {@code Authorization: Basic
 * base64(id:password)}; there is no anonymous access to tasks or labels.
 */
public final class Accounts {

    private final Map<String, Account> bySecret = new ConcurrentHashMap<>();

    public Accounts(List<Account> accounts) {
        accounts.forEach(this::register);
    }

    /** Adds an account (the simulation registers its annotators this way). */
    public void register(Account account) {
        if (bySecret.putIfAbsent(account.secret(), account) != null) {
            throw new IllegalArgumentException("secret of account '" + account.id() + "' is already in use");
        }
    }

    /**
     * The account whose secret is {@code secret}, compared with every account's secret through
     * {@link MessageDigest#isEqual} and without stopping at a match, so the time taken does not reveal how much of a
     * guess was right (a hash-map lookup would compare strings with {@code equals}).
     */
    private Optional<Account> bySecretConstantTime(String secret) {
        byte[] presented = secret.getBytes(StandardCharsets.UTF_8);
        Account found = null;
        for (Map.Entry<String, Account> e : bySecret.entrySet()) {
            if (MessageDigest.isEqual(e.getKey().getBytes(StandardCharsets.UTF_8), presented)) {
                found = e.getValue();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The account an {@code Authorization} header names, if its secret is right. */
    public Optional<Account> authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Optional.empty();
        }
        String h = authorization.trim();
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return bySecretConstantTime(h.substring(7).trim());
        }
        if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            String id = decoded.substring(0, colon);
            Account a = bySecretConstantTime(decoded.substring(colon + 1)).orElse(null);
            // Compare ids in constant time too, so the answer does not leak which part was wrong.
            if (a != null && MessageDigest.isEqual(a.id().getBytes(StandardCharsets.UTF_8), id.getBytes(StandardCharsets.UTF_8))) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
