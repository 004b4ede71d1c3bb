package org.sdti.model.inversion;

import java.util.ArrayList;
import java.util.List;

/**
 * The loss curve of a run: one entry per step with the loss, its smoothed value, the learning rate and the
 * gradient norm, written as {@code loss.csv}. The smoothed loss is an exponential moving average (β = 0.98, about
 * the last 50 steps) corrected for its start as Adam corrects its moments: single-step losses vary several-fold
 * with the drawn timestep, so only an average says whether training goes anywhere.
 *
 * <p>A resumed run reloads the entries up to its checkpoint and drops the rest, so the file of an interrupted and
 * resumed run equals that of an uninterrupted one.
 */
public final class LossLog {
    public static final String FILE = "loss.csv";
    public static final String HEADER = "step,loss,smoothed_loss,learning_rate,gradient_norm";
    static final double BETA = 0.98;

    /** One step of the curve. */
    public record Entry(long step, double loss, double smoothed, double learningRate, double gradientNorm) {}

    private final List<Entry> entries = new ArrayList<>();
    private double average;
    private long count;

    public LossLog() {}

    /**
     * The entries of a {@code loss.csv} up to and including {@code upToStep}, re-smoothed. Entries must run 1, 2,
     * 3 ...; anything else (a file from another run) starts an empty log.
     */
    public static LossLog parse(String csv, long upToStep) {
        LossLog log = new LossLog();
        String[] lines = csv.split("\r?\n");
        if (lines.length == 0 || !lines[0].trim().equals(HEADER)) {
            return log;
        }
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",");
            try {
                long step = Long.parseLong(f[0]);
                if (step > upToStep) {
                    break;
                }
                if (step != log.entries.size() + 1) {
                    return new LossLog();
                }
                log.add(new StepRecord(step, Double.parseDouble(f[1]), Double.parseDouble(f[3]),
                        Double.parseDouble(f[4])));
            } catch (RuntimeException e) {
                return new LossLog();
            }
        }
        return log;
    }

    public Entry add(StepRecord r) {
        count++;
        average = BETA * average + (1 - BETA) * r.loss();
        double smoothed = average / (1 - Math.pow(BETA, count));
        Entry e = new Entry(r.step(), r.loss(), smoothed, r.learningRate(), r.gradientNorm());
        entries.add(e);
        return e;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The last entry's step, 0 when empty. */
    public long lastStep() {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).step();
    }

    /** Values written with {@link Double#toString}: they read back exactly. */
    public String toCsv() {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Entry e : entries) {
            b.append(e.step()).append(',').append(e.loss()).append(',').append(e.smoothed()).append(',')
                    .append(e.learningRate()).append(',').append(e.gradientNorm()).append('\n');
        }
        return b.toString();
    }
}
