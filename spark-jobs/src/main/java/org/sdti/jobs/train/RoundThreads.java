package org.sdti.jobs.train;

/**
 * The threads per op a concept's rounds ran with in one run ({@code threads_per_task} in the report): their common
 * count, or 0 once two differ, since results are bit-identical only between equal counts (issue 15).
 */
final class RoundThreads {
    private int threads;
    private boolean any;

    /** The common count of {@code threads}, or 0 when they differ. */
    static int common(int... threads) {
        int first = threads[0];
        for (int t : threads) {
            if (t != first) {
                return 0;
            }
        }
        return first;
    }

    /** Adds a round's count; returns whether it made the counts differ (true once, for a warning). */
    boolean add(int roundThreads) {
        boolean wasMixed = any && threads == 0;
        threads = any ? common(threads, roundThreads) : roundThreads;
        any = true;
        return threads == 0 && !wasMixed;
    }

    /** The common count; 0 when no round ran or the rounds' counts differed. */
    int value() {
        return threads;
    }
}
