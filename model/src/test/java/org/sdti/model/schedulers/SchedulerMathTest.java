package org.sdti.model.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The float32 emulations behind the schedules: SLEEF exp/log within 1 ulp everywhere, and numpy's grids. */
class SchedulerMathTest {

    @Test
    void sleefExpIsWithinOneUlpOfExact() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (r.nextDouble() * 175 - 87); // results from the smallest normal to the largest float
            assertWithinUlp(Math.exp(x), SleefFloat.exp(x), "exp(" + x + ")");
        }
        assertEquals(1f, SleefFloat.exp(0f), 0f);
        assertEquals(0f, SleefFloat.exp(-120f), 0f);
        assertEquals(Float.POSITIVE_INFINITY, SleefFloat.exp(94f), 0f);
        assertEquals(Float.POSITIVE_INFINITY, SleefFloat.exp(101f), 0f);
        assertTrue(Float.isNaN(SleefFloat.exp(Float.NaN)));
    }

    @Test
    void sleefLogIsWithinOneUlpOfExact() {
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 200_000; i++) {
            float x = Float.intBitsToFloat(r.nextInt(1, 0x7f800000)); // every positive finite float, subnormals too
            assertWithinUlp(Math.log(x), SleefFloat.log(x), "log(" + x + ")");
        }
        assertEquals(0f, SleefFloat.log(1f), 0f);
        assertEquals(Float.NEGATIVE_INFINITY, SleefFloat.log(0f), 0f);
        assertEquals(Float.POSITIVE_INFINITY, SleefFloat.log(Float.POSITIVE_INFINITY), 0f);
        assertTrue(Float.isNaN(SleefFloat.log(-1f)));
    }

    private static void assertWithinUlp(double exact, float actual, String what) {
        double err = Math.abs(exact - actual) / Math.ulp((float) exact);
        assertTrue(err <= 1.0, what + " off by " + err + " ulp");
    }

    @Test
    void numpyArangeAndLinspace() {
        // np.arange(1000, 0, -1000/3) has 3 elements although (0-1000)/(-333.33..) rounds above 3
        assertEquals(3, Numpy.arange(1000, 0, -1000 / 3.0).length);
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, Numpy.linspace(0, 1, 5));
        assertArrayEquals(new double[] {0}, Numpy.linspace(0, 999, 1));
        assertEquals(500, Numpy.round(499.5), 0);
        assertEquals(498, Numpy.round(498.5), 0);
        float[] fp = {1f, 3f, 7f};
        assertEquals(2.0, Numpy.interp(0.5, fp), 0);
        assertEquals(7.0, Numpy.interp(2.0, fp), 0);
        assertEquals(1.0, Numpy.interp(-1, fp), 0);
    }

    @Test
    void torchLinspaceEndsExactly() {
        float[] l = TorchFloat.linspace(0.5f, 2.5f, 1000);
        assertEquals(0.5f, l[0], 0f);
        assertEquals(2.5f, l[999], 0f);
        assertArrayEquals(new float[] {3f}, TorchFloat.linspace(3f, 9f, 1));
        assertArrayEquals(new float[] {0f, 1f, 2f, 3f, 4f}, TorchFloat.linspace(0f, 4f, 5));
    }
}
