package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * diffusers' {@code Timesteps} (sinusoidal projection) and {@code TimestepEmbedding} (linear_1 → SiLU → linear_2).
 *
 * @param name the MLP's parameter prefix ({@code time_embedding})
 * @param channels width of the sinusoidal projection (the first block's channels)
 */
public record TimestepEmbedding(String name, int channels, boolean flipSinToCos, double freqShift) {

    /**
     * Timesteps {@code [B]} (float; fractional allowed) → {@code [B, channels]}: {@code cos|sin(t·f_i)} with
     * {@code f_i = exp(−ln(10000)·i / (half − freqShift))}, cos first when {@code flipSinToCos}, a zero column
     * appended when {@code channels} is odd. Frequencies are rounded as PyTorch rounds them in float32.
     */
    public SDVariable projection(SameDiff sd, SDVariable timesteps) {
        int half = channels / 2;
        DataType dt = timesteps.dataType();
        SDVariable freqs = sd.constant(frequencies(half, freqShift, dt));
        SDVariable args = sd.reshape(timesteps, -1, 1).mul(freqs);
        SDVariable sin = sd.math().sin(args);
        SDVariable cos = sd.math().cos(args);
        SDVariable emb = flipSinToCos ? sd.concat(1, cos, sin) : sd.concat(1, sin, cos);
        if (channels % 2 == 1) {
            emb = sd.concat(1, emb, sd.zerosLike(sd.reshape(timesteps, -1, 1)));
        }
        return emb;
    }

    /** The MLP on the projection: {@code [B, channels]} → {@code [B, time_embed_dim]}. */
    public SDVariable apply(SameDiff sd, ParamStore p, SDVariable projection) {
        SDVariable h = sd.nn().swish(Linear.of(sd, p, name + ".linear_1").apply(projection));
        return Linear.of(sd, p, name + ".linear_2").apply(h);
    }

    /** Always rounded as PyTorch does in float32 (diffusers computes the projection in float32 for any model dtype). */
    private static INDArray frequencies(int half, double freqShift, DataType dt) {
        // exponent = float(−ln 10000) · i, then / (half − shift), then exp, each rounded to float
        float[] f = new float[half];
        float base = (float) -Math.log(10000.0);
        for (int i = 0; i < half; i++) {
            float e = (base * i) / (float) (half - freqShift);
            f[i] = (float) Math.exp(e);
        }
        return Nd4j.createFromArray(new float[][] {f}).castTo(dt);
    }
}
