package org.sdti.model.inversion;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.models.TextEncoderGraph;
import org.sdti.model.models.TokenEmbedding;
import org.sdti.model.models.UNet;
import org.sdti.model.models.nn.FrozenBackprop;
import org.sdti.model.models.nn.GraphRunner;
import org.sdti.model.models.nn.SharedConstants;

/**
 * One SameDiff graph for a textual-inversion step at a fixed batch and latent size:
 * {@code ids → (base + mask·rows) → text encoder → U-Net(noisy, t) → weighted MSE to the target}. The embedding
 * rows of the new tokens are the graph's only VARIABLE; the backward ops ({@link FrozenBackprop}) are part of the same
 * graph and compute input gradients only, down to the rows. Several concepts can share one batch: {@code rows} stacks all their vectors and the
 * per-sample loss weights keep each concept's loss the mean over its own samples.
 *
 * <p>Not thread-safe: one graph per training thread (they share the frozen weights by reference).
 */
public final class InversionGraph {
    static final String NOISY = "inversion.noisy_latents";
    static final String TIMESTEPS = "inversion.timesteps";
    static final String TARGET = "inversion.target";
    static final String WEIGHTS = "inversion.sample_weights";
    static final String PREDICTION = "inversion.prediction";
    static final String LOSS = "inversion.loss";

    private final SameDiff sd;
    private final TextEncoderGraph text;
    private final int batch;
    private final long[] latentShape;
    private final String gradient;

    /** The loss and the gradient with respect to the rows ({@code [numVectors, hidden]}) of one step. */
    public record LossAndGradient(double loss, INDArray gradient, INDArray prediction) {}

    private InversionGraph(SameDiff sd, TextEncoderGraph text, int batch, long[] latentShape, String gradient) {
        this.sd = sd;
        this.gradient = gradient;
        this.text = text;
        this.batch = batch;
        this.latentShape = latentShape;
    }

    /**
     * @param initialRows {@code [numVectors, hidden]} in the encoder's data type; the graph keeps it by reference
     * @param latentChannels, height, width the U-Net input size (latents, not pixels)
     */
    public static InversionGraph build(TextEncoder encoder, UNet unet, int batch, INDArray initialRows,
            int latentChannels, int height, int width) {
        SameDiff sd = SameDiff.create();
        SharedConstants.install(sd); // weights by reference, no per-graph copy
        DataType dt = encoder.params().dataType();
        TextEncoderGraph text = encoder.addTrainable(sd, batch, initialRows);
        int tokens = text.length();
        SDVariable noisy = sd.placeHolder(NOISY, dt, batch, latentChannels, height, width);
        SDVariable t = sd.placeHolder(TIMESTEPS, dt, batch);
        SDVariable target = sd.placeHolder(TARGET, dt, batch, latentChannels, height, width);
        SDVariable weights = sd.placeHolder(WEIGHTS, dt, batch);
        SDVariable pred = unet.build(sd, noisy, t, text.outputVariable(), height, width, tokens).output();
        pred = sd.identity(PREDICTION, pred);
        // MSE per sample (mean over C, h, w), then a weighted sum: weights 1/B give F.mse_loss's mean
        SDVariable diff = pred.sub(target);
        SDVariable perSample = diff.mul(diff).reshape(batch, (long) latentChannels * height * width).mean(1);
        SDVariable loss = sd.identity(LOSS, perSample.mul(weights).sum());
        sd.setLossVariables(loss);
        // the backward ops join the forward graph: one pass gives loss, prediction and the rows' gradient
        String gradient = FrozenBackprop.build(sd, LOSS, text.rows()).get(0);
        return new InversionGraph(sd, text, batch, new long[] {batch, latentChannels, height, width}, gradient);
    }

    public int batch() {
        return batch;
    }

    /** The underlying graph, e.g. to attach a profiling listener. */
    public SameDiff sameDiff() {
        return sd;
    }

    /** Forward pass only: the loss of one batch (what a validation or a benchmark's forward timing needs). */
    public double loss(TokenEmbedding.Inputs inputs, INDArray noisy, INDArray timesteps, INDArray target,
            INDArray weights) {
        return GraphRunner.output(sd, feed(inputs, noisy, timesteps, target, weights), LOSS).get(LOSS).getDouble(0);
    }

    /** Replaces the rows' values (e.g. after an optimizer step); shape and data type must match. */
    public void setRows(INDArray rows) {
        text.rowsValue().assign(rows);
    }

    /** The rows as the graph currently holds them. */
    public INDArray rows() {
        return text.rowsValue();
    }

    /**
     * Forward and backward for one batch.
     *
     * @param inputs the token lookup of the batch's ids (see {@link TokenEmbedding#lookup})
     * @param noisy noisy latents {@code [B, C, h, w]}
     * @param timesteps {@code [B]}
     * @param target noise (epsilon) or velocity (v-prediction), {@code [B, C, h, w]}
     * @param weights per-sample loss weights {@code [B]} (1/B each for a plain mean)
     */
    public LossAndGradient step(TokenEmbedding.Inputs inputs, INDArray noisy, INDArray timesteps, INDArray target,
            INDArray weights) {
        Map<String, INDArray> ph = feed(inputs, noisy, timesteps, target, weights);
        // one pass: the loss and prediction come from the same execution as the gradient, and intermediates are
        // freed as soon as they are consumed (calculateGradients keeps them all, ~9 GB more at full size)
        Map<String, INDArray> out = GraphRunner.output(sd, ph, gradient, LOSS, PREDICTION);
        return new LossAndGradient(out.get(LOSS).getDouble(0), out.get(gradient).dup(), out.get(PREDICTION).dup());
    }

    private Map<String, INDArray> feed(TokenEmbedding.Inputs inputs, INDArray noisy, INDArray timesteps,
            INDArray target, INDArray weights) {
        Map<String, INDArray> ph = new HashMap<>(text.placeholders(inputs));
        DataType dt = text.rowsValue().dataType();
        ph.put(NOISY, noisy.castTo(dt).reshape(latentShape));
        ph.put(TIMESTEPS, timesteps.castTo(dt).reshape(batch));
        ph.put(TARGET, target.castTo(dt).reshape(latentShape));
        ph.put(WEIGHTS, weights.castTo(dt).reshape(batch));
        return ph;
    }
}
