package dev.rlaif.labeling.gold;

import dev.rlaif.common.dataset.Datasets;
import dev.rlaif.common.dataset.PreferenceExample;
import dev.rlaif.schema.Choice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads gold items from a labeled pair file through the project's dataset readers; ties and unlabeled pairs are left out. */
public final class GoldSet {

    private GoldSet() {
    }

    public static List<GoldItem> load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("RLAIF_LABELING_GOLD_DATA: no file " + file);
        }
        Map<String, GoldItem> items = new LinkedHashMap<>();
        try (Stream<PreferenceExample> s = Datasets.readPairs(file, null)) {
            s.forEach(ex -> {
                if (ex.label() == Choice.A) {
                    items.putIfAbsent(ex.id(), new GoldItem(ex.id(), ex.prompt(), ex.responseA(), ex.responseB()));
                } else if (ex.label() == Choice.B) {
                    items.putIfAbsent(ex.id(), new GoldItem(ex.id(), ex.prompt(), ex.responseB(), ex.responseA()));
                }
            });
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("RLAIF_LABELING_GOLD_DATA: " + e.getMessage(), e);
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException("RLAIF_LABELING_GOLD_DATA: " + file + " has no pair labeled A or B");
        }
        return new ArrayList<>(items.values());
    }
}
