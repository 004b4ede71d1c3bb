package org.sdti.model.inversion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    /** Steps 1..total with {@code secondsPerStep} each on a fake clock; the steps after which a line was due. */
    static List<Long> lines(long total, int every, double secondsPerStep) {
        long[] now = {0};
        ProgressLine p = new ProgressLine(total, () -> now[0]);
        p.started(0);
        List<Long> due = new ArrayList<>();
        for (long step = 1; step <= total; step++) {
            now[0] += (long) (secondsPerStep * 1e9);
            if (p.due(step, every)) {
                due.add(step);
            }
        }
        return due;
    }

    @Test
    void fastStepsPrintEveryNStepsAndTheFirstAndLast() {
        assertEquals(List.of(1L, 10L, 20L, 25L), lines(25, 10, 0.1));
    }

    @Test
    void slowStepsPrintAtLeastEveryThirtySeconds() {
        // 45 s a step (full size on a CPU): every step says something, not only every tenth
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), lines(5, 10, 45));
        // 12 s a step: a line at least every 30 s, i.e. every third step, and at the tenth
        assertEquals(List.of(1L, 4L, 7L, 10L, 13L, 16L, 19L, 20L), lines(20, 10, 12));
    }

    @Test
    void theLineSaysSpeedAndTimeLeft() {
        long[] now = {0};
        ProgressLine p = new ProgressLine(100, () -> now[0]);
        p.started(0);
        now[0] = 20_000_000_000L; // 10 steps in 20 s
        assertEquals("step 10/100 loss 0.5000 smoothed 0.2500 lr 1.00e-03 0.50 steps/s ETA 0:03:00",
                p.line(new LossLog.Entry(10, 0.5, 0.25, 1e-3, 0.0)));
    }
}
