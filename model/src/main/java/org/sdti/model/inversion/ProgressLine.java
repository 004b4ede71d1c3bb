package org.sdti.model.inversion;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The line a run prints every few steps, e.g.
 * {@code step 120/2000 loss 0.1523 smoothed 0.1611 lr 5.00e-04 1.83 steps/s ETA 0:17:06}.
 * The speed counts the steps of this process (a resumed run starts counting at its checkpoint), measured from
 * the first step's start, so the graph build before it does not distort the estimate. A line is due after the
 * first and last steps, every {@code every} steps, and whenever {@link #MAX_SILENCE_NANOS} have passed since the
 * last one: a fixed step interval alone leaves minutes of silence where a step takes 45 s (full size on a CPU).
 */
public final class ProgressLine {
    /** The longest a run stays silent between lines. */
    public static final long MAX_SILENCE_NANOS = 30_000_000_000L;

    private final long total;
    private final LongSupplier nanos;
    private long firstStep = -1;
    private long startNanos;
    private long lastLineNanos;

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
            lastLineNanos = startNanos;
        }
    }

    /** Whether a line is due after {@code step} (see the class comment); a true answer counts as printed. */
    public boolean due(long step, int every) {
        long now = nanos.getAsLong();
        boolean due = step == 1 || step == total || step % every == 0 || now - lastLineNanos >= MAX_SILENCE_NANOS;
        if (due) {
            lastLineNanos = now;
        }
        return due;
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

    /** {@code H:MM:SS}. */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
