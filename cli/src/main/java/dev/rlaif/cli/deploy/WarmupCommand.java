package dev.rlaif.cli.deploy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlaif.rm.encode.MiniLmEncoder;
import dev.rlaif.rm.encode.TextEncoders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Loads the PyTorch engine and the sentence encoder once, so DJL unpacks their native libraries (PyTorch, its JNI
 * binding, the Hugging Face tokenizer) into {@code DJL_CACHE_DIR}. The container image runs it at build time:
 * containers then start with {@code -Dai.djl.offline=true} and download nothing. With {@code --encoder NAME} (or a
 * static encoder named in {@code RLAIF_SCORER_ENCODER} / {@code RLAIF_TRAINER_ENCODER}) it also opens that encoder,
 * which distils a static encoder's table from its jar's model into {@code RLAIF_STATIC_EMBEDDINGS_DIR} (about a
 * minute on 2 cores), so the first request does not wait for it.
 */
@Command(name = "warmup", mixinStandardHelpOptions = true,
        description = "Load the PyTorch engine and the text encoder once, filling DJL_CACHE_DIR (run by the image build).")
public final class WarmupCommand implements Callable<Integer> {

    @Option(names = "--encoder", description = "Also open this encoder (repeatable), e.g. static-bge-small: builds its static table.")
    List<String> encoders = new ArrayList<>();

    @Override
    public Integer call() {
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(new float[]{1f, 2f, 3f});
            float sum = x.sum().getFloat();
            if (sum != 6f) {
                throw new IllegalStateException("PyTorch computed 1+2+3 = " + sum);
            }
        }
        MiniLmEncoder encoder = new MiniLmEncoder();
        int dim = encoder.encode(List.of("warm up")).get(0).length;
        System.out.println("warmup: " + engine.getEngineName() + " " + engine.getVersion() + ", encoder " + encoder.id()
                + " (" + dim + " dimensions), DJL cache " + System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR")));
        List<String> names = new ArrayList<>(encoders);
        for (String env : List.of("RLAIF_SCORER_ENCODER", "RLAIF_TRAINER_ENCODER")) {
            String v = System.getenv(env);
            if (v != null && v.contains("static-") && !names.contains(v)) {
                names.add(v);
            }
        }
        for (String name : names) {
            long t0 = System.nanoTime();
            var e = TextEncoders.byName(name);
            e.encode(List.of("warm up"));
            System.out.printf("warmup: encoder %s (%s, %d dimensions) ready in %.1f s%n", name, e.id(), e.dimension(), (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }
}
