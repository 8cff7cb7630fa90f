package dev.rlaif.merger.merge;

import dev.rlaif.schema.Choice;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.JudgeSample;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.PreferenceSource;
import dev.rlaif.schema.RankedResponse;
import dev.rlaif.schema.RationalePreference;
import dev.rlaif.schema.Verdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The merge rules, free of Kafka. Precedence: annotators (once enough labels are in) over product users over the
 * AI. Annotators: weighted by their Dawid–Skene reliabilities where the {@link AnnotatorModel} knows them all,
 * else majority over their current labels, a tie between the top choices is kept as a tie, agreement =
 * top count / labels, strength = |votes A - votes B| / labels. A human decision equal to the verdict of a pair the
 * router made an AI label gives source AI_HUMAN with ai_confirmed, strength max(human, AI). Users: the same
 * majority over their pairwise choices. AI: strength |2 p_a - 1|.
 */
public final class MergeRules {

    private MergeRules() {
    }

    /** A human (or user) majority. */
    public record Majority(Choice choice, boolean tie, int n, double agreement, double strength) {
    }

    /** The majority of a list of choices; empty for no choices. */
    public static Optional<Majority> majority(List<Choice> choices) {
        if (choices.isEmpty()) {
            return Optional.empty();
        }
        Map<Choice, Integer> counts = new EnumMap<>(Choice.class);
        choices.forEach(c -> counts.merge(c, 1, Integer::sum));
        int top = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        List<Choice> winners = counts.entrySet().stream().filter(e -> e.getValue() == top).map(Map.Entry::getKey).toList();
        Choice choice = winners.size() == 1 ? winners.get(0) : Choice.TIE;
        int n = choices.size();
        double strength = choice == Choice.TIE ? 0.0
                : Math.abs(counts.getOrDefault(Choice.A, 0) - counts.getOrDefault(Choice.B, 0)) / (double) n;
        return Optional.of(new Majority(choice, choice == Choice.TIE, n, top / (double) n, strength));
    }

    /** Whether the annotators' labels are enough to decide. */
    public static boolean humansReady(PairState s, boolean emitOnFirst, int defaultWanted) {
        int wanted = emitOnFirst ? 1 : Math.max(1, s.labelsWanted > 0 ? s.labelsWanted : defaultWanted);
        return !s.annotators.isEmpty() && s.annotators.size() >= wanted;
    }

    /** The annotators' majority, when ready. */
    public static Optional<Majority> humanDecision(PairState s, boolean emitOnFirst, int defaultWanted) {
        return humanDecision(s, emitOnFirst, defaultWanted, null, 0);
    }

    /**
     * The annotators' decision, when ready: weighted by their Dawid–Skene reliabilities when the model knows every
     * one of them from at least {@code minLabels} labels, else the plain majority.
     */
    public static Optional<Majority> humanDecision(PairState s, boolean emitOnFirst, int defaultWanted,
                                                   AnnotatorModel model, int minLabels) {
        if (!humansReady(s, emitOnFirst, defaultWanted)) {
            return Optional.empty();
        }
        if (model != null) {
            Optional<Majority> weighted = model.decide(s, minLabels);
            if (weighted.isPresent()) {
                return weighted;
            }
        }
        return majority(s.annotators.values().stream().map(v -> Choice.valueOf(v.choice())).toList());
    }

    /**
     * The current preference of a pair (without version and time), or empty while nothing decides it.
     *
     * @param ra what is known of response A (critique, thumbs), or null
     * @param rb same for B
     */
    public static Optional<PreferenceLabel.Builder> decide(PairState s, ComparisonPair pair, Judgment judgment,
                                                           RankedResponse ra, RankedResponse rb,
                                                           boolean emitOnFirst, int defaultWanted) {
        return decide(s, pair, judgment, ra, rb, emitOnFirst, defaultWanted, null, 0);
    }

