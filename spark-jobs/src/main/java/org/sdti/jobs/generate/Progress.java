package org.sdti.jobs.generate;

import java.io.PrintWriter;
import java.util.Locale;
import org.sdti.model.pipelines.StepListener;

/**
 * The progress line on stderr: step, steps per second (since the first step ended, so that graph compilation does
 * not count) and the estimated time left. On a terminal the line is redrawn in place; otherwise (logs) one line
 * per step.
 */
public final class Progress implements StepListener {
    private final PrintWriter err;
    private final String label;
    private final boolean redraw;
    private long start = System.nanoTime();
    private long firstStepEnd;

    public Progress(PrintWriter err, String label, boolean redraw) {
        this.err = err;
        this.label = label;
        this.redraw = redraw;
    }

    /** Restarts the clock (call right before the generation starts). */
    public void start() {
        start = System.nanoTime();
        firstStepEnd = 0;
    }

    @Override
    public void onStep(Step step) {
        long now = System.nanoTime();
        int done = step.index() + 1;
        if (step.index() == 0) {
            firstStepEnd = now;
        }
        double rate = done > 1 ? (done - 1) / ((now - firstStepEnd) / 1e9) : done / ((now - start) / 1e9);
        double eta = (step.steps() - done) / rate;
        String line = String.format(Locale.ROOT, "%s: step %d/%d, %.2f steps/s, ETA %s", label, done, step.steps(),
                rate, duration(eta));
        if (redraw) {
            err.print("\r" + line + "   ");
            if (done == step.steps()) {
                err.println();
            }
        } else {
            err.println(line);
        }
        err.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
