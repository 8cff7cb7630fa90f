package dev.rlaif.pairing.topology;

import dev.rlaif.common.pair.PairIds;
import dev.rlaif.pairing.PairingConfig;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.PairedResponse;
import dev.rlaif.schema.PairingState;
import dev.rlaif.schema.PolicyGeneration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Forms comparison pairs per prompt. For each generation of a prompt: a generation id already seen is a duplicate
 * and is ignored; a response text already seen is remembered but not paired; any other response is paired with up
 * to K of the most recent earlier distinct responses (earlier one as A). State per prompt is bounded and expires a
 * configured time after the prompt's last generation (a wall-clock punctuator sweeps it).
 */
final class PairingProcessor implements Processor<String, PolicyGeneration, String, ComparisonPair> {

    /** Bytes (UTF-8) of earlier response texts a prompt's state keeps at most; documented in README (Pairing). */
    static final long MAX_STATE_RESPONSE_BYTES = 640 * 1024;

    private final PairingConfig config;
    private ProcessorContext<String, ComparisonPair> context;
    private KeyValueStore<String, PairingState> store;

    PairingProcessor(PairingConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, ComparisonPair> context) {
        this.context = context;
        this.store = context.getStateStore(PairingTopology.STORE);
        Duration sweep = config.promptTtl().dividedBy(10);
        if (sweep.compareTo(Duration.ofSeconds(1)) < 0) {
            sweep = Duration.ofSeconds(1);
        }
        context.schedule(sweep, PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, PolicyGeneration> record) {
        PolicyGeneration g = record.value();
        if (g == null) {
            throw new InvalidGenerationException("empty value (tombstone) on the generations topic");
        }
        validate(record.key(), g);
        String promptId = g.getPromptId();
        PairingState state = store.get(promptId);
        if (state == null) {
            state = PairingState.newBuilder().setLastSeen(Instant.ofEpochMilli(record.timestamp())).build();
        }
        if (state.getSeenIds().contains(g.getGenerationId())) {
            return;
        }
        List<String> seen = bounded(state.getSeenIds(), g.getGenerationId(), config.maxSeenIds());
        String hash = PairIds.hash(g.getResponse(), 32);
        List<PairedResponse> responses = new ArrayList<>(state.getResponses());
        List<String> hashes = state.getResponseHashes();
        if (!hashes.contains(hash)) {
            PairedResponse current = PairedResponse.newBuilder().setGenerationId(g.getGenerationId())
                    .setResponse(g.getResponse()).setPolicyModel(g.getPolicyModel())
                    .setPolicyVersion(g.getPolicyVersion()).build();
            int from = Math.max(0, responses.size() - config.pairsPerResponse());
            for (PairedResponse earlier : responses.subList(from, responses.size())) {
                String pairId = PairIds.pairId(earlier.getGenerationId(), current.getGenerationId());
                ComparisonPair pair = ComparisonPair.newBuilder().setPairId(pairId).setPromptId(promptId)
                        .setPrompt(g.getPrompt()).setA(earlier).setB(current)
                        .setCreatedAt(Instant.ofEpochMilli(record.timestamp())).setTags(g.getTags()).build();
                context.forward(new Record<>(pairId, pair, record.timestamp()));
            }
            responses.add(current);
            if (responses.size() > config.pairsPerResponse()) {
                responses = new ArrayList<>(responses.subList(responses.size() - config.pairsPerResponse(), responses.size()));
            }
            responses = withinStateBudget(responses);
            hashes = bounded(hashes, hash, config.maxSeenIds());
        }
        store.put(promptId, PairingState.newBuilder().setResponses(responses).setSeenIds(seen)
                .setResponseHashes(hashes).setLastSeen(Instant.ofEpochMilli(Math.max(record.timestamp(),
                        state.getLastSeen().toEpochMilli()))).build());
    }

    /**
     * The most recent responses whose texts together stay within {@link #MAX_STATE_RESPONSE_BYTES}, so the prompt's
     * state record always fits Kafka's limit for its changelog (K responses of up to half a megabyte each would not).
     * A response dropped here has already been paired with its predecessors; it only misses later partners.
     */
    static List<PairedResponse> withinStateBudget(List<PairedResponse> responses) {
        long total = 0;
        int from = responses.size();
        while (from > 0) {
            long next = total + utf8Length(responses.get(from - 1).getResponse());
            if (next > MAX_STATE_RESPONSE_BYTES && from < responses.size()) {
                break;
            }
            total = next;
            from--;
        }
        return from == 0 ? responses : new ArrayList<>(responses.subList(from, responses.size()));
    }

    static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static void validate(String key, PolicyGeneration g) {
        List<String> problems = new ArrayList<>();
        if (g.getGenerationId().isBlank()) {
            problems.add("generation_id is empty");
        }
        if (g.getPromptId().isBlank()) {
            problems.add("prompt_id is empty");
        }
        if (g.getPrompt().isEmpty()) {
            problems.add("prompt has no message");
        }
        if (key == null || !key.equals(g.getPromptId())) {
            problems.add("the record key must be the prompt_id ('" + g.getPromptId() + "'), was '" + key + "'");
        }
        if (!problems.isEmpty()) {
            throw new InvalidGenerationException("invalid generation " + g.getGenerationId() + ": " + String.join("; ", problems));
        }
    }

    private static List<String> bounded(List<String> list, String added, int max) {
        List<String> out = new ArrayList<>(list);
        out.add(added);
        return out.size() > max ? new ArrayList<>(out.subList(out.size() - max, out.size())) : out;
    }

    private void expire(long now) {
        long cutoff = now - config.promptTtl().toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, PairingState> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (kv.value.getLastSeen().toEpochMilli() < cutoff) {
                    expired.add(kv.key);
                }
            }
        }
        expired.forEach(store::delete);
    }
}
