package dev.rlaif.rm.cli;

import me.tongfei.progressbar.ProgressBar;

/** Progress bars on stderr for the long offline work (a bar on a terminal, a line per tenth otherwise). */
final class Bars {

    private Bars() {
    }

    static ProgressBar of(String task, long max) {
        return dev.rlaif.common.progress.ProgressBars.of(task, max, null);
    }
}
