package org.sdti.model.inversion;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a concept is optimised. Defaults ({@link #defaults()}) follow the seed's run: 2000 steps at a learning rate
 * of 5e-4, constant schedule, batch 1, no accumulation, AdamW with the reference's betas 0.9/0.999, eps 1e-8 and
 * weight decay 1e-2 (on the new rows only), seed 0.
 *
 * @param steps                optimizer steps to train for
 * @param learningRate         base learning rate, before {@code scaleLr}
 * @param scaleLr              multiply the rate by batch × accumulation × replicas (the reference's {@code --scale_lr})
 * @param lrSchedule           constant, constant_with_warmup, linear or cosine (half a cosine wave, diffusers' default)
 * @param warmupSteps          linear warm-up steps of the schedules that have one
 * @param batchSize            samples per forward/backward pass
 * @param gradientAccumulation passes whose mean gradient makes one optimizer step
 * @param seed                 seeds every random draw (with the concept, replica and step; see {@link StepRandom})
 * @param adam                 the optimizer's constants
 */
public record TrainingConfig(int steps, double learningRate, boolean scaleLr, LrSchedule.Kind lrSchedule,
                             int warmupSteps, int batchSize, int gradientAccumulation, long seed, AdamW adam)
        implements Serializable {
    public static final int DEFAULT_STEPS = 2000;
    public static final double DEFAULT_LEARNING_RATE = 5e-4;
    /** diffusers' {@code get_cosine_schedule_with_warmup} default: the rate falls from its peak to 0 once. */
    static final double COSINE_CYCLES = 0.5;

    public TrainingConfig {
        Objects.requireNonNull(lrSchedule, "lrSchedule");
        Objects.requireNonNull(adam, "adam");
        require(steps >= 1, "steps must be at least 1, not " + steps);
        require(learningRate > 0 && Double.isFinite(learningRate),
                "the learning rate must be a positive number, not " + learningRate);
        require(warmupSteps >= 0, "warm-up steps must not be negative, not " + warmupSteps);
        require(batchSize >= 1, "the batch size must be at least 1, not " + batchSize);
        require(gradientAccumulation >= 1, "gradient accumulation must be at least 1, not " + gradientAccumulation);
        require(adam.beta1() >= 0 && adam.beta1() < 1 && adam.beta2() >= 0 && adam.beta2() < 1,
                "AdamW betas must be in [0, 1), not " + adam.beta1() + " and " + adam.beta2());
        require(adam.eps() > 0, "AdamW epsilon must be positive, not " + adam.eps());
        require(adam.weightDecay() >= 0, "AdamW weight decay must not be negative, not " + adam.weightDecay());
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(DEFAULT_STEPS, DEFAULT_LEARNING_RATE, false, LrSchedule.Kind.CONSTANT, 0, 1, 1,
                0L, AdamW.defaults());
    }

    public TrainingConfig withSteps(int n) {
        return new TrainingConfig(n, learningRate, scaleLr, lrSchedule, warmupSteps, batchSize,
                gradientAccumulation, seed, adam);
    }

    public TrainingConfig withLearningRate(double lr) {
        return new TrainingConfig(steps, lr, scaleLr, lrSchedule, warmupSteps, batchSize, gradientAccumulation,
                seed, adam);
    }

    public TrainingConfig withBatch(int batch, int accumulation) {
        return new TrainingConfig(steps, learningRate, scaleLr, lrSchedule, warmupSteps, batch, accumulation,
                seed, adam);
    }

    public TrainingConfig withSeed(long s) {
        return new TrainingConfig(steps, learningRate, scaleLr, lrSchedule, warmupSteps, batchSize,
                gradientAccumulation, s, adam);
    }

    public TrainingConfig withSchedule(LrSchedule.Kind kind, int warmup) {
        return new TrainingConfig(steps, learningRate, scaleLr, kind, warmup, batchSize, gradientAccumulation,
                seed, adam);
    }

    public TrainingConfig withScaleLr(boolean on) {
        return new TrainingConfig(steps, learningRate, on, lrSchedule, warmupSteps, batchSize, gradientAccumulation,
                seed, adam);
    }

    /** The peak rate: {@code learningRate}, times batch × accumulation × replicas when {@code scaleLr}. */
    public double peakLearningRate(int replicas) {
        return scaleLr ? learningRate * batchSize * gradientAccumulation * replicas : learningRate;
    }

    public LrSchedule schedule() {
        return new LrSchedule(lrSchedule, warmupSteps, steps, COSINE_CYCLES);
    }

    /** Samples that make one optimizer step (per replica). */
    public int samplesPerStep() {
        return batchSize * gradientAccumulation;
    }

    /**
     * The settings as strings, in a fixed order, for checkpoint metadata. A resumed run must agree on all of them
     * but {@code steps} (which may grow to train longer), or it would not continue the same trajectory.
     */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("steps", Integer.toString(steps));
        m.put("learning_rate", Double.toString(learningRate));
        m.put("scale_lr", Boolean.toString(scaleLr));
        m.put("lr_schedule", lrSchedule.name().toLowerCase(java.util.Locale.ROOT));
        m.put("lr_warmup_steps", Integer.toString(warmupSteps));
        m.put("batch_size", Integer.toString(batchSize));
        m.put("gradient_accumulation", Integer.toString(gradientAccumulation));
        m.put("seed", Long.toString(seed));
        m.put("adam_beta1", Double.toString(adam.beta1()));
        m.put("adam_beta2", Double.toString(adam.beta2()));
        m.put("adam_epsilon", Double.toString(adam.eps()));
        m.put("adam_weight_decay", Double.toString(adam.weightDecay()));
        return m;
    }
}
