package org.sdti.model.inversion;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sdti.model.models.TokenEmbedding;

/**
 * Forward and backward of one micro-batch for given new rows: the loss and its gradient with respect to the rows.
 * {@link InversionGraph} is the implementation; the interface keeps the training logic independent of how the
 * gradient is run (and lets tests or another runner take its place).
 */
public interface RowGradients {
    /**
     * @param rows    {@code [numVectors, hidden]}
     * @param weights per-sample loss weights {@code [B]}
     */
    InversionGraph.LossAndGradient compute(INDArray rows, TokenEmbedding.Inputs inputs, INDArray noisy,
            INDArray timesteps, INDArray target, INDArray weights);

    /** The forward pass alone: the weighted loss. */
    double loss(INDArray rows, TokenEmbedding.Inputs inputs, INDArray noisy, INDArray timesteps, INDArray target,
            INDArray weights);

    /** The graph as a pure function of its inputs: the rows are set before every pass. */
    static RowGradients of(InversionGraph graph) {
        return new RowGradients() {
            @Override
            public InversionGraph.LossAndGradient compute(INDArray rows, TokenEmbedding.Inputs inputs,
                    INDArray noisy, INDArray timesteps, INDArray target, INDArray weights) {
                graph.setRows(rows);
                return graph.step(inputs, noisy, timesteps, target, weights);
            }

            @Override
            public double loss(INDArray rows, TokenEmbedding.Inputs inputs, INDArray noisy, INDArray timesteps,
                    INDArray target, INDArray weights) {
                graph.setRows(rows);
                return graph.loss(inputs, noisy, timesteps, target, weights);
            }
        };
    }
}
