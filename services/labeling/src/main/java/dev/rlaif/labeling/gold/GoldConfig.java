package dev.rlaif.labeling.gold;

import dev.rlaif.common.config.Env;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gold items in the labeling queue, from {@code RLAIF_LABELING_GOLD_RATE} and {@code RLAIF_LABELING_GOLD_DATA}.
 *
 * @param rate share of served tasks replaced by a gold item, in [0, 1]; 0 = off
 * @param data the gold file (HH-RLHF, pairwise JSON lines with a label, or PandaLM), or null when off
 */
public record GoldConfig(double rate, Path data) {

    public static final GoldConfig OFF = new GoldConfig(0, null);

    public GoldConfig {
        if (Double.isNaN(rate) || rate < 0 || rate > 1) {
            throw new IllegalArgumentException("RLAIF_LABELING_GOLD_RATE must be in [0, 1], was " + rate);
        }
        if (rate > 0 && data == null) {
            throw new IllegalArgumentException("RLAIF_LABELING_GOLD_RATE=" + rate
                    + " needs RLAIF_LABELING_GOLD_DATA (a labeled pair file: hh-rlhf, pairwise or pandalm)");
        }
    }

    public static GoldConfig fromEnv(Env env) {
        return new GoldConfig(env.decimal("RLAIF_LABELING_GOLD_RATE", 0.0),
                env.get("RLAIF_LABELING_GOLD_DATA").filter(s -> !s.isBlank()).map(Path::of).orElse(null));
    }

    public boolean enabled() {
        return rate > 0;
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("goldRate", rate);
        m.put("goldData", data);
        return m;
    }
}
