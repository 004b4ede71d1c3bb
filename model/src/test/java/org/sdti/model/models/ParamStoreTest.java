package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.nn.Conv2d;
import org.sdti.model.models.nn.Linear;
import org.sdti.model.models.nn.ParamStore;

/**
 * The two ways a {@link ParamStore} keeps weights (PyTorch layout, read lazily; converted by rank at creation) give
 * the blocks the same matmul and conv forms, under the graph names checkpoints and trainers rely on, and read back
 * to the PyTorch tensors they came from.
 */
class ParamStoreTest {
    private static final WeightLayout LAYOUT = new WeightLayout.Builder()
            .linear("l", 3, 5).conv("c", 2, 4, 3).norm("n", 4).build();

    /** Distinct random float32 values per tensor, PyTorch layout. */
    private static Map<String, float[]> tensors() {
        SplittableRandom r = new SplittableRandom(9);
        Map<String, float[]> t = new HashMap<>();
        LAYOUT.shapes().forEach((name, shape) -> {
            float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            t.put(name, v);
        });
        return t;
    }

    private static ParamStore pytorch(Map<String, float[]> t) {
        return ParamStore.of(LAYOUT, t::get, DataType.FLOAT);
    }

    private static ParamStore converted(Map<String, float[]> t) throws IOException {
        return ParamStore.converted(LAYOUT, t::get, "net", DataType.FLOAT);
    }

    @Test
    void bothFormsGiveTheSameMatmulAndConvWeights() throws IOException {
        Map<String, float[]> t = tensors();
        ParamStore p = pytorch(t);
        ParamStore c = converted(t);
        INDArray w = Nd4j.create(t.get("l.weight"), new long[] {5, 3}, 'c');
        assertEquals(w.transpose(), p.linearWeight("l.weight"));
        assertEquals(w.transpose(), c.linearWeight("l.weight"));
        INDArray k = Nd4j.create(t.get("c.weight"), new long[] {4, 2, 3, 3}, 'c');
        assertEquals(k.permute(2, 3, 1, 0), p.convWeight("c.weight"));
        assertEquals(k.permute(2, 3, 1, 0), c.convWeight("c.weight"));
        assertArrayEquals(new long[] {3, 3, 2, 4}, c.array("c.weight").shape()); // kept converted
        assertArrayEquals(new long[] {4, 2, 3, 3}, p.array("c.weight").shape()); // kept as PyTorch's
        assertEquals(p.array("n.weight"), c.array("n.weight"));
        assertThrows(IllegalArgumentException.class, () -> c.linearWeight("c.weight"));
        assertThrows(IllegalArgumentException.class, () -> p.convWeight("l.weight"));
        assertThrows(IllegalArgumentException.class, () -> c.array("missing"));
    }

    @Test
    void readsBackPyTorchLayout() throws IOException {
        Map<String, float[]> t = tensors();
        for (ParamStore s : new ParamStore[] {pytorch(t), converted(t), converted(t).trainable()}) {
            for (String name : LAYOUT.shapes().keySet()) {
                assertArrayEquals(t.get(name), s.pytorchFloats(name), name);
            }
        }
    }

    @Test
    void blocksComputeTheSameOnBothAndReuseOneConstantPerGraph() throws IOException {
        Map<String, float[]> t = tensors();
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 3);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 2, 5, 5);
        INDArray[] linear = new INDArray[2];
        INDArray[] conv = new INDArray[2];
        ParamStore[] stores = {pytorch(t), converted(t)};
        for (int i = 0; i < 2; i++) {
            SameDiff sd = SameDiff.create();
            SDVariable in = sd.placeHolder("x", DataType.FLOAT, -1, 3);
            SDVariable img = sd.placeHolder("img", DataType.FLOAT, -1, 2, 5, 5);
            SDVariable y = Linear.of(sd, stores[i], "l").apply(in);
            SDVariable z = Conv2d.same("c", 3).apply(sd, stores[i], img);
            assertSame(sd.getVariable(i == 0 ? "l.weight.T" : "net/l.weight"),
                    stores[i].linearWeightConstant(sd, "l.weight"), "one constant per graph, under its name");
            assertSame(stores[i].constant(sd, "n.weight", 1, 4, 1, 1), stores[i].constant(sd, "n.weight", 1, 4, 1, 1));
            Map<String, INDArray> out = sd.output(Map.of("x", x, "img", image), y.name(), z.name());
            linear[i] = out.get(y.name());
            conv[i] = out.get(z.name());
        }
        assertEquals(linear[0], linear[1]);
        assertEquals(conv[0], conv[1]);
    }

    @Test
    void trainableStoresAddVariablesThatHoldTheStoresArrays() throws IOException {
        Map<String, float[]> t = tensors();
        ParamStore c = converted(t).trainable();
        SameDiff sd = SameDiff.create();
        SDVariable w = c.linearWeightConstant(sd, "l.weight");
        assertEquals(VariableType.VARIABLE, w.getVariableType());
        assertSame(c.array("l.weight"), sd.getArrForVarName("net/l.weight"));
        assertFalse(converted(t).isTrainable());
        assertTrue(c.isTrainable() && c.isConverted());

        ParamStore p = ParamStore.of(Map.of("l.weight", Nd4j.create(t.get("l.weight"), new long[] {5, 3}, 'c')),
                DataType.FLOAT).trainable();
        SDVariable v = p.linearWeightConstant(sd, "l.weight");
        assertEquals(VariableType.VARIABLE, v.getVariableType());
        sd.getArrForVarName("l.weight.T").putScalar(0, 2, 7f); // a trainer's update of W[out 2, in 0]
        assertEquals(7f, p.pytorchFloats("l.weight")[2 * 3]);
    }
}
