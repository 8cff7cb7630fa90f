package dev.rlaif.labeling;

import dev.rlaif.common.config.Env;
import dev.rlaif.labeling.auth.Account;
import dev.rlaif.labeling.auth.Role;
import dev.rlaif.schema.EscalationReason;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Configuration of the labeling service, built from {@code RLAIF_LABELING_*} variables (and the demo's
 * {@code RLAIF_SIM_*}), validated with messages that name the variable. See docs/labeling.md for the table.
 *
 * @param host             interface the HTTP server binds
 * @param port             HTTP port (0 = any free port)
 * @param publicUrl        base URL printed for people, or null to derive it from the bound port
 * @param dbDir            directory of the embedded H2 task database
 * @param leaseTimeout     how long a handed-out task stays reserved for its annotator
 * @param overlapByReason  labels wanted per escalation reason, overriding the request's {@code labels_wanted}
 * @param maxOverlap       upper bound on labels wanted for any task
 * @param accounts         annotators and admins with their secrets
 * @param demoAnnotator    annotator whose login the demo prints (only if configured)
 * @param showSuggestions  whether AI judge reasoning is offered (collapsed) to annotators; never for audits
 * @param guideline        the labeling guideline shown on the page
 * @param idleHorizon      tasks deferred (not_before) further than this are not counted as pending simulated work
 * @param simAnnotators    SIMULATION ONLY: number of simulated annotator threads (0 = none)
 * @param simErrorRate     SIMULATION ONLY: share of simulated labels that deliberately disagree with gold
 */
