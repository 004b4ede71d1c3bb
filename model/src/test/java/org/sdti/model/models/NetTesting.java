package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.TestData;

/** Loading the tiny fixture's networks and comparing with its goldens (U-Net and VAE parity tests). */
final class NetTesting {
    private NetTesting() {}

    static JsonConfig config(String component) throws IOException {
        Path p = TestData.tinyModel().resolve(component).resolve("config.json");
        return JsonConfig.parse(p.toString(), Files.readString(p));
    }

    static SafeTensorsFile weights(String component) throws IOException {
        return SafeTensorsFile.open(TestData.tinyModel().resolve(component).resolve("diffusion_pytorch_model.safetensors"));
    }

    /** A float32 golden tensor in its stored shape. */
    static INDArray golden(SafeTensorsFile g, String name) throws IOException {
        return Nd4j.create(g.floats(name), g.info(name).shape(), 'c');
    }

    /** An int64 golden tensor as float32 (timesteps). */
    static INDArray goldenLongsAsFloat(SafeTensorsFile g, String name) throws IOException {
        long[] v = g.longs(name);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return Nd4j.createFromArray(f);
    }

    static double maxAbsDiff(INDArray actual, INDArray expected) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        INDArray a = actual.castTo(DataType.DOUBLE);
        INDArray e = expected.castTo(DataType.DOUBLE);
        return a.sub(e).amaxNumber().doubleValue();
    }

    /** Asserts {@code max |actual − expected| ≤ tol}, prints the error, and returns it. */
    static double assertClose(String what, INDArray actual, INDArray expected, double tol) {
        double err = maxAbsDiff(actual, expected);
        System.out.printf("%-32s max abs err %.3e (max |ref| %.3f)%n", what, err,
                expected.castTo(DataType.DOUBLE).amaxNumber().doubleValue());
        assertTrue(err <= tol, what + ": max abs error " + err + " > " + tol);
        return err;
    }
}
