package dev.rlaif.merger.enrich;

import dev.rlaif.schema.Critique;
import dev.rlaif.schema.FeedbackKind;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.PairLink;
import dev.rlaif.schema.PairedResponse;
import dev.rlaif.schema.RankedResponse;
import dev.rlaif.schema.UserFeedback;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;

/**
 * What is known about each single generation, keyed by generation id: its critique (from {@code critiques}), its
 * thumbs up/down counts (THUMBS feedback), and the pairs it belongs to ({@link PairLink}s the topology makes of each
 * judgment, one per side; a whole {@link Judgment} written there by an earlier version is read the same way). Whenever that changes, the
 * generation's {@link RankedResponse} is sent to each of its pairs (keyed by pair id), so the pair merge can attach
 * it to the preference; a response with neither critique nor thumbs is not sent (the merge's default for a response it
 * has not heard of is the same), which spares most judged pairs two repartition writes and two merges. The response
 * text in a sent {@link RankedResponse} is not used: the merge takes each side's text from the pair. Stores:
 * {@value #GENERATIONS} (generation -> RankedResponse) and {@value #LINKS} (generation + pair / feedback ids seen).
 */
public final class GenerationProcessor extends ContextualProcessor<String, SpecificRecord, String, RankedResponse> {

    public static final String GENERATIONS = "merger-generations";
    public static final String LINKS = "merger-generation-links";

    private static final char SEP = '\u0000';

    private KeyValueStore<String, RankedResponse> generations;
    private KeyValueStore<String, String> links;

    @Override
    public void init(ProcessorContext<String, RankedResponse> context) {
        super.init(context);
        generations = context.getStateStore(GENERATIONS);
        links = context.getStateStore(LINKS);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String gen = record.key();
        if (record.value() instanceof PairLink l) {
            if (!link(gen, l.getPairId())) {
                return;
            }
            // only enriched responses are kept: a generation without one has nothing to send (the common case)
            RankedResponse known = generations.get(gen);
            if (known != null) {
                context().forward(record.withKey(l.getPairId()).withValue(known));
            }
            return;
        }
        RankedResponse known = generations.get(gen);
        RankedResponse.Builder r = known != null ? RankedResponse.newBuilder(known)
                : RankedResponse.newBuilder().setGenerationId(gen).setResponse("").setCritique(null).setThumbsUp(0).setThumbsDown(0);
        List<String> targets;
        if (record.value() instanceof Judgment j) {
            // written by a merger before PairLink (the whole judgment per side): read as the link it carries
            PairedResponse side = j.getPair().getA().getGenerationId().equals(gen) ? j.getPair().getA() : j.getPair().getB();
            r.setResponse(side.getResponse());
            if (!link(gen, j.getPairId())) {
                return;
            }
            targets = List.of(j.getPairId());
        } else if (record.value() instanceof UserFeedback f) {
            if (f.getKind() == FeedbackKind.PAIRWISE) {
                throw new IllegalArgumentException("pairwise feedback reached the generation step");
            }
            String seen = gen + SEP + "f" + SEP + f.getFeedbackId();
            if (links.get(seen) != null) {
                return; // a repeated feedback id
            }
            links.put(seen, "");
            if (f.getKind() == FeedbackKind.THUMBS_UP) {
                r.setThumbsUp(r.getThumbsUp() + 1);
            } else {
                r.setThumbsDown(r.getThumbsDown() + 1);
            }
            targets = pairsOf(gen);
        } else if (record.value() instanceof Critique c) {
            r.setCritique(c);
            targets = pairsOf(gen);
        } else {
            throw new IllegalArgumentException("unexpected record " + record.value().getClass().getSimpleName());
        }
        RankedResponse updated = r.build();
        if (!enriches(updated)) {
            // nothing to attach yet: the pair merge already treats a response it has no record of as this one
            // (no critique, no thumbs), so neither keeping nor sending it changes a preference (the merge takes the
            // text from the pair); it would cost a store write, a repartition write and a merge per side
            return;
        }
        generations.put(gen, updated);
        for (String pairId : targets) {
            context().forward(record.withKey(pairId).withValue(updated));
        }
    }

    /**
     * Whether a response carries anything a pair's preference shows beyond its text: a critique or thumbs. Once
     * true it stays true (thumbs only add up, a critique is only replaced by another).
     */
    static boolean enriches(RankedResponse r) {
        return r.getCritique() != null || r.getThumbsUp() > 0 || r.getThumbsDown() > 0;
    }

    /** Records that {@code gen} belongs to {@code pairId}; false when it already was (a repeated judgment). */
    private boolean link(String gen, String pairId) {
        String link = gen + SEP + "p" + SEP + pairId;
        if (links.get(link) != null) {
            return false;
        }
        links.put(link, "");
        return true;
    }

    private List<String> pairsOf(String gen) {
        List<String> out = new ArrayList<>();
        String prefix = gen + SEP + "p" + SEP;
        try (KeyValueIterator<String, String> it = links.prefixScan(prefix, new StringSerializer())) {
            it.forEachRemaining(kv -> out.add(kv.key.substring(prefix.length())));
        }
        return out;
    }
}