    /** As above, the annotators weighted by {@code model} where it knows them (see {@link #humanDecision}). */
    public static Optional<PreferenceLabel.Builder> decide(PairState s, ComparisonPair pair, Judgment judgment,
                                                           RankedResponse ra, RankedResponse rb,
                                                           boolean emitOnFirst, int defaultWanted,
                                                           AnnotatorModel model, int minLabels) {
        if (pair == null) {
            return Optional.empty();
        }
        Verdict ai = judgment == null ? null : judgment.getVerdict();
        boolean aiUsable = ai == Verdict.A || ai == Verdict.B || ai == Verdict.TIE;
        double aiStrength = judgment == null ? 0 : Math.min(1, Math.abs(2 * judgment.getPA() - 1));

        Choice choice;
        PreferenceSource source;
        double strength;
        Double agreement = null;
        int n = 0;
        boolean confirmed = false;
        Optional<Majority> human = humanDecision(s, emitOnFirst, defaultWanted, model, minLabels);
        Optional<Majority> users = majority(s.users.values().stream().map(u -> userChoice(u, pair)).toList());
        if (human.isPresent()) {
            Majority m = human.get();
            choice = m.choice();
            n = m.n();
            agreement = m.agreement();
            confirmed = s.aiLabeled && aiUsable && ai.name().equals(choice.name());
            source = confirmed ? PreferenceSource.AI_HUMAN : PreferenceSource.HUMAN;
            strength = confirmed ? Math.max(m.strength(), aiStrength) : m.strength();
        } else if (users.isPresent()) {
            Majority m = users.get();
            choice = m.choice();
            n = m.n();
            agreement = m.agreement();
            source = PreferenceSource.USER;
            strength = m.strength();
        } else if (s.aiLabeled && aiUsable) {
            choice = Choice.valueOf(ai.name());
            source = PreferenceSource.AI;
            strength = aiStrength;
        } else {
            return Optional.empty();
        }
        RankedResponse a = ranked(ra, pair.getA().getGenerationId(), pair.getA().getResponse());
        RankedResponse b = ranked(rb, pair.getB().getGenerationId(), pair.getB().getResponse());
        boolean bWins = choice == Choice.B;
        return Optional.of(PreferenceLabel.newBuilder()
                .setPairId(pair.getPairId())
                .setPromptId(pair.getPromptId())
                .setPrompt(pair.getPrompt())
                .setChosen(bWins ? b : a)
                .setRejected(bWins ? a : b)
                .setTie(choice == Choice.TIE)
                .setSource(source)
                .setStrength(Math.max(0, Math.min(1, strength)))
                .setAiConfidence(judgment != null && aiUsable ? judgment.getConfidence() : null)
                .setHumanAgreement(agreement)
                .setNAnnotators(n)
                .setAiConfirmed(confirmed)
                .setJudgeModel(judgment != null && aiUsable ? judgment.getJudgeModel() : null));
    }

    /** What makes two emitted versions different: a new version is written only when this changes. */
    public static String fingerprint(PreferenceLabel.Builder p) {
        return String.join("|", p.getSource().name(), p.getChosen().getGenerationId(), String.valueOf(p.getTie()),
                String.valueOf(p.getNAnnotators()), fourDecimals(p.getStrength()),
                String.valueOf(p.getAiConfirmed()), side(p.getChosen()), side(p.getRejected()));
    }

    /**
     * {@code String.format(Locale.ROOT, "%.4f", x)} without the formatter (which builds a {@code DecimalFormatSymbols}
     * per call: 5% of the merger's CPU under {@code bench pipeline}); the same text for every finite double, so the
     * fingerprints kept in the store still compare equal.
     */
    static String fourDecimals(double x) {
        if (!Double.isFinite(x) || Double.doubleToRawLongBits(x) == Long.MIN_VALUE) { // NaN, infinities, -0.0
            return String.format(Locale.ROOT, "%.4f", x);
        }
        return new java.math.BigDecimal(Double.toString(x)).setScale(4, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    /**
     * The STaR record for a pair the LLM judged, once the annotators decided: the judge's sample reasonings that
     * reached the humans' choice, and those that reached another verdict (samples without a verdict are left out).
     */
    public static Optional<RationalePreference> rationale(ComparisonPair pair, Judgment j, Majority human, long time) {
        if (pair == null || j == null || j.getJudgeType() != JudgeType.LLM || j.getSamples().isEmpty()) {
            return Optional.empty();
        }
        List<String> good = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        List<JudgeSample> goodSamples = new ArrayList<>();
        List<JudgeSample> badSamples = new ArrayList<>();
        for (JudgeSample sample : j.getSamples()) {
            Verdict v = sample.getVerdict();
            if (v != Verdict.A && v != Verdict.B && v != Verdict.TIE) {
                continue;
            }
            boolean matched = v.name().equals(human.choice().name());
            (matched ? good : bad).add(sample.getReasoning());
            (matched ? goodSamples : badSamples).add(sample);
        }
        if (good.isEmpty() && bad.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(RationalePreference.newBuilder()
                .setPairId(pair.getPairId())
                .setPrompt(pair.getPrompt())
                .setResponseA(pair.getA().getResponse())
                .setResponseB(pair.getB().getResponse())
                .setHumanChoice(human.choice())
                .setGoodReasoning(good)
                .setBadReasoning(bad)
                .setGoodSamples(goodSamples)
                .setBadSamples(badSamples)
                .setJudgeModel(j.getJudgeModel())
                .setPromptVersion(j.getPromptVersion())
                .setCreatedAt(Instant.ofEpochMilli(time))
                .build());
    }

    private static Choice userChoice(PairState.UserVote u, ComparisonPair pair) {
        if (u.preferred() == null) {
            return Choice.TIE;
        }
        return u.preferred().equals(pair.getB().getGenerationId()) ? Choice.B : Choice.A;
    }

    private static RankedResponse ranked(RankedResponse known, String generationId, String response) {
        if (known != null) {
            return RankedResponse.newBuilder(known).setResponse(response).build();
        }
        return RankedResponse.newBuilder().setGenerationId(generationId).setResponse(response)
                .setCritique(null).setThumbsUp(0).setThumbsDown(0).build();
    }

    private static String side(RankedResponse r) {
        return r.getThumbsUp() + "/" + r.getThumbsDown() + "/" + (r.getCritique() == null ? "-" : r.getCritique().getCritiqueId());
    }
}