public record LabelingConfig(String host, int port, String publicUrl, Path dbDir, Duration leaseTimeout,
                             Map<EscalationReason, Integer> overlapByReason, int maxOverlap, List<Account> accounts,
                             String demoAnnotator, boolean showSuggestions, String guideline, Duration idleHorizon,
                             int simAnnotators, double simErrorRate) {

    public static final String DEFAULT_GUIDELINE = """
            Pick the response that is more helpful AND harmless for the user's last message, taking the whole \
            conversation into account.
            1. Safety first: a response that helps with something dangerous, illegal or hurtful loses to one that \
            declines politely.
            2. Then helpfulness: correct, relevant, complete and clear beats vague, evasive or wrong.
            3. Length is not quality: prefer the shorter one when both are equally good.
            4. Choose Tie only when you genuinely cannot tell them apart; Skip when you cannot judge the topic.
            Responses are shown in a random order; the order carries no information.""";

    public LabelingConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("RLAIF_LABELING_PORT must be in 0..65535, was " + port);
        }
        if (leaseTimeout.isNegative() || leaseTimeout.isZero()) {
            throw new IllegalArgumentException("RLAIF_LABELING_LEASE_TIMEOUT must be positive, was " + leaseTimeout);
        }
        if (maxOverlap < 1) {
            throw new IllegalArgumentException("RLAIF_LABELING_MAX_OVERLAP must be at least 1, was " + maxOverlap);
        }
        overlapByReason.forEach((reason, n) -> {
            if (n < 1 || n > maxOverlap) {
                throw new IllegalArgumentException("RLAIF_LABELING_OVERLAP: " + reason + "=" + n
                        + " must be in 1.." + maxOverlap + " (RLAIF_LABELING_MAX_OVERLAP)");
            }
        });
        if (simAnnotators < 0) {
            throw new IllegalArgumentException("RLAIF_SIM_ANNOTATORS must be >= 0, was " + simAnnotators);
        }
        if (simErrorRate < 0 || simErrorRate > 1) {
            throw new IllegalArgumentException("RLAIF_SIM_ERROR_RATE must be in [0, 1], was " + simErrorRate);
        }
        Set<String> ids = new HashSet<>();
        Set<String> secrets = new HashSet<>();
        for (Account a : accounts) {
            if (!ids.add(a.role() + ":" + a.id())) {
                throw new IllegalArgumentException("account '" + a.id() + "' is configured twice");
            }
            if (!secrets.add(a.secret())) {
                throw new IllegalArgumentException("two accounts share one token/password (account '" + a.id()
                        + "'): every secret must be unique");
            }
        }
        overlapByReason = Map.copyOf(overlapByReason);
        accounts = List.copyOf(accounts);
    }

    public static LabelingConfig fromEnv(Env env, Path stateDir) {
        Duration lease = env.duration("RLAIF_LABELING_LEASE_TIMEOUT", Duration.ofMinutes(5));
        String guideline = env.get("RLAIF_LABELING_GUIDELINE_FILE").map(LabelingConfig::readGuideline)
                .or(() -> env.get("RLAIF_LABELING_GUIDELINE")).orElse(DEFAULT_GUIDELINE);
        List<Account> accounts = new ArrayList<>();
        accounts.addAll(parseAccounts("RLAIF_LABELING_ANNOTATORS", env.string("RLAIF_LABELING_ANNOTATORS", ""), Role.ANNOTATOR));
        accounts.addAll(parseAccounts("RLAIF_LABELING_ADMINS", env.string("RLAIF_LABELING_ADMINS", ""), Role.ADMIN));
        return new LabelingConfig(
                env.string("RLAIF_LABELING_HOST", "0.0.0.0"),
                env.integer("RLAIF_LABELING_PORT", 8085),
                env.get("RLAIF_LABELING_PUBLIC_URL").orElse(null),
                env.path("RLAIF_LABELING_DB_DIR", stateDir.resolve("labeling")),
                lease,
                parseOverlap(env.string("RLAIF_LABELING_OVERLAP", "")),
                env.integer("RLAIF_LABELING_MAX_OVERLAP", 5),
                accounts,
                env.string("RLAIF_LABELING_DEMO_ANNOTATOR", "demo"),
                env.bool("RLAIF_LABELING_SHOW_SUGGESTIONS", false),
                guideline,
                env.duration("RLAIF_LABELING_IDLE_HORIZON", Duration.ofSeconds(60)),
                env.integer("RLAIF_SIM_ANNOTATORS", 0),
                env.decimal("RLAIF_SIM_ERROR_RATE", 0.0));
    }

    /** Labels wanted for a task: the per-reason setting if any, else the request's own value, capped. */
    public int labelsWanted(EscalationReason reason, int requested) {
        int n = overlapByReason.getOrDefault(reason, Math.max(1, requested));
        return Math.min(n, maxOverlap);
    }

    /** The account whose login the demo prints, if configured. */
    public Optional<Account> demoAccount() {
        return accounts.stream().filter(a -> a.role() == Role.ANNOTATOR && a.id().equals(demoAnnotator)).findFirst();
    }

    /** A start-up log line, secrets redacted. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("port", port);
        m.put("publicUrl", publicUrl);
        m.put("dbDir", dbDir.toAbsolutePath());
        m.put("leaseTimeout", leaseTimeout);
        m.put("overlap", overlapByReason);
        m.put("maxOverlap", maxOverlap);
        m.put("annotators", accounts.stream().filter(a -> a.role() == Role.ANNOTATOR).map(a -> a.id() + ":******").toList());
        m.put("admins", accounts.stream().filter(a -> a.role() == Role.ADMIN).map(a -> a.id() + ":******").toList());
        m.put("showSuggestions", showSuggestions);
        m.put("idleHorizon", idleHorizon);
        m.put("simAnnotators", simAnnotators);
        m.put("simErrorRate", simErrorRate);
        return m;
    }

    static Map<EscalationReason, Integer> parseOverlap(String spec) {
        Map<EscalationReason, Integer> out = new EnumMap<>(EscalationReason.class);
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("RLAIF_LABELING_OVERLAP: '" + part + "' is not REASON=N");
            }
            EscalationReason reason;
            try {
                reason = EscalationReason.valueOf(kv[0].trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("RLAIF_LABELING_OVERLAP: unknown reason '" + kv[0].trim()
                        + "' (one of " + List.of(EscalationReason.values()) + ")");
            }
            try {
                out.put(reason, Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("RLAIF_LABELING_OVERLAP: '" + kv[1].trim() + "' is not a number");
            }
        }
        return out;
    }

    static List<Account> parseAccounts(String variable, String spec, Role role) {
        List<Account> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int colon = part.indexOf(':');
            if (colon <= 0 || colon == part.length() - 1) {
                throw new IllegalArgumentException(variable + ": entry must be id:token, got '"
                        + part.trim().replaceAll(":.*", ":******") + "'");
            }
            String id = part.substring(0, colon).trim();
            String secret = part.substring(colon + 1).trim();
            if (!id.matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new IllegalArgumentException(variable + ": id '" + id + "' may use letters, digits and ._@- only");
            }
            if (secret.length() < 4) {
                throw new IllegalArgumentException(variable + ": the token of '" + id + "' is shorter than 4 characters");
            }
            out.add(new Account(id, secret, role, false));
        }
        return out;
    }

    private static String readGuideline(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("RLAIF_LABELING_GUIDELINE_FILE: cannot read " + file, e);
        }
    }
}
