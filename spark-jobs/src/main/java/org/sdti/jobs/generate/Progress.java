package org.sdti.jobs.generate;

import java.io.PrintWriter;
import java.util.Locale;
import org.sdti.model.pipelines.StepListener;

/**
 * The progress line on stderr: how many units (sampler steps, images) are done, units per second (from the first
 * update on, so that graph compilation in the first unit does not count) and the estimated time left. On a
 * terminal the line is redrawn in place; otherwise (logs) one line per update.
 */
public final class Progress implements StepListener {
    private final PrintWriter err;
    private final String label;
    private final boolean redraw;
    private final String unit;
    private long start = System.nanoTime();
    private long firstDone;
    private long firstTime;

    /** Counts sampler steps. */
    public Progress(PrintWriter err, String label, boolean redraw) {
        this(err, label, redraw, "step");
    }

    /** @param unit what is counted, singular ("image"): the line reads {@code image 16/480, 0.52 images/s} */
    public Progress(PrintWriter err, String label, boolean redraw, String unit) {
        this.err = err;
        this.label = label;
        this.redraw = redraw;
        this.unit = unit;
    }

    /** Restarts the clock (call right before the work starts). */
    public void start() {
        start = System.nanoTime();
        firstDone = 0;
    }

    @Override
    public void onStep(Step step) {
        update(step.index() + 1, step.steps());
    }

    /** {@code done} of {@code total} units are done. */
    public void update(long done, long total) {
        long now = System.nanoTime();
        if (firstDone == 0) {
            firstDone = done;
            firstTime = now;
        }
        double rate = done > firstDone ? (done - firstDone) / ((now - firstTime) / 1e9) : done / ((now - start) / 1e9);
        double eta = (total - done) / rate;
        String line = String.format(Locale.ROOT, "%s: %s %d/%d, %.2f %ss/s, ETA %s", label, unit, done, total, rate,
                unit, duration(eta));
        if (redraw) {
            err.print("\r" + line + "   ");
            if (done == total) {
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
