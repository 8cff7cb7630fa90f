package dev.rlaif.cli.deploy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlaif.rm.encode.MiniLmEncoder;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * Loads the PyTorch engine and the sentence encoder once, so DJL unpacks their native libraries (PyTorch, its JNI
 * binding, the Hugging Face tokenizer) into {@code DJL_CACHE_DIR}. The container image runs it at build time:
 * containers then start with {@code -Dai.djl.offline=true} and download nothing.
 */
@Command(name = "warmup", mixinStandardHelpOptions = true,
        description = "Load the PyTorch engine and the text encoder once, filling DJL_CACHE_DIR (run by the image build).")
public final class WarmupCommand implements Callable<Integer> {

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
        return 0;
    }
}
