package org.sdti.model.inversion;

import java.util.ArrayList;
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
        UnitGradient g = gradients(gradients, List.of(new Unit(state, batches))).get(0);
        return update(state, g);
    }

    /**
     * One unit of a shared pass: a concept replica's state and the micro-batches of its step.
     */
    public record Unit(TrainerState state, List<MicroBatch> batches) {
        public Unit {
            if (batches.isEmpty()) {
                throw new IllegalArgumentException("a step needs at least one micro-batch");
            }
            batches = List.copyOf(batches);
        }
    }

    /**
     * A unit's loss (mean over its samples of the step) and the gradient of that loss with respect to its rows
     * ({@code numVectors·hidden}, row-major).
     */
    public record UnitGradient(double loss, float[] gradient) {
        /** Whether the loss and every gradient value are finite. */
        public boolean finite() {
            if (!Double.isFinite(loss)) {
                return false;
            }
            for (float g : gradient) {
                if (!Float.isFinite(g)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The loss and row gradient of every unit, through one forward/backward of {@code graph} per micro-batch
     * index: the units' rows are stacked into the graph's one variable ({@code graph} must be built for the sum of
     * their vectors and batch sizes), each unit's added-token ids are shifted to its rows (so the lookup is
     * {@code table[ids] + M·rows} with a one-hot {@code M} made outside the graph), and every sample is weighted by
     * 1/(its unit's samples in the step). The summed loss is then {@code Σ_units mean over the unit's samples}; as
     * no sample reaches another unit's rows, each unit's gradient is the one it gets alone (up to the float
     * rounding of a larger batch). Units must have the same number of micro-batches and latent size.
     *
     * <p>One unit runs exactly the single-concept arithmetic (its loss is the graph's). With several, a unit's loss
     * is computed from the prediction in double. A non-finite value in one unit's samples can reach the others'
     * gradients through the shared backward pass ({@code 0·NaN}); callers check {@link UnitGradient#finite()} and
     * rerun the units alone to attribute it.
     */
    public List<UnitGradient> gradients(RowGradients graph, List<Unit> units) {
        if (units.isEmpty()) {
            throw new IllegalArgumentException("no unit to compute");
        }
        int passes = units.get(0).batches().size();
        int hidden = units.get(0).state().hidden();
        int totalVectors = 0;
        int[] offsets = new int[units.size()];
        int[] samples = new int[units.size()];
        for (int u = 0; u < units.size(); u++) {
            Unit unit = units.get(u);
            if (unit.batches().size() != passes || unit.state().hidden() != hidden) {
                throw new IllegalArgumentException("units of a shared pass need the same number of micro-batches "
                        + "and hidden size: " + unit.state().concept() + " has " + unit.batches().size() + " and "
                        + unit.state().hidden() + ", " + units.get(0).state().concept() + " " + passes + " and "
                        + hidden);
            }
            offsets[u] = totalVectors;
            totalVectors += unit.state().numVectors();
            for (MicroBatch b : unit.batches()) {
                samples[u] += b.size();
            }
        }
        float[] stacked = new float[totalVectors * hidden];
        for (int u = 0; u < units.size(); u++) {
            System.arraycopy(units.get(u).state().rows(), 0, stacked, offsets[u] * hidden,
                    units.get(u).state().numVectors() * hidden);
        }
        INDArray rows = Nd4j.create(stacked, new long[] {totalVectors, hidden}, 'c');
        double[] losses = new double[units.size()];
        float[][] grads = new float[units.size()][];
        for (int u = 0; u < units.size(); u++) {
            grads[u] = new float[units.get(u).state().numVectors() * hidden];
        }
        for (int a = 0; a < passes; a++) {
            List<MicroBatch> pass = new ArrayList<>(units.size());
            for (Unit unit : units) {
                pass.add(unit.batches().get(a));
            }
            Inputs in = sharedInputs(pass, offsets, samples, totalVectors);
            InversionGraph.LossAndGradient r = graph.compute(rows, in.tokens(), in.noisy(), in.timesteps(),
                    in.target(), in.weights());
            float[] g = r.gradient().reshape(-1).toFloatVector();
            for (int u = 0; u < units.size(); u++) {
                float[] mine = grads[u];
                int from = offsets[u] * hidden;
                for (int i = 0; i < mine.length; i++) {
                    mine[i] += g[from + i];
                }
            }
            if (units.size() == 1) {
                losses[0] += r.loss();
            } else {
                addUnitLosses(r.prediction(), in.target(), pass, samples, losses);
            }
        }
        List<UnitGradient> out = new ArrayList<>(units.size());
        for (int u = 0; u < units.size(); u++) {
            out.add(new UnitGradient(losses[u], grads[u]));
        }
        return out;
    }

    /** Each unit's weighted MSE of this pass, in double from the prediction (several units only). */
    private static void addUnitLosses(INDArray prediction, INDArray target, List<MicroBatch> pass, int[] samples,
            double[] losses) {
        float[] p = prediction.reshape(-1).toFloatVector();
        float[] t = target.reshape(-1).toFloatVector();
        int per = pass.get(0).perSample();
        int s = 0;
        for (int u = 0; u < pass.size(); u++) {
            for (int b = 0; b < pass.get(u).size(); b++, s++) {
                double sum = 0;
                for (int i = s * per; i < (s + 1) * per; i++) {
                    double d = (double) p[i] - t[i];
                    sum += d * d;
                }
                losses[u] += sum / per / samples[u];
            }
        }
    }

    /**
     * The optimizer step of a unit from its loss and gradient: refuses a non-finite loss or gradient (nothing is
     * applied), then one AdamW update at the scheduled rate.
     */
    public Outcome update(TrainerState state, UnitGradient g) {
        double loss = g.loss();
        float[] gradient = g.gradient();
        long stepNumber = state.step() + 1;
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException(state.concept(), stepNumber, loss, "the loss is " + loss);
        }
        double norm = 0;
        for (float v : gradient) {
            norm += (double) v * v;
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

    /**
     * The graph's inputs for one micro-batch of each unit, concatenated: ids at or above the vocabulary shifted by
     * the unit's first row, per-sample weights of 1/(the unit's samples in the step). One unit gives exactly
     * {@link #inputs}.
     */
    private Inputs sharedInputs(List<MicroBatch> pass, int[] offsets, int[] samples, int totalVectors) {
        if (pass.size() == 1) {
            return inputs(totalVectors, pass.get(0), samples[0]);
        }
        int per = pass.get(0).perSample();
        int size = 0;
        for (MicroBatch b : pass) {
            if (b.perSample() != per) {
                throw new IllegalArgumentException("units of a shared pass need the same latent size: " + per
                        + " and " + b.perSample() + " values per sample");
            }
            size += b.size();
        }
        int vocab = embedding.vocabSize();
        long[][] ids = new long[size][];
        float[] latents = new float[size * per];
        float[] noise = new float[size * per];
        long[] t = new long[size];
        float[] w = new float[size];
        int s = 0;
        for (int u = 0; u < pass.size(); u++) {
            MicroBatch b = pass.get(u);
            System.arraycopy(b.latents(), 0, latents, s * per, b.size() * per);
            System.arraycopy(b.noise(), 0, noise, s * per, b.size() * per);
            System.arraycopy(b.timesteps(), 0, t, s, b.size());
            for (int i = 0; i < b.size(); i++, s++) {
                long[] row = b.ids()[i].clone();
                for (int j = 0; j < row.length; j++) {
                    if (row[j] >= vocab) {
                        row[j] += offsets[u];
                    }
                }
                ids[s] = row;
                w[s] = (float) (1.0 / samples[u]);
            }
        }
        MicroBatch all = new MicroBatch(ids, latents, noise, t);
        Inputs in = inputs(totalVectors, all, 1);
        return new Inputs(in.tokens(), in.noisy(), in.timesteps(), in.target(), Nd4j.createFromArray(w));
    }
}
