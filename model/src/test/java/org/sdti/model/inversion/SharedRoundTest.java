package org.sdti.model.inversion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sdti.model.text.ClipTokenizer;

/**
 * Several units in one forward/backward: each unit's gradient equals that of its own single-unit pass, one unit
 * is exactly the local round, and a NaN in one unit stops that unit only.
 */
class SharedRoundTest {
    static final TinyModel M = TinyModel.INSTANCE;
    static final String OTHER = "<tiny-other>";

    /** A second concept with two vectors and its own latents. */
    static ConceptData otherData() {
        ClipTokenizer tok = new NewToken(OTHER, 2, "dog").addTo(M.tokenizer);
        List<int[]> prompts = List.of(tok.encode("a photo of a " + OTHER), tok.encode("a close-up of a " + OTHER));
        SplittableRandom r = new SplittableRandom(9);
        List<LatentExample> ex = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            float[] mean = new float[256];
            float[] std = new float[256];
            for (int j = 0; j < 256; j++) {
                mean[j] = (float) (r.nextGaussian() * 3);
                std[j] = 0.2f;
            }
            ex.add(new LatentExample(mean, std, prompts));
        }
        return new ConceptData(OTHER, 4, 8, 8, 0.18215, ex);
    }

    static TrainerState otherInitial() {
        return TrainerState.initial(OTHER, 4, new NewToken(OTHER, 2, "dog").initialRows(M.tokenizer,
                M.encoder.embedding()));
    }

    static double maxRelative(float[] a, float[] b) {
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(b[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        return diff / scale;
    }

    @Test
    void eachUnitOfASharedPassGetsTheGradientOfItsOwnPass() {
        TrainingConfig cfg = TrainingConfig.defaults().withBatch(1, 2); // two micro-batches of one sample
        InversionStep step = M.step(cfg, 1);
        BatchSampler sampler = BatchSampler.of(cfg, M.schedule.numTrainTimesteps());
        InversionStep.Unit a = new InversionStep.Unit(TrainerRunTest.initial(),
                sampler.draw(TrainerRunTest.data(false), 11, 0, 0));
        InversionStep.Unit b = new InversionStep.Unit(otherInitial(), sampler.draw(otherData(), 4, 1, 3));

        List<InversionStep.UnitGradient> shared = step.gradients(RowGradients.of(M.graph(2, 3)), List.of(a, b));
        InversionStep.UnitGradient aloneA = step.gradients(RowGradients.of(M.graph(1, 1)), List.of(a)).get(0);
        InversionStep.UnitGradient aloneB = step.gradients(RowGradients.of(M.graph(1, 2)), List.of(b)).get(0);

        assertEquals(16, shared.get(0).gradient().length);
        assertEquals(32, shared.get(1).gradient().length);
        double ra = maxRelative(shared.get(0).gradient(), aloneA.gradient());
        double rb = maxRelative(shared.get(1).gradient(), aloneB.gradient());
        System.out.printf("shared pass: max relative gradient difference %.3g and %.3g; losses %.8f/%.8f, "
                + "%.8f/%.8f%n", ra, rb, shared.get(0).loss(), aloneA.loss(), shared.get(1).loss(), aloneB.loss());
        assertTrue(ra < 1e-6, "unit a: " + ra);
        assertTrue(rb < 1e-6, "unit b: " + rb);
        assertEquals(aloneA.loss(), shared.get(0).loss(), 1e-6 * aloneA.loss());
        assertEquals(aloneB.loss(), shared.get(1).loss(), 1e-6 * aloneB.loss());
        // the two units really differ, so equal gradients cannot come from mixing them up
        assertTrue(Math.abs(aloneA.loss() - aloneB.loss()) > 1e-4);
    }

    @Test
    void oneUnitIsExactlyTheLocalRound() {
        TrainingConfig cfg = TrainerRunTest.CFG.withBatch(2, 1);
        LocalRound.Result local = M.round(cfg, 1).run(TrainerRunTest.initial(), TrainerRunTest.data(false), 1, 3);
        SharedRound shared = new SharedRound((batch, vectors) -> RowGradients.of(M.graph(batch, vectors)));
        SharedRound.Outcome o = shared.run(List.of(new SharedRound.Member(M.step(cfg, 1),
                BatchSampler.of(cfg, M.schedule.numTrainTimesteps()), TrainerRunTest.data(false), 1,
                TrainerRunTest.initial(), 3)), (m, r) -> { }).get(0);
        assertNull(o.failure());
        assertEquals(local.state().optimizer(), o.state().optimizer(), "bit for bit");
        assertEquals(local.steps(), o.steps());
    }

    @Test
    void aNanInOneUnitStopsOnlyThatUnit() {
        TrainingConfig cfg = TrainingConfig.defaults().withLearningRate(1e-2);
        BatchSampler sampler = BatchSampler.of(cfg, M.schedule.numTrainTimesteps());
        ConceptData poisoned = TrainerRunTest.data(true);
        SharedRound shared = new SharedRound((batch, vectors) -> RowGradients.of(M.graph(batch, vectors)));
        List<SharedRound.Outcome> out = shared.run(List.of(
                new SharedRound.Member(M.step(cfg, 1), sampler, poisoned, 0, TrainerRunTest.initial(), 2),
                new SharedRound.Member(M.step(cfg, 2), sampler, otherData(), 0, otherInitial(), 2)),
                (m, r) -> { });
        assertNotNull(out.get(0).failure());
        assertEquals(0, out.get(0).state().step(), "nothing applied from the failing step");
        assertTrue(out.get(0).failure().getMessage().contains("at step 1"), out.get(0).failure().getMessage());
        assertNull(out.get(1).failure());
        assertEquals(2, out.get(1).state().step());
        // the healthy unit trained as it does alone
        LocalRound.Result alone = new LocalRound(M.step(cfg, 2), sampler).run(otherInitial(), otherData(), 0, 2);
        assertEquals(alone.state().optimizer(), out.get(1).state().optimizer());
    }
}
