package org.sdti.model.schedulers;

import org.sdti.model.config.ConfigException;
import org.sdti.model.config.SchedulerConfig;

/**
 * {@code timestep_spacing}: how N inference steps are laid over the training timesteps. The rules differ slightly
 * between diffusers' scheduler classes (DPM-Solver divides into N+1 intervals and drops the last), so each grid has
 * its own method; all return timesteps in descending order.
 */
enum TimestepSpacing {
    LEADING("leading"),
    TRAILING("trailing"),
    LINSPACE("linspace");

    private final String key;

    TimestepSpacing(String key) {
        this.key = key;
    }

    /**
     * The config's spacing, or {@code classDefault} when the file does not set the key: diffusers' from_config fills
     * missing keys with the target class's defaults (leading for DDIM/DDPM, linspace for Euler/DPM), so an old
     * config (e.g. SD 2.1's, written by diffusers 0.8) gives different grids per sampler.
     */
    static TimestepSpacing of(SchedulerConfig cfg, TimestepSpacing classDefault) {
        if (!cfg.isSet("timestep_spacing")) {
            return classDefault;
        }
        for (TimestepSpacing s : values()) {
            if (s.key.equals(cfg.timestepSpacing())) {
                return s;
            }
        }
        throw new ConfigException(cfg.source() + ": key 'timestep_spacing' = \"" + cfg.timestepSpacing()
                + "\" is not supported (expected one of leading, trailing, linspace)");
    }

    /** DDIM and DDPM (integer timesteps). */
    long[] ddim(int trainSteps, int n, int stepsOffset) {
        long[] t = new long[n];
        switch (this) {
            case LINSPACE -> {
                double[] y = Numpy.linspace(0, trainSteps - 1, n);
                for (int i = 0; i < n; i++) {
                    t[i] = (long) Numpy.round(y[n - 1 - i]);
                }
            }
            case LEADING -> {
                int ratio = trainSteps / n;
                for (int i = 0; i < n; i++) {
                    t[i] = (long) (n - 1 - i) * ratio + stepsOffset;
                }
            }
            case TRAILING -> {
                return trailing(trainSteps, trainSteps / (double) n);
            }
        }
        return t;
    }

    /** Euler discrete (float32 timesteps; linspace is not rounded). */
    float[] euler(int trainSteps, int n, int stepsOffset) {
        if (this == LINSPACE) {
            double[] y = Numpy.linspace(0, trainSteps - 1, n);
            float[] t = new float[n];
            for (int i = 0; i < n; i++) {
                t[i] = (float) y[n - 1 - i];
            }
            return t;
        }
        long[] integral = this == LEADING ? ddim(trainSteps, n, 0) : trailing(trainSteps, trainSteps / (double) n);
        float[] t = new float[integral.length];
        for (int i = 0; i < t.length; i++) {
            // diffusers adds steps_offset after the float32 cast (leading only)
            t[i] = this == LEADING ? (float) integral[i] + (float) stepsOffset : (float) integral[i];
        }
        return t;
    }

    /** DPM-Solver multistep: N+1 grid points from {@code lastTimestep} down, the last (0) dropped. */
    long[] dpm(int trainSteps, int lastTimestep, int n, int stepsOffset) {
        long[] t = new long[n];
        switch (this) {
            case LINSPACE -> {
                double[] y = Numpy.linspace(0, lastTimestep - 1, n + 1);
                for (int i = 0; i < n; i++) {
                    t[i] = (long) Numpy.round(y[n - i]);
                }
            }
            case LEADING -> {
                int ratio = lastTimestep / (n + 1);
                for (int i = 0; i < n; i++) {
                    t[i] = (long) (n - i) * ratio + stepsOffset;
                }
            }
            case TRAILING -> {
                double[] y = Numpy.arange(lastTimestep, 0, -(trainSteps / (double) n));
                t = new long[y.length];
                for (int i = 0; i < y.length; i++) {
                    t[i] = (long) Numpy.round(y[i]) - 1;
                }
            }
        }
        return t;
    }

    private static long[] trailing(int trainSteps, double ratio) {
        double[] y = Numpy.arange(trainSteps, 0, -ratio);
        long[] t = new long[y.length];
        for (int i = 0; i < y.length; i++) {
            t[i] = (long) Numpy.round(y[i]) - 1;
        }
        return t;
    }
}
