package org.sdti.model.schedulers;

/**
 * The clean sample and the noise implied by a U-Net output at a timestep with cumulative alpha {@code a}
 * (x_t = sqrt(a) x0 + sqrt(1-a) eps), in the float32 operation order of diffusers' DDIM/DDPM.
 */
final class VpEstimates {
    private VpEstimates() {}

    static float[] x0(Prediction p, float[] out, float[] x, float a) {
        float sa = TorchFloat.sqrt(a);
        float sb = TorchFloat.sqrt(1f - a);
        float[] x0 = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x0[i] = switch (p) {
                case EPSILON -> (x[i] - sb * out[i]) / sa;
                case V_PREDICTION -> sa * x[i] - sb * out[i];
                case SAMPLE -> out[i];
            };
        }
        return x0;
    }

    /** {@code x0} must be the unclipped estimate from {@link #x0}. */
    static float[] epsilon(Prediction p, float[] out, float[] x, float[] x0, float a) {
        float sa = TorchFloat.sqrt(a);
        float sb = TorchFloat.sqrt(1f - a);
        return switch (p) {
            case EPSILON -> out;
            case V_PREDICTION -> {
                float[] eps = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    eps[i] = sa * out[i] + sb * x[i];
                }
                yield eps;
            }
            case SAMPLE -> {
                float[] eps = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    eps[i] = (x[i] - sa * x0[i]) / sb;
                }
                yield eps;
            }
        };
    }
}
