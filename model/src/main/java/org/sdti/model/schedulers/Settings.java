package org.sdti.model.schedulers;

import org.sdti.model.config.ConfigException;
import org.sdti.model.config.SchedulerConfig;

/** Checks shared by the samplers: step counts and config values sdti does not implement. */
final class Settings {
    private Settings() {}

    static void checkSteps(SchedulerConfig cfg, int steps) {
        if (steps < 1 || steps > cfg.numTrainTimesteps()) {
            throw new IllegalArgumentException("inference steps must be in [1, " + cfg.numTrainTimesteps()
                    + "] (num_train_timesteps of " + cfg.source() + "), got " + steps);
        }
    }

    static void rejectThresholding(SchedulerConfig cfg) {
        if (cfg.thresholding()) {
            throw unsupported(cfg, "thresholding", "true",
                    "dynamic thresholding is meant for pixel-space models, not latent diffusion");
        }
    }

    static ConfigException unsupported(SchedulerConfig cfg, String key, String value, String why) {
        return new ConfigException(cfg.source() + ": key '" + key + "' = " + value + " is not supported (" + why + ")");
    }

    static String optString(SchedulerConfig cfg, String key, String dflt) {
        return cfg.isSet(key) ? cfg.json().optString(key, dflt) : dflt;
    }

    static boolean optBool(SchedulerConfig cfg, String key, boolean dflt) {
        return cfg.isSet(key) ? cfg.json().optBool(key, dflt) : dflt;
    }

    static double optDouble(SchedulerConfig cfg, String key, double dflt) {
        return cfg.isSet(key) ? cfg.json().optDouble(key, dflt) : dflt;
    }

    /** Clamps the clean-sample estimate when the config asks for {@code clip_sample}. */
    static void clip(float[] x, float range) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(-range, Math.min(range, x[i]));
        }
    }

    static float[] noise(NoiseSource source, int n, String sampler) {
        if (source == null) {
            throw new IllegalArgumentException(sampler + " draws noise: pass a NoiseSource");
        }
        float[] z = source.gaussian(n);
        if (z.length != n) {
            throw new IllegalStateException("NoiseSource returned " + z.length + " values, expected " + n);
        }
        return z;
    }

    static void checkShapes(float[] modelOutput, float[] x) {
        if (modelOutput.length != x.length) {
            throw new IllegalArgumentException("model output has " + modelOutput.length + " values but the sample has "
                    + x.length);
        }
    }
}
