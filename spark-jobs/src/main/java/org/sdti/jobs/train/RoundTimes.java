package org.sdti.jobs.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the train stage's rounds spend their time, summed over a run for the report: each round's wall time on the
 * driver, split into its Spark job (scheduling, the shuffles of data and states, the tasks) and the driver's work
 * after it (checkpoints and loss files; validation images and final files), beside the time the round's tasks spent
 * in training steps (summed over tasks, so with tasks side by side it can exceed the job's wall time). What a round
 * costs beyond its compute is its wall time minus the steps' time over the task slots that ran them; the slots are
 * the cluster's, which the report leaves to the reader.
 */
final class RoundTimes {
    /**
     * One round, in seconds.
     *
     * @param job       its Spark job, from submission to the averaged states on the driver
     * @param steps     the time its tasks spent in training steps, summed over tasks
     * @param writes    the driver's checkpoints and loss files, after the job
     * @param finishing validation images and final files of the concepts due, after the writes
     */
    record Round(double job, double steps, double writes, double finishing) {
        double seconds() {
            return job + writes + finishing;
        }

        /** The round's part of its log line. */
        String describe() {
            return String.format(Locale.ROOT, "round %.2f s: Spark job %.2f s (training steps in tasks %.2f s), "
                    + "checkpoints and loss files %.2f s, validation and final files %.2f s", seconds(), job, steps,
                    writes, finishing);
        }
    }

    /** The rounds so far, summed. */
    private Round total = new Round(0, 0, 0, 0);

    void add(Round r) {
        total = new Round(total.job() + r.job(), total.steps() + r.steps(), total.writes() + r.writes(),
                total.finishing() + r.finishing());
    }

    /** The report's counters, in milliseconds: {@code round_ms} and its parts, and {@code round_task_steps_ms}. */
    Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("round_ms", ms(total.seconds()));
        m.put("round_spark_ms", ms(total.job()));
        m.put("round_task_steps_ms", ms(total.steps()));
        m.put("round_writes_ms", ms(total.writes()));
        m.put("round_finish_ms", ms(total.finishing()));
        return m;
    }

    private static long ms(double seconds) {
        return Math.round(seconds * 1000);
    }
}
