package org.sdti.model.inversion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {
    static final int C = 2;
    static final int H = 2;
    static final int W = 2;

    /** Example i has mean i everywhere and std 0, and prompts {i, 100 + i}; scale 0.5. */
    static ConceptData concept(int n) {
        List<LatentExample> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] mean = new float[C * H * W];
            Arrays.fill(mean, i);
            ex.add(new LatentExample(mean, new float[C * H * W], List.of(new int[] {i, 0}, new int[] {100 + i, 0})));
        }
        return new ConceptData("c", C, H, W, 0.5, ex);
    }

    static int exampleOf(MicroBatch b, int sample) {
        return (int) (b.latents()[sample * C * H * W] / 0.5f);
    }

    @Test
    void sameKeySameDrawsOtherKeysOtherDraws() {
        ConceptData d = concept(3);
        BatchSampler s = new BatchSampler(2, 2, 1000);
        List<MicroBatch> a = s.draw(d, 7, 0, 5);
        List<MicroBatch> b = s.draw(d, 7, 0, 5);
        assertEquals(2, a.size());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(a.get(i).noise(), b.get(i).noise());
            assertArrayEquals(a.get(i).latents(), b.get(i).latents());
            assertArrayEquals(a.get(i).timesteps(), b.get(i).timesteps());
            assertTrue(Arrays.deepEquals(a.get(i).ids(), b.get(i).ids()));
        }
        assertFalse(Arrays.equals(a.get(0).noise(), s.draw(d, 7, 0, 6).get(0).noise()), "next step");
        assertFalse(Arrays.equals(a.get(0).noise(), s.draw(d, 7, 1, 5).get(0).noise()), "other replica");
        assertFalse(Arrays.equals(a.get(0).noise(), s.draw(d, 8, 0, 5).get(0).noise()), "other seed");
        ConceptData other = new ConceptData("d", C, H, W, 0.5, d.examples());
        assertFalse(Arrays.equals(a.get(0).noise(), s.draw(other, 7, 0, 5).get(0).noise()), "other concept");
    }

    @Test
    void everyPassShowsEveryExampleOnceWithOneOfItsOwnPrompts() {
        int n = 5;
        ConceptData d = concept(n);
        BatchSampler s = new BatchSampler(1, 1, 1000);
        List<Integer> seen = new ArrayList<>();
        for (int step = 0; step < 4 * n; step++) {
            MicroBatch b = s.draw(d, 3, 0, step).get(0);
            int e = exampleOf(b, 0);
            long prompt = b.ids()[0][0];
            assertTrue(prompt == e || prompt == 100 + e, "prompt of example " + e + ": " + prompt);
            seen.add(e);
        }
        for (int pass = 0; pass < 4; pass++) {
            Set<Integer> inPass = new HashSet<>(seen.subList(pass * n, (pass + 1) * n));
            assertEquals(n, inPass.size(), "pass " + pass + ": " + seen);
        }
        assertFalse(seen.subList(0, n).equals(seen.subList(n, 2 * n)), "passes are shuffled anew: " + seen);
    }

    @Test
    void accumulationContinuesTheSameOrderAsLargerBatches() {
        ConceptData d = concept(4);
        // the sample order depends on the sample index, not on how samples are grouped into passes
        MicroBatch big = new BatchSampler(4, 1, 1000).draw(d, 1, 0, 0).get(0);
        List<MicroBatch> small = new BatchSampler(2, 2, 1000).draw(d, 1, 0, 0);
        for (int i = 0; i < 4; i++) {
            assertEquals(exampleOf(big, i), exampleOf(small.get(i / 2), i % 2));
        }
    }

    @Test
    void latentsAreMeanPlusStdTimesEpsilonScaledAndDrawsLookNormal() {
        float[] mean = new float[4096];
        float[] std = new float[4096];
        Arrays.fill(mean, 2f);
        Arrays.fill(std, 3f);
        ConceptData d = new ConceptData("c", 4, 32, 32, 0.25, List.of(new LatentExample(mean, std,
                List.of(new int[] {1}))));
        MicroBatch b = new BatchSampler(1, 1, 10).draw(d, 0, 0, 0).get(0);
        assertTrue(b.timesteps()[0] >= 0 && b.timesteps()[0] < 10);
        double m = 0;
        double v = 0;
        double nm = 0;
        double nv = 0;
        for (int i = 0; i < 4096; i++) {
            double z = b.latents()[i] / 0.25;
            m += z;
            v += (z - 2) * (z - 2);
            nm += b.noise()[i];
            nv += b.noise()[i] * b.noise()[i];
        }
        assertEquals(2, m / 4096, 0.15);
        assertEquals(3, Math.sqrt(v / 4096), 0.15);
        assertEquals(0, nm / 4096, 0.05);
        assertEquals(1, Math.sqrt(nv / 4096), 0.05);
    }

    @Test
    void timestepsCoverTheWholeRange() {
        ConceptData d = concept(1);
        BatchSampler s = new BatchSampler(8, 1, 1000);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int step = 0; step < 200; step++) {
            for (long t : s.draw(d, 0, 0, step).get(0).timesteps()) {
                min = Math.min(min, t);
                max = Math.max(max, t);
            }
        }
        assertTrue(min < 5 && max > 994 && max < 1000, min + ".." + max);
    }
}
