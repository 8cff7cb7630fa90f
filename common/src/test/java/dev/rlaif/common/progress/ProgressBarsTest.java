package dev.rlaif.common.progress;

import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarsTest {

    @Test
    void withoutATerminalOneLinePerTenth() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ProgressBar bar = ProgressBars.of("encode", 1000, null, false, out)) {
            for (int i = 0; i < 1000; i++) {
                bar.step();
                if (i % 100 == 0) {
                    bar.refresh();
                }
            }
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).isNotEmpty().hasSizeLessThanOrEqualTo(11).allMatch(l -> l.startsWith("encode "));
        assertThat(lines).doesNotHaveDuplicates();
        assertThat(lines.get(lines.size() - 1)).startsWith("encode 100% (1000/1000");
        assertThat(String.join("\n", lines)).doesNotContain("\r");
    }
}
