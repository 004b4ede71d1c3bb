package org.sdti.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdti.model.inversion.TrainerState;

/** A round's result carries the threads per op its replicas ran with, 0 when they differed (issue 15). */
class ReplicaRoundThreadsTest {
    static ReplicaRound.Result replica(int replica, int threads, String failure) {
        TrainerState s = TrainerState.initial("c", 0, new float[][] {{replica, 1f}});
        return new ReplicaRound.Result("c", replica, s, ReplicaRound.Steps.of(List.of()), failure, 1, threads);
    }

    @Test
    void equalThreadsAreKeptAndDifferentOnesGiveZero() {
        assertEquals(2, ReplicaRound.average(List.of(replica(0, 2, null), replica(1, 2, null))).threads());
        assertEquals(4, ReplicaRound.average(List.of(replica(0, 4, null))).threads());
        assertEquals(0, ReplicaRound.average(List.of(replica(1, 2, null), replica(0, 1, null))).threads(),
                "replicas on executors with 1 and 2 cores");
        assertEquals(2, ReplicaRound.average(List.of(replica(0, 2, "NaN loss"), replica(1, 2, null))).threads(),
                "a failed round still says what it ran with");
    }

    @Test
    void aRunWhoseRoundsRanWithOtherThreadsReportsZeroAndSaysSoOnce() {
        assertEquals(2, RoundThreads.common(2, 2, 2));
        assertEquals(0, RoundThreads.common(2, 1));
        RoundThreads run = new RoundThreads();
        assertEquals(0, run.value(), "no round yet");
        assertFalse(run.add(2));
        assertFalse(run.add(2));
        assertEquals(2, run.value());
        assertTrue(run.add(1), "an executor with 1 core took a round");
        assertEquals(0, run.value());
        assertFalse(run.add(2), "said once");
        assertEquals(0, run.value());
        RoundThreads mixedFirst = new RoundThreads();
        assertTrue(mixedFirst.add(0), "the first round's replicas already differed");
        assertFalse(mixedFirst.add(0));
    }
}
