package org.sdti.model.inversion;

import java.util.Locale;

/**
 * Learning-rate schedules of the reference trainer ({@code diffusers.optimization.get_scheduler}): the factor of the
 * base rate at optimizer step {@code step} (0-based, as the scheduler is stepped after each optimizer step).
 */
public record LrSchedule(Kind kind, int warmupSteps, int totalSteps, double cycles)
        implements java.io.Serializable {

    public enum Kind { CONSTANT, CONSTANT_WITH_WARMUP, LINEAR, COSINE }

    public LrSchedule {
        if (warmupSteps < 0 || totalSteps < 0) {
            throw new IllegalArgumentException("warm-up and total steps must not be negative");
        }
    }

    /** Parses {@code constant}, {@code constant_with_warmup}, {@code linear}, {@code cosine} (dashes allowed). */
    public static Kind parse(String name) {
        try {
            return Kind.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown learning-rate schedule '" + name
                    + "' (expected constant, constant_with_warmup, linear or cosine)");
        }
    }

    public double factor(long step) {
        switch (kind) {
            case CONSTANT:
                return 1.0;
            case CONSTANT_WITH_WARMUP:
                return step < warmupSteps ? (double) step / Math.max(1, warmupSteps) : 1.0;
            case LINEAR:
                if (step < warmupSteps) {
                    return (double) step / Math.max(1, warmupSteps);
                }
                return Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case COSINE:
                if (step < warmupSteps) {
                    return (double) step / Math.max(1, warmupSteps);
                }
                double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
                return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * cycles * 2.0 * progress)));
            default:
                throw new AssertionError(kind);
        }
    }
}
