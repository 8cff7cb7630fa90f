package dev.rlaif.rm.encode;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.data.PairFiles;
import dev.rlaif.rm.feature.FeatureExtractor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.rlaif.rm.encode.OnnxMiniLmTest.dot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The static-embedding encoder: its Java tokenizer, the table's post-processing and file, encoding. */
class StaticEncoderTest {

    private static final String BREAD = "How do I bake a loaf of bread at home?";
    private static final String RECIPE = "Mix flour, water, salt and yeast, let the dough rise, then bake it for forty minutes.";
    private static final String STOCKS = "Shares of technology companies fell sharply on Tuesday.";

    @Test
    void theJavaWordPieceGivesTheHuggingFaceTokenizersIds() throws Exception {
        List<String> texts = new ArrayList<>(List.of(
                "Héllo, WORLD!! naïve café — “quoted” ‘text’ … 10,000.5% e-mail@x.org",
                "日本語のテキスト and 中文 mixed with English", "emoji 😀👍🏽 and symbols ™ © ± ∞ → ★",
                "tab\tnew\nline\r\ncarriage\u000bvertical\u0000nul\u200bzero-width",
                "supercalifragilisticexpialidocious antidisestablishmentarianism " + "x".repeat(120),
                "", "   ", "Ünïcödé ÀÉÎÕÜ ß Æ œ ĳ İstanbul"));
        List<LabeledPair> pairs = PairFiles.read(SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz"), null);
        for (LabeledPair p : pairs.subList(0, 400)) {
            texts.add(FeatureExtractor.lastUserTurn(p.prompt()));
            texts.add(p.chosen());
            texts.add(p.rejected());
        }
        for (OnnxSentenceModel.Model model : List.of(OnnxSentenceModel.MINILM, OnnxSentenceModel.BGE_SMALL_Q)) {
            WordPiece mine = WordPiece.of(model);
            WindowedEncoder windows = new WindowedEncoder(model);
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(model.resource() + "-tokenizer.json");
                 HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(in, Map.of("addSpecialTokens", "false", "truncation", "false"))) {
                int compared = 0;
                for (String text : texts) {
                    List<String> parts = new ArrayList<>(windows.windows(text));
                    parts.add(text);
                    for (String w : parts) {
                        long[] theirs = hf.encode(w).getIds();
                        List<Long> ids = new ArrayList<>();
                        mine.tokenize(w, ids::add);
                        assertThat(ids.stream().mapToLong(Long::longValue).toArray()).as(model.id() + ": " + w).isEqualTo(theirs);
                        compared++;
                    }
                }
                assertThat(compared).isGreaterThan(1200);
            }
        }
    }

