package org.sdti.jobs.config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.sdti.model.inversion.AdamW;
import org.sdti.model.inversion.LrSchedule;
import org.sdti.model.inversion.TrainingConfig;

/**
 * A concept's training settings ({@code sdti.train}, merged with {@code concept-defaults.train} and the concept's
 * own {@code train}): the trainer's {@link TrainingConfig} ({@link #trainingConfig()}) plus the Spark-side
 * {@code replicas}, {@code averageEvery} and the validation images.
 *
 * @param averageEvery local steps per round (job-wide: every concept carries the job's value)
 * @param unitsPerPass (concept, replica) units that share one U-Net pass in the Spark job (job-wide)
 * @param a1111        also write the embedding as an AUTOMATIC1111 {@code .pt}
 * @param keepLast     round checkpoints kept per concept, the newest ones ({@link #KEEP_ALL}: every one)
 */
public record TrainSettings(int steps, double lr, boolean scaleLr, LrSchedule.Kind lrSchedule, int lrWarmupSteps,
                            int batchSize, int gradientAccumulation, int replicas, int averageEvery,
                            int unitsPerPass, long seed, double adamBeta1, double adamBeta2, double adamEpsilon,
                            double adamWeightDecay, boolean a1111, int keepLast, Validation validation,
                            Evaluation evaluation) implements Serializable {
    /** {@code keep-last = all}: no checkpoint is deleted. */
    public static final int KEEP_ALL = Integer.MAX_VALUE;

    /**
     * Hit rates of what the model draws for the concept, before and after, for models whose world sdti knows
     * ({@code _sdti_world} in model_index.json: the toy model); {@code seeds} 0 turns it off.
     */
    public record Evaluation(int seeds, int steps, double guidance) implements Serializable {}

    /** Validation images rendered with the learned embedding. */
    public record Validation(List<String> prompts, int images, int every, int steps, double guidance, long seed)
            implements Serializable {
        public Validation {
            prompts = List.copyOf(prompts);
        }
    }

    private static final Map<String, LrSchedule.Kind> SCHEDULES = Map.of(
            "constant", LrSchedule.Kind.CONSTANT,
            "constant-with-warmup", LrSchedule.Kind.CONSTANT_WITH_WARMUP,
            "linear", LrSchedule.Kind.LINEAR,
            "cosine", LrSchedule.Kind.COSINE);

    /** The single-machine trainer's settings for this concept (replicas and rounds are the Spark job's). */
    public TrainingConfig trainingConfig() {
        return new TrainingConfig(steps, lr, scaleLr, lrSchedule, lrWarmupSteps, batchSize, gradientAccumulation,
                seed, adam());
    }

    public AdamW adam() {
        return new AdamW(adamBeta1, adamBeta2, adamEpsilon, adamWeightDecay);
    }

    static TrainSettings read(Keys k) {
        int steps = k.intAtLeast("steps", 1);
        int warmup = k.intAtLeast("lr-warmup-steps", 0);
        Keys adam = k.child("adam");
        Keys v = k.child("validation");
        List<String> prompts = v.strings("prompts");
        for (int i = 0; i < prompts.size(); i++) {
            if (!prompts.get(i).contains("{}")) {
                throw new JobConfigException(v.path("prompts") + "[" + i + "]",
                        "a validation prompt needs {} where the concept goes, got \"" + prompts.get(i) + "\"");
            }
        }
        Validation validation = new Validation(prompts, v.intAtLeast("images", 0), v.intAtLeast("every", 0),
                v.intAtLeast("steps", 1), v.numberIn("guidance", 0, true, 100, true), v.longValue("seed"));
        return new TrainSettings(steps,
                k.numberIn("lr", 0, false, 10, true),
                k.bool("scale-lr"),
                k.choice("lr-schedule", new java.util.TreeMap<>(SCHEDULES)),
                warmup,
                k.intAtLeast("batch-size", 1),
                k.intAtLeast("gradient-accumulation", 1),
                k.intAtLeast("replicas", 1),
                k.intAtLeast("average-every", 1),
                k.intAtLeast("units-per-pass", 1),
                k.longValue("seed"),
                adam.numberIn("beta1", 0, true, 1, false),
                adam.numberIn("beta2", 0, true, 1, false),
                adam.numberIn("epsilon", 0, false, 1, true),
                adam.numberIn("weight-decay", 0, true, 10, true),
                k.bool("a1111"),
                keepLast(k),
                validation,
                evaluation(k.child("evaluation")));
    }

    /**
     * {@code keep-last}: a count >= 1 or {@code all}. 0 is refused rather than read as "none": the newest checkpoint
     * is what a resume continues from.
     */
    private static int keepLast(Keys k) {
        if (k.isSet("keep-last") && "all".equals(k.optString("keep-last"))) {
            return KEEP_ALL;
        }
        try {
            return k.intAtLeast("keep-last", 1);
        } catch (JobConfigException e) {
            throw k.error("keep-last", "expected a count >= 1 or \"all\" (the newest checkpoint is always kept: a "
                    + "resume continues from it), got " + k.optString("keep-last"));
        }
    }

    private static Evaluation evaluation(Keys e) {
        return new Evaluation(e.intAtLeast("seeds", 0), e.intAtLeast("steps", 1),
                e.numberIn("guidance", 0, true, 100, true));
    }
}
