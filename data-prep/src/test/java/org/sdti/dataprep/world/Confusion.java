package org.sdti.dataprep.world;

import java.util.Arrays;

/** A confusion table over an enum's values (rows: truth, columns: what was read; last column: nothing read). */
final class Confusion<E extends Enum<E>> {
    private final E[] classes;
    private final int[][] counts;

    Confusion(E[] classes) {
        this.classes = classes;
        this.counts = new int[classes.length][classes.length + 1];
    }

    void add(E truth, E read) {
        counts[truth.ordinal()][read == null ? classes.length : read.ordinal()]++;
    }

    double accuracy() {
        int right = 0;
        int all = 0;
        for (int i = 0; i < classes.length; i++) {
            right += counts[i][i];
            all += Arrays.stream(counts[i]).sum();
        }
        return all == 0 ? 0 : right / (double) all;
    }

    /** Rows of truth, columns of readings, counts; a percentage right per row. */
    String table(String title) {
        StringBuilder out = new StringBuilder(String.format("%s: %.2f %% right%n%-9s", title, 100 * accuracy(), ""));
        for (E c : classes) {
            out.append(String.format("%9.9s", c.name().toLowerCase(java.util.Locale.ROOT)));
        }
        out.append(String.format("%9s%8s%n", "none", "right"));
        for (int i = 0; i < classes.length; i++) {
            out.append(String.format("%-9s", classes[i].name().toLowerCase(java.util.Locale.ROOT)));
            int all = 0;
            for (int n : counts[i]) {
                out.append(String.format("%9d", n));
                all += n;
            }
            out.append(String.format("%7.1f%%%n", all == 0 ? 0 : 100.0 * counts[i][i] / all));
        }
        return out.toString();
    }
}
