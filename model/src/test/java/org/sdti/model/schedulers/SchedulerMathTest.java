package org.sdti.model.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The float32 emulations behind the schedules: numpy's grids. */
class SchedulerMathTest {

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
