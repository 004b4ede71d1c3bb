package org.sdti.model.models.nn;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The shape and data type of every op output of one pass: M2.1 keeps no static shapes for intermediates, so the
 * backward pass ({@link FrozenBackprop}) and plan arenas ({@link ExecutionPlan#layOut}) learn them from a run.
 * Keeps no arrays: the session reuses their buffers as soon as they are consumed.
 */
final class OutputRecorder extends BaseListener {
    /** One op output as the pass made it. */
    record Output(long[] shape, DataType type) {
        long length() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Map<String, Output> outputs = new HashMap<>();

    private OutputRecorder() {}

    /**
     * Runs {@code pass} on {@code sd} with a recorder attached.
     *
     * @param into receives the recorded outputs by variable name, also if the pass fails part-way
     */
    static <T> T record(SameDiff sd, Map<String, Output> into, Supplier<T> pass) {
        OutputRecorder recorder = new OutputRecorder();
        sd.addListeners(recorder);
        try {
            return pass.get();
        } finally {
            sd.getListeners().remove(recorder);
            into.putAll(recorder.outputs);
        }
    }

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] out) {
        for (int i = 0; i < out.length; i++) {
            if (out[i] != null) {
                outputs.put(op.getOutputsOfOp().get(i), new Output(out[i].shape(), out[i].dataType()));
            }
        }
    }
}
