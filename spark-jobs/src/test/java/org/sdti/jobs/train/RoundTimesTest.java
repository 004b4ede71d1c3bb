package org.sdti.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the rounds' time went: each round's line and the report's counters, summed over rounds (issue 15). */
class RoundTimesTest {
    @Test
    void aRoundIsItsJobAndTheDriversWorkAfterItAndTheReportSumsRoundsInMilliseconds() {
        RoundTimes.Round first = new RoundTimes.Round(2.0, 3.5, 0.25, 0.125);
        assertEquals(2.375, first.seconds(), 1e-12, "the tasks' steps ran side by side: not part of the sum");
        assertEquals("round 2.38 s: Spark job 2.00 s (training steps in tasks 3.50 s), checkpoints and loss files "
                + "0.25 s, validation and final files 0.13 s", first.describe());
        RoundTimes run = new RoundTimes();
        assertEquals(Map.of("round_ms", 0L, "round_spark_ms", 0L, "round_task_steps_ms", 0L, "round_writes_ms", 0L,
                "round_finish_ms", 0L), run.counters(), "no round");
        run.add(first);
        run.add(new RoundTimes.Round(1.0004, 1.5, 0.5, 0));
        assertEquals(Map.of("round_ms", 3875L, "round_spark_ms", 3000L, "round_task_steps_ms", 5000L,
                "round_writes_ms", 750L, "round_finish_ms", 125L), run.counters());
    }
}
