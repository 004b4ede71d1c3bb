package org.sdti.model.pretrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.sdti.model.inversion.LrSchedule;

/**
 * The settings of a full-weight run, checked when made. A checkpoint records them; a resume refuses other values
 * for all but {@code steps} and {@code checkpointEvery}.
 *
 * @param learningRate the peak rate, reached after {@code warmupSteps} of linear warm-up
 * @param schedule after warm-up: {@code constant_with_warmup} or {@code cosine} (to 0 at {@code steps})
 * @param maxGradNorm gradients with a larger global L2 norm are scaled down to it (diffusers' clip_grad_norm_)
 * @param captionDropout probability that a sample's caption is replaced by the empty prompt, so the model also
 *     learns the unconditional prediction classifier-free guidance needs
 * @param snrGamma 0 for plain MSE; otherwise each sample's loss is weighted {@code min(SNR, γ) / SNR} with
 *     {@code SNR = ᾱ/(1 − ᾱ)} of its timestep (min-SNR-γ, Hang et al. 2023; diffusers' {@code --snr_gamma}): in
 *     ε-prediction the low-noise steps, whose fine detail dominates the plain loss, no longer drown the high-noise
 *     steps where the caption decides colour and shape
 * @param lossWeighting {@code epsilon}: each sample's ε-MSE as it is; {@code v}: times {@code 1 + 1/SNR} more, which
 *     makes it the v-prediction loss of the same prediction (the error of the predicted x0 weighted {@code SNR + 1}
 *     instead of {@code SNR}). Plain ε-MSE weights what the picture shows by SNR, 0.005–0.05 at the high-noise steps
 *     where only the caption tells colour and shape, so a small model trained on it learns to ignore its captions;
 *     {@code null} (checkpoints made before the option) reads as {@code epsilon}
 * @param maxLossWeight 0 for none; otherwise each sample's weight (min-SNR, v) is at most this, so the few samples
 *     nearest pure noise (where {@code 1/SNR} reaches ~200) do not drown every other step in Adam's normalisation
 * @param tokenInitStd 0 for PyTorch's N(0, 0.02²) token embeddings; otherwise their initial standard deviation. With
 *     0.02 the token's own vector is ~1/10 of what each layer adds to the residual stream, so a fresh text encoder's
 *     states for "a red circle" and "a blue square" differ little and a U-Net trained on them learns to ignore them
 * @param emaDecay 0 for none; otherwise the model files hold an exponential moving average of the weights, updated
 *     after each step with decay {@code min(emaDecay, (1 + s)/(10 + s))} at step s (the checkpoint keeps it too)
 */
public record PretrainSettings(int batchSize, long steps, double learningRate, String schedule, int warmupSteps,
                               double weightDecay, double maxGradNorm, double captionDropout, double snrGamma,
                               String lossWeighting, double maxLossWeight, double tokenInitStd, double emaDecay,
                               long seed, long checkpointEvery) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Values of {@code lossWeighting}. */
    public static final List<String> WEIGHTINGS = List.of("epsilon", "v");

    public PretrainSettings {
        List<String> problems = new ArrayList<>();
        if (lossWeighting == null) {
            lossWeighting = "epsilon";
        }
        if (!WEIGHTINGS.contains(lossWeighting)) {
            problems.add("loss weighting must be one of " + WEIGHTINGS + ", got " + lossWeighting);
        }
        if (batchSize < 1) {
            problems.add("batch size must be >= 1, got " + batchSize);
        }
        if (steps < 1) {
            problems.add("steps must be >= 1, got " + steps);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            problems.add("learning rate must be > 0, got " + learningRate);
        }
        if (warmupSteps < 0) {
            problems.add("warm-up steps must be >= 0, got " + warmupSteps);
        }
        if (!(weightDecay >= 0)) {
            problems.add("weight decay must be >= 0, got " + weightDecay);
        }
        if (!(maxGradNorm > 0)) {
            problems.add("max gradient norm must be > 0, got " + maxGradNorm);
        }
        if (!(captionDropout >= 0 && captionDropout < 1)) {
            problems.add("caption dropout must be in [0, 1), got " + captionDropout);
        }
        if (!(snrGamma >= 0) || Double.isInfinite(snrGamma)) {
            problems.add("SNR gamma must be >= 0 (0: plain MSE), got " + snrGamma);
        }
        if (!(maxLossWeight >= 0) || Double.isInfinite(maxLossWeight)) {
            problems.add("max loss weight must be >= 0 (0: none), got " + maxLossWeight);
        }
        if (!(tokenInitStd >= 0) || Double.isInfinite(tokenInitStd)) {
            problems.add("token init std must be >= 0 (0: 0.02), got " + tokenInitStd);
        }
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            problems.add("EMA decay must be in [0, 1) (0: none), got " + emaDecay);
        }
        if (checkpointEvery < 1) {
            problems.add("checkpoint interval must be >= 1, got " + checkpointEvery);
        }
        LrSchedule.Kind kind = null;
        try {
            kind = LrSchedule.parse(schedule);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (kind != null && kind != LrSchedule.Kind.CONSTANT_WITH_WARMUP && kind != LrSchedule.Kind.COSINE) {
            problems.add("schedule must be constant_with_warmup or cosine, got " + schedule);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    public LrSchedule lrSchedule() {
        return new LrSchedule(LrSchedule.parse(schedule), warmupSteps, (int) Math.min(Integer.MAX_VALUE, steps), 0.5);
    }

    /** The settings as a JSON object (checkpoint metadata). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PretrainSettings fromJson(String json) throws JsonProcessingException {
        return JSON.readValue(json, PretrainSettings.class);
    }

    /** The decay of the weights' moving average after step {@code step} (1-based). */
    public double emaDecayAt(long step) {
        return Math.min(emaDecay, (1.0 + step) / (10.0 + step));
    }

    /** Whether a run with these settings may continue a checkpoint made with {@code other}. */
    public boolean resumable(PretrainSettings other) {
        return withSteps(other.steps, other.checkpointEvery).equals(other);
    }

    private PretrainSettings withSteps(long s, long every) {
        return new PretrainSettings(batchSize, s, learningRate, schedule, warmupSteps, weightDecay, maxGradNorm,
                captionDropout, snrGamma, lossWeighting, maxLossWeight, tokenInitStd, emaDecay, seed, every);
    }
}