    @Test
    void postProcessingCentresReducesByPcaAndWeightsRareTokensMore() {
        Random r = new Random(7);
        int n = 2000;
        int in = 12;
        float[][] raw = new float[n][in];
        for (float[] row : raw) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            for (int d = 0; d < in; d++) {   // variance mostly along two directions, plus an offset and a little noise
                row[d] = (float) (5 + 3 * a * (d % 2 == 0 ? 1 : -1) + 1.5 * b * (d < 6 ? 1 : 0) + 0.05 * r.nextGaussian());
            }
        }
        StaticEmbeddings t = StaticEmbeddings.postProcess("test", raw, 3, 1e-3);
        assertThat(t.dimension()).isEqualTo(3);
        assertThat(t.vocab()).isEqualTo(n);
        double[] var = new double[3];
        double[] mean = new double[3];
        for (int i = 0; i < n; i++) {
            float[] row = new float[3];
            t.addRow(i, row);
            double w = weight(i, n, 1e-3);
            for (int k = 0; k < 3; k++) {
                mean[k] += row[k] / w / n;
                var[k] += (row[k] / w) * (row[k] / w) / n;
            }
        }
        for (int k = 0; k < 3; k++) {
            assertThat(mean[k]).as("centred").isCloseTo(0.0, within(1e-3));
        }
        assertThat(var[0]).isCloseTo(9.0 * in, within(0.15 * 9 * in));   // the first component carries 3a on every dim
        assertThat(var[1]).isCloseTo(2.25 * 6, within(0.15 * 2.25 * 6));
        assertThat(var[2]).isLessThan(0.01);
        // SIF: frequent (low-rank) tokens are shrunk, rare ones nearly kept
        assertThat(weight(0, n, 1e-3)).isLessThan(0.5);
        assertThat(weight(n - 1, n, 1e-3)).isGreaterThan(0.9);
        float[] outside = new float[3];
        assertThat(t.addRow(n, outside)).isFalse();
        assertThat(outside).containsOnly(0f);
    }

    private static double weight(int rank, int n, double sif) {
        double z = 0;
        for (int i = 0; i < n; i++) {
            z += 1.0 / (i + 2);
        }
        double p = (1.0 / (rank + 2)) / z;
        return sif / (sif + p);
    }

    @Test
    void theTableFileRoundTripsAndACutFileIsRebuiltNotRead(@TempDir Path dir) throws Exception {
        StaticEmbeddings t = randomTable(StaticEmbeddings.idOf(OnnxSentenceModel.MINILM), 50, 4);
        Path file = dir.resolve("t.tbl");
        t.write(file);
        StaticEmbeddings back = StaticEmbeddings.read(file, t.id());
        for (int i = 0; i < 50; i++) {
            float[] a = new float[4];
            float[] b = new float[4];
            t.addRow(i, a);
            back.addRow(i, b);
            assertThat(b).isEqualTo(a);
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - 3);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StaticEmbeddings.read(file, t.id()))
                .hasMessageContaining("cut short");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StaticEmbeddings.read(file, "other"))
                .hasMessageContaining("expected other");
        try (var s = Files.list(dir)) {
            assertThat(s.filter(p -> p.toString().endsWith(".tmp")).count()).as("no temporary file left").isZero();
        }
    }

    @Test
    void aTextsVectorIsTheNormalisedMeanOfItsWordPieceRowsAndDependsOnItAlone(@TempDir Path dir) throws Exception {
        OnnxSentenceModel.Model src = OnnxSentenceModel.MINILM;
        StaticEmbeddings.Vocabulary v = StaticEmbeddings.Vocabulary.of(src);
        StaticEmbeddings table = randomTable(StaticEmbeddings.idOf(src), v.size(), StaticEmbeddings.PCA_DIMS);
        table.write(dir.resolve(StaticEmbeddings.idOf(src).replaceAll("[^A-Za-z0-9._-]", "_") + ".tbl"));
        StaticEncoder enc = new StaticEncoder(src, dir);
        assertThat(enc.id()).isEqualTo("m2v-all-minilm-l6-v2/pca256/w64x4");
        assertThat(enc.dimension()).isEqualTo(256);

        List<String> texts = List.of(BREAD, RECIPE, STOCKS, "", "word ".repeat(300));
        List<float[]> together = enc.encode(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = enc.encode(List.of(texts.get(i))).get(0);
            assertThat(alone).isEqualTo(together.get(i));
            assertThat(dot(alone, alone)).isCloseTo(1.0, within(1e-5));
        }
        // the mean of the pieces' rows: "bread bread" is "bread"; the empty text is "(empty)"
        assertThat(enc.encode(List.of("bread bread")).get(0)).isEqualTo(enc.encode(List.of("bread")).get(0));
        assertThat(enc.encode(List.of("")).get(0)).isEqualTo(enc.encode(List.of("(empty)")).get(0));
        // only the first 256 words count, as for the transformer encoders
        String head = "alpha ".repeat(256);
        assertThat(enc.encode(List.of(head + "omega omega")).get(0)).isEqualTo(enc.encode(List.of(head)).get(0));
        // not cached (a lookup would cost more than the encoding): no file, nothing held, every text counts as seen
        Path cacheDir = dir.resolve("cache");
        try (EmbeddingCache cache = EmbeddingCache.open(enc, cacheDir)) {
            List<float[]> viaCache = cache.encode(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(viaCache.get(i)).isEqualTo(together.get(i));
            }
            assertThat(cache.contains("a text never encoded")).isTrue();
            assertThat(cache.size()).isZero();
        }
        assertThat(Files.exists(cacheDir)).isFalse();
        // named, and the manifest id maps back to the name
        assertThat(TextEncoders.isName("static-minilm")).isTrue();
        assertThat(TextEncoders.nameOfId(enc.id())).isEqualTo("static-minilm");
        assertThat(TextEncoders.nameOfId(enc.id() + "+bge-small-en-v1.5-q/w64x4")).isEqualTo("static-minilm+bge-small");
    }

    /** Distils the real table from the fp32 MiniLM (about a minute on 2 cores): its vectors mean something. */
    @Test
    @Tag("broker")
    void theDistilledTableGivesVectorsThatMeanSomething(@TempDir Path dir) throws Exception {
        StaticEncoder enc = new StaticEncoder(OnnxSentenceModel.MINILM, dir);
        List<float[]> v = enc.encode(List.of(BREAD, RECIPE, STOCKS));
        assertThat(dot(v.get(0), v.get(1))).isGreaterThan(dot(v.get(0), v.get(2)) + 0.1);
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("m2v-all-minilm-l6-v2_pca256.tbl");
        }
        // the file another JVM would read holds the same table
        StaticEmbeddings onDisk = StaticEmbeddings.read(dir.resolve("m2v-all-minilm-l6-v2_pca256.tbl"), enc.table().id());
        for (int id : new int[] {0, 1996, 7592, onDisk.vocab() - 1}) {
            float[] a = new float[onDisk.dimension()];
            float[] b = new float[onDisk.dimension()];
            onDisk.addRow(id, a);
            enc.table().addRow(id, b);
            assertThat(a).isEqualTo(b);
        }
    }

    private static StaticEmbeddings randomTable(String id, int vocab, int dim) {
        Random r = new Random(3);
        float[] rows = new float[vocab * dim];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) r.nextGaussian();
        }
        return new StaticEmbeddings(id, vocab, dim, rows);
    }
}
