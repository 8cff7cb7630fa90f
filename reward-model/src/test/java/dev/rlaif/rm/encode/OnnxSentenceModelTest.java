package dev.rlaif.rm.encode;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.rlaif.rm.encode.OnnxMiniLmTest.dot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The stronger encoders, run offline from their jars, and the batched fp32 path. */
class OnnxSentenceModelTest {

    private static final String BREAD = "How do I bake a loaf of bread at home?";
    private static final String RECIPE = "Mix flour, water, salt and yeast, let the dough rise, then bake it for forty minutes.";
    private static final String STOCKS = "Shares of technology companies fell sharply on Tuesday.";

    @Test
    void eachModelGivesUnitVectorsThatMeanSomething() {
        for (OnnxSentenceModel.Model model : OnnxSentenceModel.MODELS) {
            OnnxSentenceModel m = OnnxSentenceModel.of(model);
            float[] bread = m.embed(BREAD);
            assertThat(bread).as(model.id()).hasSize(model.dimension());
            assertThat(dot(bread, bread)).as(model.id()).isCloseTo(1.0, within(1e-5));
            assertThat(dot(bread, m.embed(RECIPE))).as(model.id()).isGreaterThan(dot(bread, m.embed(STOCKS)) + 0.05);
        }
    }

    @Test
    void theVectorsAreTheModelCardsAsLangchain4jComputesThem() {
        // fp32 MiniLM (mean pooling) and int8 BGE ([CLS] pooling): the same vectors as langchain4j's own models
        float[] mine = OnnxSentenceModel.of(OnnxSentenceModel.MINILM).embed(RECIPE);
        float[] theirs = new AllMiniLmL6V2EmbeddingModel().embed(RECIPE).content().vector();
        assertThat(dot(mine, theirs)).isGreaterThan(0.99999);
        float[] bge = OnnxSentenceModel.of(OnnxSentenceModel.BGE_SMALL_Q).embed(RECIPE);
        float[] bgeTheirs = new BgeSmallEnV15QuantizedEmbeddingModel().embed(RECIPE).content().vector();
        assertThat(dot(bge, bgeTheirs)).isGreaterThan(0.9999);
        // fp32 BGE, batched: langchain4j's own fp32 model, and close to (not equal to) its int8 quantisation
        List<float[]> fp32 = OnnxSentenceModel.of(OnnxSentenceModel.BGE_SMALL).embedAll(List.of(BREAD, RECIPE, STOCKS));
        assertThat(dot(fp32.get(1), new BgeSmallEnV15EmbeddingModel().embed(RECIPE).content().vector())).isGreaterThan(0.9999);
        assertThat(dot(fp32.get(1), bge)).isGreaterThan(0.9).isLessThan(0.99999);
    }

    @Test
    void aBatchedFp32VectorDoesNotDependOnItsBatchMates() {
        OnnxSentenceModel m = OnnxSentenceModel.of(OnnxSentenceModel.MINILM);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 70; i++) {   // three batches, lengths from 1 to 70 words
            texts.add(("word" + i + " ").repeat(i + 1).trim());
        }
        texts.add(5, BREAD);
        texts.add(40, RECIPE + " " + RECIPE);
        List<float[]> batched = m.embedAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = m.embed(texts.get(i));
            assertThat(dot(alone, batched.get(i))).as(texts.get(i)).isGreaterThanOrEqualTo(0.99999);
        }
    }

    @Test
    void encodersByNameAndManifestIdRoundTripAndConcatenate() {
        assertThat(TextEncoders.nameOfId("all-minilm-l6-v2-q/w64x4")).isEqualTo("minilm");
        for (String name : List.of("minilm", "minilm-fp32", "bge-small", "bge-small-fp32", "e5-small", "hashing-64",
                "bge-small+e5-small+minilm", "e5-small+bge-small-fp32")) {
            assertThat(TextEncoders.nameOfId(TextEncoders.byName(name).id())).isEqualTo(name);
        }
        assertThat(TextEncoders.isName("bge-small+nope")).isFalse();
        assertThat(TextEncoders.byName("bge-small-fp32").id()).isNotEqualTo(TextEncoders.byName("bge-small").id());
        TextEncoder both = TextEncoders.byName("hashing-8+hashing-16");
        assertThat(both.dimension()).isEqualTo(24);
        float[] v = both.encode(List.of("a b c")).get(0);
        float[] a = new HashingEncoder(8).encode(List.of("a b c")).get(0);
        float[] b = new HashingEncoder(16).encode(List.of("a b c")).get(0);
        assertThat(java.util.Arrays.copyOfRange(v, 0, 8)).containsExactly(a);
        assertThat(java.util.Arrays.copyOfRange(v, 8, 24)).containsExactly(b);
    }
}
