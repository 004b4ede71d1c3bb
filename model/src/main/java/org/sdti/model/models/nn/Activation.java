package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** Element-wise activations by their transformers/diffusers config names, each exactly as PyTorch defines it. */
public enum Activation {
    /** {@code 0.5·x·(1 + erf(x/√2))}. ND4J's own {@code gelu} is the sigmoid approximation and is not used. */
    GELU {
        @Override
        public SDVariable apply(SameDiff sd, SDVariable x) {
            SDVariable halfCdf = sd.math().erf(x.mul(1.0 / Math.sqrt(2.0))).add(1.0).mul(0.5);
            return x.mul(halfCdf);
        }
    },
    /** {@code x·σ(1.702·x)}, transformers' {@code quick_gelu} (CLIP of SD 1). */
    QUICK_GELU {
        @Override
        public SDVariable apply(SameDiff sd, SDVariable x) {
            return x.mul(sd.nn().sigmoid(x.mul(1.702)));
        }
    },
    /** {@code x·σ(x)}. */
    SILU {
        @Override
        public SDVariable apply(SameDiff sd, SDVariable x) {
            return sd.nn().swish(x);
        }
    };

    public abstract SDVariable apply(SameDiff sd, SDVariable x);

    /** Parses a config's {@code hidden_act} / {@code act_fn} value. */
    public static Activation fromConfig(String name) {
        return switch (name) {
            case "gelu" -> GELU;
            case "quick_gelu" -> QUICK_GELU;
            case "silu", "swish" -> SILU;
            default -> throw new IllegalArgumentException("unsupported activation '" + name
                    + "' (expected gelu, quick_gelu or silu)");
        };
    }
}
