package org.sdti.model.pretrain;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * All parameters of a {@link PretrainGraph} as one flat float32 vector in {@link PretrainGraph#parameters()} order:
 * the form {@link org.sdti.model.inversion.AdamW} updates and a checkpoint stores.
 */
public final class ParameterVector {
    private final PretrainGraph graph;
    private final List<String> keys;
    private final long[] offsets;

    public ParameterVector(PretrainGraph graph) {
        this.graph = graph;
        this.keys = graph.parameters();
        this.offsets = new long[keys.size() + 1];
        for (int i = 0; i < keys.size(); i++) {
            INDArray p = graph.parameter(keys.get(i));
            if (p.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException("full-weight training keeps float32 weights, not " + p.dataType());
            }
            offsets[i + 1] = offsets[i] + p.length();
        }
    }

    public int length() {
        return Math.toIntExact(offsets[keys.size()]);
    }

    public List<String> keys() {
        return keys;
    }

    /** The graph's current weights. */
    public float[] read() {
        float[] out = new float[length()];
        for (int i = 0; i < keys.size(); i++) {
            copyInto(graph.parameter(keys.get(i)), out, offsets[i]);
        }
        return out;
    }

    /** Writes {@code values} into the graph's weight arrays (in place: the graph holds them by reference). */
    public void write(float[] values) {
        if (values.length != length()) {
            throw new IllegalArgumentException(values.length + " values for " + length() + " parameters");
        }
        for (int i = 0; i < keys.size(); i++) {
            INDArray p = graph.parameter(keys.get(i));
            float[] part = java.util.Arrays.copyOfRange(values, (int) offsets[i], (int) offsets[i + 1]);
            p.assign(Nd4j.create(part, p.shape(), 'c'));
        }
    }

    /** The gradients of one step, flattened in the same order. */
    public float[] flatten(Map<String, INDArray> gradients) {
        float[] out = new float[length()];
        for (int i = 0; i < keys.size(); i++) {
            copyInto(gradients.get(keys.get(i)), out, offsets[i]);
        }
        return out;
    }

    private static void copyInto(INDArray a, float[] out, long offset) {
        float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        System.arraycopy(v, 0, out, (int) offset, v.length);
    }
}
