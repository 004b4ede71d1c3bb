package org.sdti.model.config;

/**
 * The noise-schedule fields of {@code scheduler/scheduler_config.json} that every sampler shares. Sampler-specific
 * keys (solver order, Karras sigmas, ...) stay readable through {@link #json()}.
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        double[] trainedBetas,
        String predictionType,
        int stepsOffset,
        boolean setAlphaToOne,
        String timestepSpacing,
        boolean clipSample,
        double clipSampleRange,
        boolean thresholding,
        boolean rescaleBetasZeroSnr,
        JsonConfig json) {

    public SchedulerConfig {
        trainedBetas = trainedBetas == null ? null : trainedBetas.clone();
    }

    public static SchedulerConfig from(JsonConfig c) {
        String schedule = c.optString("beta_schedule", "linear");
        c.requireOneOf("beta_schedule", schedule, "linear", "scaled_linear", "squaredcos_cap_v2");
        String prediction = c.optString("prediction_type", "epsilon");
        c.requireOneOf("prediction_type", prediction, "epsilon", "v_prediction", "sample");
        String spacing = c.optString("timestep_spacing", "leading");
        c.requireOneOf("timestep_spacing", spacing, "leading", "trailing", "linspace");
        double[] trained = null;
        if (c.has("trained_betas")) {
            var node = c.raw().get("trained_betas");
            trained = new double[node.size()];
            for (int i = 0; i < trained.length; i++) {
                trained[i] = node.get(i).doubleValue();
            }
        }
        return new SchedulerConfig(
                c.optString("_class_name", "DDPMScheduler"),
                c.optInt("num_train_timesteps", 1000),
                c.optDouble("beta_start", 0.0001),
                c.optDouble("beta_end", 0.02),
                schedule,
                trained,
                prediction,
                c.optInt("steps_offset", 0),
                c.optBool("set_alpha_to_one", true),
                spacing,
                c.optBool("clip_sample", true),
                c.optDouble("clip_sample_range", 1.0),
                c.optBool("thresholding", false),
                c.optBool("rescale_betas_zero_snr", false),
                c);
    }

    @Override
    public double[] trainedBetas() {
        return trainedBetas == null ? null : trainedBetas.clone();
    }

    /** Whether the file sets {@code key} (to a non-null value); samplers use their own defaults for unset keys. */
    public boolean isSet(String key) {
        return json != null && json.has(key);
    }

    /** The file this config came from, for error messages. */
    public String source() {
        return json == null ? "scheduler config" : json.source();
    }

    public boolean isVPrediction() {
        return "v_prediction".equals(predictionType);
    }
}
