package org.sdti.model.pretrain;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.inversion.AdamW;
import org.sdti.model.inversion.LossLog;
import org.sdti.model.inversion.NonFiniteLossException;
import org.sdti.model.inversion.ProgressLine;
import org.sdti.model.inversion.StepRandom;
import org.sdti.model.inversion.StepRecord;
import org.sdti.model.schedulers.NoiseSchedule;
import org.sdti.model.text.ClipTokenizer;

/**
 * Trains every weight of a text encoder and U-Net from a set of captioned pictures: per step a batch of examples
 * (passes over the set in a shuffled order), each with a uniform timestep of the DDPM schedule and Gaussian noise ε,
 * the loss {@code MSE(ε̂(√ᾱ·x0 + √(1−ᾱ)·ε, t, caption), ε)} on the VAE latents x0, gradients of all weights
 * ({@link PretrainGraph}), clipping to a global norm, and one AdamW update with linear warm-up. Optionally the loss
 * is min-SNR or v weighted and the model files hold a moving average of the weights ({@link PretrainSettings}).
 *
 * <p>As in textual inversion ({@link StepRandom}), every draw of step s comes from a stream keyed by (seed, s) and
 * example order from one keyed by (seed, pass), so the weights, AdamW moments and the step counter are the whole
 * state: {@code --resume} from a checkpoint equals the uninterrupted run bit for bit.
 */
public final class Pretrainer {
    /** Stream name of the random draws (the "concept" of {@link StepRandom}). */
    static final String STREAM = "pretrain";
    /** Steps between progress lines. */
    static final int PROGRESS_EVERY = 10;

    /** Pixels {@code [B, 3, H, W]} in [-1, 1] to the U-Net's latents {@code [B, C, h, w]} (scaled). */
    @FunctionalInterface
    public interface LatentEncoder {
        INDArray encode(INDArray pixels);
    }

    /** What a run did. */
    public record Result(long steps, long stepsRun, double smoothedLoss) {}

    private final TrainableNetworks nets;
    private final ClipTokenizer tokenizer;
    private final NoiseSchedule schedule;
    private final LatentEncoder latents;
    private final int latentChannels;
    private final int downscale;

    /**
     * @param latentChannels, downscale the latents' channels and the pixel-to-latent size factor
     */
    public Pretrainer(TrainableNetworks nets, ClipTokenizer tokenizer, NoiseSchedule schedule, LatentEncoder latents,
                      int latentChannels, int downscale) {
        this.nets = nets;
        this.tokenizer = tokenizer;
        this.schedule = schedule;
        this.latents = latents;
        this.latentChannels = latentChannels;
        this.downscale = downscale;
    }

