package org.sdti.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdti.jobs.train.RoundPlan.Latent;
import org.sdti.jobs.train.RoundPlan.Part;
import org.sdti.jobs.train.RoundPlan.Trainee;
import org.sdti.jobs.train.RoundPlan.Unit;
import org.sdti.model.inversion.AdamW;
import org.sdti.model.inversion.LrSchedule;
import org.sdti.model.inversion.TrainingConfig;

/** A round's plan: which steps each concept takes, which units there are, and which share a pass. */
class RoundPlanTest {
    private static final Latent SMALL = new Latent(4, 8, 8);
    private static final Latent LARGE = new Latent(4, 16, 16);

    static TrainingConfig config(int steps, int batch, int accumulation) {
        return new TrainingConfig(steps, 5e-4, false, LrSchedule.Kind.CONSTANT, 0, batch, accumulation, 0,
                AdamW.defaults());
    }

    static Trainee trainee(String name, long step, int steps, int replicas) {
        return new Trainee(name, step, config(steps, 1, 1), replicas, SMALL);
    }

    @Test
    void eachConceptTrainsToItsNextMultipleOfAverageEveryOrItsEnd() {
        RoundPlan plan = RoundPlan.of(3, List.of(trainee("a", 0, 10, 1), trainee("b", 5, 10, 1),
                trainee("c", 8, 10, 2), trainee("d", 4, 4 + 1, 1)), 4, 8);
        assertEquals(List.of(new Part("a", 0, 4, 1, false), new Part("b", 5, 8, 1, false),
                new Part("c", 8, 10, 2, true), new Part("d", 4, 5, 1, true)), plan.parts());
        assertEquals(List.of(4, 3, 2, 1), plan.parts().stream().map(Part::steps).toList());
        assertEquals(3, plan.round());
        assertEquals(4 + 3 + 2 * 2 + 1, plan.replicaSteps(), "steps over every replica");
    }

    @Test
    void unitsOfOneShapeShareGroupsOfUnitsPerPassAConceptsReplicasSideBySide() {
        // a, b and d take 2 steps at the same shape; c's latents are larger; e is at another step count
        Trainee a = trainee("a", 0, 10, 3);
        Trainee b = trainee("b", 2, 10, 2);
        Trainee c = new Trainee("c", 0, config(10, 1, 1), 1, LARGE);
        Trainee d = trainee("d", 4, 10, 1);
        Trainee e = trainee("e", 1, 10, 1);
        RoundPlan plan = RoundPlan.of(1, List.of(a, b, c, d, e), 2, 4);
        assertEquals(List.of(
                List.of(new Unit("a", 0, 2), new Unit("a", 1, 2), new Unit("a", 2, 2), new Unit("b", 0, 2)),
                List.of(new Unit("b", 1, 2), new Unit("d", 0, 2)),
                List.of(new Unit("c", 0, 2)),
                List.of(new Unit("e", 0, 1))), plan.groups());
        assertEquals(8, plan.units());
        assertEquals(Map.of("a", List.of(0), "b", List.of(0, 1), "c", List.of(2), "d", List.of(1), "e", List.of(3)),
                plan.groupsOf(), "each concept's data goes to every group holding one of its units");
    }

    @Test
    void batchSettingsSeparateGroupsAndOneUnitPerPassGivesOneGroupPerUnit() {
        Trainee batch2 = new Trainee("b2", 0, config(4, 2, 1), 1, SMALL);
        Trainee accumulate2 = new Trainee("acc", 0, config(4, 1, 2), 1, SMALL);
        Trainee plain = trainee("plain", 0, 4, 2);
        assertEquals(3, RoundPlan.of(1, List.of(batch2, accumulate2, plain), 2, 8).groups().size());
        RoundPlan alone = RoundPlan.of(1, List.of(plain, batch2), 2, 1);
        assertEquals(List.of(List.of(new Unit("plain", 0, 2)), List.of(new Unit("plain", 1, 2)),
                List.of(new Unit("b2", 0, 2))), alone.groups());
        assertEquals(Map.of("plain", List.of(0, 1), "b2", List.of(2)), alone.groupsOf());
    }

    @Test
    void roundsAreNumberedFromTheStartOfTrainingByTheLeastAdvancedConcept() {
        assertEquals(1, RoundPlan.next(List.of(), 2));
        assertEquals(1, RoundPlan.next(List.of(0L, 6L), 2));
        assertEquals(2, RoundPlan.next(List.of(2L, 3L), 2), "a run resumed at steps 2 and 3 goes on with round 2");
        assertEquals(4, RoundPlan.next(List.of(7L), 2));
    }

    @Test
    void validationIsDueAtTheEndAndWhenAPartPassesAMultipleOfItsEvery() {
        assertTrue(new Part("a", 8, 10, 1, true).validationDue(0));
        assertFalse(new Part("a", 0, 4, 1, false).validationDue(0), "every = 0: only at the end");
        assertTrue(new Part("a", 2, 4, 1, false).validationDue(3), "steps 3-4 pass step 3");
        assertTrue(new Part("a", 2, 3, 1, false).validationDue(3), "steps 3-3 end on step 3");
        assertFalse(new Part("a", 3, 5, 1, false).validationDue(3), "steps 4-5 pass no multiple of 3");
    }

    @Test
    void aConceptWithNothingToTrainOrAnEmptyRoundIsABug() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RoundPlan.of(1, List.of(trainee("done", 10, 10, 1)), 2, 2));
        assertTrue(e.getMessage().contains("'done' is at step 10 of 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RoundPlan.of(1, List.of(), 2, 2));
        assertThrows(IllegalArgumentException.class, () -> RoundPlan.of(1, List.of(trainee("a", 0, 4, 1)), 0, 2));
    }
}
