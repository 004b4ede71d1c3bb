package org.sdti.model.inversion;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The line a run prints every few steps, e.g.
 * {@code step 120/2000 loss 0.1523 smoothed 0.1611 lr 5.00e-04 1.83 steps/s ETA 0:17:06}.
 * The speed counts the steps of this process (a resumed run starts counting at its checkpoint), measured from
 * the first step's start, so the graph build before it does not distort the estimate.
 */
public final class ProgressLine {
    private final long total;
    private final LongSupplier nanos;
    private long firstStep = -1;
    private long startNanos;

    public ProgressLine(long totalSteps, LongSupplier nanoClock) {
        this.total = totalSteps;
        this.nanos = nanoClock;
    }

    public ProgressLine(long totalSteps) {
        this(totalSteps, System::nanoTime);
    }

    /** Marks the start of the step after {@code stepsDone}; only the first call counts. */
    public void started(long stepsDone) {
        if (firstStep < 0) {
            firstStep = stepsDone;
            startNanos = nanos.getAsLong();
        }
    }

    /** Steps per second since {@link #started}, 0 before a step has finished. */
    public double stepsPerSecond(long step) {
        double seconds = (nanos.getAsLong() - startNanos) / 1e9;
        long done = step - firstStep;
        return firstStep < 0 || done <= 0 || seconds <= 0 ? 0 : done / seconds;
    }

    public String line(LossLog.Entry e) {
        double rate = stepsPerSecond(e.step());
        String eta = rate > 0 ? duration((total - e.step()) / rate) : "?";
        return String.format(Locale.ROOT, "step %d/%d loss %.4f smoothed %.4f lr %.2e %.2f steps/s ETA %s",
                e.step(), total, e.loss(), e.smoothed(), e.learningRate(), rate, eta);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
