package org.sdti.model.inversion;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.TokenEmbedding;
import org.sdti.model.schedulers.NoiseSchedule;
import org.sdti.model.schedulers.Prediction;

/**
 * One optimizer step of textual inversion, as the reference takes it: for each micro-batch, {@code add_noise} of
 * the latents at the drawn timesteps, the target (the noise for epsilon models, the velocity for v-prediction),
 * the float32 MSE of the U-Net's prediction and its gradient with respect to the new rows only; the gradient is
 * the mean over the micro-batches (accelerate divides each loss by the accumulation count); then one AdamW update
 * of the rows at the scheduled rate.
 *
 * <p>A function of (state, micro-batches): the same inputs give the same new state bit for bit.
 */
public final class InversionStep {
    /** The loss (mean over all samples of the step), the rate used and the new state. */
    public record Outcome(TrainerState state, double loss, double learningRate, double gradientNorm) {}

    private final TokenEmbedding embedding;
    private final RowGradients gradients;
    private final NoiseSchedule schedule;
    private final Prediction prediction;
    private final AdamW adam;
    private final LrSchedule lrSchedule;
    private final double peakLearningRate;

    /**
     * @param replicas replicas whose updates are averaged (1 on one machine); only {@code scaleLr} uses it
     */
    public InversionStep(TokenEmbedding embedding, RowGradients gradients, NoiseSchedule schedule,
            Prediction prediction, TrainingConfig cfg, int replicas) {
        if (prediction != Prediction.EPSILON && prediction != Prediction.V_PREDICTION) {
            throw new IllegalArgumentException("the model's prediction_type is " + prediction.configValue()
                    + "; textual inversion trains epsilon and v_prediction models (as the reference does)");
        }
        this.embedding = embedding;
        this.gradients = gradients;
        this.schedule = schedule;
        this.prediction = prediction;
        this.adam = cfg.adam();
        this.lrSchedule = cfg.schedule();
        this.peakLearningRate = cfg.peakLearningRate(replicas);
    }

    /** The rate of the optimizer step taken from {@code state} ({@code factor(step)}, step 0-based). */
    public double learningRate(long step) {
        return peakLearningRate * lrSchedule.factor(step);
    }

    public Outcome apply(TrainerState state, List<MicroBatch> batches) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one micro-batch");
        }
        int n = state.numVectors();
        int hidden = state.hidden();
        INDArray rows = Nd4j.create(state.rows(), new long[] {n, hidden}, 'c');
        float[] gradient = new float[n * hidden];
        double loss = 0;
        int samples = 0;
        for (MicroBatch b : batches) {
            samples += b.size();
        }
        for (MicroBatch b : batches) {
            InversionGraph.LossAndGradient r = pass(rows, n, b, samples);
            loss += r.loss();
            float[] g = r.gradient().reshape(-1).toFloatVector();
            for (int i = 0; i < g.length; i++) {
                gradient[i] += g[i];
            }
        }
        long stepNumber = state.step() + 1;
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException(state.concept(), stepNumber, loss, "the loss is " + loss);
        }
        double norm = 0;
        for (float g : gradient) {
            norm += (double) g * g;
        }
        if (!Double.isFinite(norm)) {
            throw new NonFiniteLossException(state.concept(), stepNumber, loss,
                    "the gradient is not finite (loss " + loss + ")");
        }
        double lr = learningRate(state.step());
        AdamW.State next = adam.step(state.optimizer(), gradient, lr);
        return new Outcome(state.withOptimizer(next), loss, lr, Math.sqrt(norm));
    }

    /**
     * The mean loss of {@code batches} for {@code state}'s rows, forward only and without an update: a held-out
     * (validation) loss when the batches are not the training draws.
     */
    public double loss(TrainerState state, List<MicroBatch> batches) {
        INDArray rows = Nd4j.create(state.rows(), new long[] {state.numVectors(), state.hidden()}, 'c');
        int samples = batches.stream().mapToInt(MicroBatch::size).sum();
        double loss = 0;
        for (MicroBatch b : batches) {
            Inputs in = inputs(state.numVectors(), b, samples);
            loss += gradients.loss(rows, in.tokens(), in.noisy(), in.timesteps(), in.target(), in.weights());
        }
        return loss;
    }

    /** One forward/backward. */
    private InversionGraph.LossAndGradient pass(INDArray rows, int numVectors, MicroBatch b, int samples) {
        Inputs in = inputs(numVectors, b, samples);
        return gradients.compute(rows, in.tokens(), in.noisy(), in.timesteps(), in.target(), in.weights());
    }

    private record Inputs(TokenEmbedding.Inputs tokens, INDArray noisy, INDArray timesteps, INDArray target,
                          INDArray weights) {}

    /**
     * The graph's inputs for a micro-batch: {@code add_noise}, the target, and per-sample weights of 1/(all samples
     * of the step), so that the passes' losses and gradients add up to the step's means.
     */
    private Inputs inputs(int numVectors, MicroBatch b, int samples) {
        int per = b.perSample();
        long[] t = b.timesteps();
        float[] noisy = schedule.addNoise(b.latents(), b.noise(), t, per);
        float[] target = prediction == Prediction.V_PREDICTION ? schedule.velocity(b.latents(), b.noise(), t, per)
                : b.noise();
        long[] shape = {b.size(), per};
        float[] ts = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            ts[i] = t[i];
        }
        INDArray weights = Nd4j.valueArrayOf(new long[] {b.size()}, 1.0 / samples, DataType.FLOAT);
        return new Inputs(embedding.lookup(b.ids(), numVectors), Nd4j.create(noisy, shape, 'c'),
                Nd4j.createFromArray(ts), Nd4j.create(target, shape, 'c'), weights);
    }
}