    /**
     * Runs to {@code settings.steps()}, checkpointing every {@code checkpointEvery} steps and at the end.
     *
     * @param resume continue from the folder's latest checkpoint (refused if made with other settings); without
     *     it, a folder that has checkpoints is refused
     * @param progress receives a progress line every {@value #PROGRESS_EVERY} steps
     */
    public Result run(ExampleSource data, PretrainSettings settings, PretrainFolder out, boolean resume,
                      Consumer<String> progress) throws IOException {
        if (data.size() == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        if (data.height() % downscale != 0 || data.width() % downscale != 0) {
            throw new IllegalArgumentException("pictures of " + data.width() + "x" + data.height()
                    + " are not a multiple of the VAE's downscale " + downscale);
        }
        Optional<PretrainFolder.Checkpoint> saved = out.latest();
        if (saved.isPresent() && !resume) {
            throw new IllegalArgumentException(out.location() + " already has checkpoints (latest "
                    + saved.get().source() + "): pass --resume to continue, or choose another output folder");
        }
        if (saved.isPresent() && !settings.resumable(saved.get().settings())) {
            throw new IllegalArgumentException(saved.get().source() + " was made with other settings ("
                    + saved.get().settings().toJson() + "); only steps and the checkpoint interval may change on"
                    + " --resume");
        }
        int b = settings.batchSize();
        int h = data.height() / downscale;
        int w = data.width() / downscale;
        PretrainGraph graph = PretrainGraph.build(nets, b, latentChannels, h, w);
        ParameterVector vector = new ParameterVector(graph);
        List<String> keys = vector.keys();
        AdamW.State state = AdamW.State.initial(vector.read());
        float[] ema = settings.emaDecay() > 0 ? state.params().clone() : null;
        LossLog log = new LossLog();
        if (saved.isPresent()) {
            PretrainFolder.Checkpoint c = saved.get();
            if (!c.parameters().equals(keys) || c.optimizer().params().length != vector.length()) {
                throw new IllegalArgumentException(c.source() + " holds the weights of another architecture");
            }
            state = c.optimizer();
            vector.write(state.params());
            if (ema != null) {
                if (c.ema() == null || c.ema().length != vector.length()) {
                    throw new IllegalArgumentException(c.source() + " holds no moving average of the weights");
                }
                ema = c.ema();
            }
            log = out.loss(c.step());
        }
        long start = state.step();
        AdamW adam = new AdamW(0.9, 0.999, 1e-8, settings.weightDecay());
        ProgressLine line = new ProgressLine(settings.steps());
        Order order = new Order(settings.seed(), data.size());
        int perSample = latentChannels * h * w;
        for (long step = start + 1; step <= settings.steps(); step++) {
            line.started(step - 1);
            StepRandom r = StepRandom.forStep(settings.seed(), STREAM, 0, step);
            long[] t = new long[b];
            float[] weights = new float[b];
            long[][] ids = new long[b][];
            float[] pixels = new float[b * 3 * data.height() * data.width()];
            for (int i = 0; i < b; i++) {
                Example e = data.get(order.example((step - 1) * b + i));
                System.arraycopy(e.pixels(), 0, pixels, i * e.pixels().length, e.pixels().length);
                t[i] = r.nextInt(schedule.numTrainTimesteps());
                weights[i] = lossWeight(settings.snrGamma(), settings.lossWeighting(), settings.maxLossWeight(),
                        schedule.alphaCumprod(t[i]));
                boolean drop = r.nextInt(1 << 30) < settings.captionDropout() * (1 << 30);
                ids[i] = toLongs(tokenizer.encode(drop ? "" : e.caption()));
            }
            float[] noise = r.gaussian(b * perSample);
            float[] x0 = latents.encode(Nd4j.create(pixels, new long[] {b, 3, data.height(), data.width()}, 'c'))
                    .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
            float[] noisy = schedule.addNoise(x0, noise, t, perSample);
            float[] ts = new float[b];
            for (int i = 0; i < b; i++) {
                ts[i] = t[i];
            }
            long[] shape = {b, latentChannels, h, w};
            PretrainGraph.Result res = graph.step(ids, Nd4j.create(noisy, shape, 'c'), Nd4j.createFromArray(ts),
                    Nd4j.create(noise, shape, 'c'), weights);
            float[] grad = vector.flatten(res.gradients());
            double norm = norm(grad);
            if (!Double.isFinite(res.loss()) || !Double.isFinite(norm)) {
                throw new NonFiniteLossException(STREAM, step, res.loss(),
                        Double.isFinite(res.loss()) ? "a non-finite gradient" : "a non-finite loss");
            }
            if (norm > settings.maxGradNorm()) {
                float scale = (float) (settings.maxGradNorm() / norm);
                for (int i = 0; i < grad.length; i++) {
                    grad[i] *= scale;
                }
            }
            double lr = settings.learningRate() * settings.lrSchedule().factor(step - 1);
            state = adam.step(state, grad, lr);
            if (ema != null) {
                average(ema, state.params(), settings.emaDecayAt(step));
            }
            vector.write(state.params());
            LossLog.Entry entry = log.add(new StepRecord(step, res.loss(), lr, norm));
            if (step % PROGRESS_EVERY == 0 || step == start + 1 || step == settings.steps()) {
                progress.accept(line.line(entry));
            }
            if (step % settings.checkpointEvery() == 0 || step == settings.steps()) {
                if (ema != null) {
                    vector.write(ema); // the model files get the average; training continues from the weights
                }
                out.save(step, nets, state, ema, keys, settings, log);
                if (ema != null) {
                    vector.write(state.params());
                }
            }
        }
        List<LossLog.Entry> entries = log.entries();
        double smoothed = entries.isEmpty() ? Double.NaN : entries.get(entries.size() - 1).smoothed();
        return new Result(settings.steps(), settings.steps() - start, smoothed);
    }

    /**
     * The ε-MSE weight of a timestep with cumulative alpha {@code alphaBar}: min(SNR, γ)/SNR (1 when γ is 0: plain
     * MSE), plus 1/SNR for the {@code v} weighting, at most {@code cap} when that is not 0 (see
     * {@link PretrainSettings}).
     */
    static float lossWeight(double gamma, String weighting, double cap, float alphaBar) {
        if (gamma == 0 && weighting.equals("epsilon")) {
            return 1f;
        }
        double snr = alphaBar / (1.0 - alphaBar);
        double w = gamma == 0 ? 1 : Math.min(snr, gamma) / snr;
        w = weighting.equals("v") ? w + 1 / snr : w;
        return (float) (cap > 0 ? Math.min(w, cap) : w);
    }

    private static void average(float[] ema, float[] params, double decay) {
        float d = (float) decay;
        float rest = (float) (1 - decay);
        for (int i = 0; i < ema.length; i++) {
            ema[i] = d * ema[i] + rest * params[i];
        }
    }

    private static double norm(float[] g) {
        double s = 0;
        for (float v : g) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** Passes over the examples, each in its own shuffled order keyed by (seed, pass). */
    private static final class Order {
        private final long seed;
        private final int n;
        private long pass = -1;
        private int[] perm;

        Order(long seed, int n) {
            this.seed = seed;
            this.n = n;
        }

        int example(long position) {
            long p = position / n;
            if (p != pass) {
                perm = StepRandom.forEpoch(seed, STREAM, 0, p).permutation(n);
                pass = p;
            }
            return perm[(int) (position % n)];
        }
    }
}
