package dev.rlaif.common.progress;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressBarStyle;
import me.tongfei.progressbar.ProgressState;

import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * Progress bars for the CLI's long work: an animated bar on a terminal; without one (a log file, CI, a pipe) one
 * plain line per tenth of the work instead of a new frame every half second (a captured log once held a 15 KB line
 * of {@code encode 0%} frames).
 */
public final class ProgressBars {

    private ProgressBars() {
    }

    /** A bar on stderr; {@code max < 0} for unknown totals. */
    public static ProgressBar of(String task, long max, String unit) {
        return of(task, max, unit, System.console() != null, System.err);
    }

    static ProgressBar of(String task, long max, String unit, boolean terminal, PrintStream out) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate();
        if (unit != null) {
            b.setUnit(unit, 1);
        }
        if (!terminal) {
            TenthsRenderer renderer = new TenthsRenderer(unit == null ? "" : unit);
            b.setRenderer(renderer).setConsumer(new DelegatingProgressBarConsumer(lines(out)));
        }
        return b.build();
    }

    private static Consumer<String> lines(PrintStream out) {
        return s -> {
            if (!s.isEmpty()) {
                out.println(s);
            }
        };
    }

    /**
     * Renders a line only when the work crossed another tenth (or, with no known total, every 10 s), else an empty
     * string, which the consumer skips.
     */
    static final class TenthsRenderer implements ProgressBarRenderer {
        private final String unit;
        private int lastTenth = -1;
        private long lastIndefiniteMs = -10_000;

        TenthsRenderer(String unit) {
            this.unit = unit;
        }

        @Override
        public synchronized String render(ProgressState state, int maxLength) {
            long current = state.getCurrent();
            long max = state.getMax();
            long elapsed = state.getElapsedAfterStart().toMillis();
            if (max <= 0) {
                if (elapsed - lastIndefiniteMs < 10_000) {
                    return "";
                }
                lastIndefiniteMs = elapsed;
                return String.format("%s %d%s (%.0f s)", state.getTaskName(), current, unit, elapsed / 1000.0);
            }
            int tenth = (int) Math.min(10, current * 10 / max);
            if (tenth == lastTenth) {
                return "";
            }
            lastTenth = tenth;
            return String.format("%s %d%% (%d/%d%s, %.0f s)", state.getTaskName(), tenth * 10, current, max, unit, elapsed / 1000.0);
        }
    }
}
