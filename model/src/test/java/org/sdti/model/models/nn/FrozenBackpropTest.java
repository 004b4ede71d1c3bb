package org.sdti.model.models.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FrozenBackprop} against SameDiff's own autodiff, in double precision: every op kind the networks use, each
 * rule it has (deconv input gradient, strided-conv fallback, transposed batched matmuls, broadcast reductions on
 * either side, constants that get no gradient) and the fallbacks, and the moments + batchnorm normalisation against
 * the composed norm SameDiff can differentiate.
 */
class FrozenBackpropTest {
    private static final DataType D = DataType.DOUBLE;

    private static SDVariable conv(SameDiff sd, SDVariable x, int in, int out, int k, int stride) {
        Conv2DConfig c = Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride).pH(k / 2).pW(k / 2).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
        return sd.cnn().conv2d(x, sd.constant(Nd4j.randn(D, k, k, in, out)), sd.constant(Nd4j.randn(D, out)), c);
    }

    private static SDVariable weigh(SameDiff sd, SDVariable y, long... shape) {
        return y.mul(sd.constant(Nd4j.randn(D, shape))).sum();
    }

    @Test
    void equalsSameDiffAutodiffOnEveryRule() {
        Nd4j.getRandom().setSeed(11);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.randn(D, 2, 3, 6, 6));
        SDVariable noise = sd.placeHolder("noise", D, 2, 4, 6, 6);
        SDVariable c1 = sd.nn().swish(conv(sd, x, 3, 4, 3, 1).add(noise)); // placeholder: no gradient
        SDVariable c2 = conv(sd, c1, 4, 4, 3, 2);                          // strided: SameDiff's conv2d_bp
        SDVariable c3 = conv(sd, c1, 4, 5, 1, 1).mul(sd.constant(Nd4j.randn(D, 1, 5, 1, 1)));
        SDVariable up = sd.cnn().upsampling2d(c2, 2, 2, true);
        SDVariable cat = sd.concat(1, up, c3);                              // [2, 9, 6, 6]
        SDVariable[] parts = sd.split(cat, 3, 1);
        SDVariable tokens = sd.reshape(sd.permute(sd.reshape(parts[0].mul(parts[1]).add(parts[2]), -1, 3, 36),
                0, 2, 1), -1, 3);                                          // [72, 3]
        SDVariable lin = tokens.mmul(sd.constant(Nd4j.randn(D, 3, 8))).add(sd.constant(Nd4j.randn(D, 8)));
        SDVariable q = sd.permute(sd.reshape(lin, -1, 36, 2, 4), 0, 2, 1, 3); // [2, 2, 36, 4]
        SDVariable probs = sd.nn().softmax(sd.mmul(q, q, false, true, false).mul(0.5), 3);
        SDVariable mixed = sd.mmul(probs, q);
        SDVariable mixedT = sd.mmul(probs, q, true, false, false);
        // broadcast operands that need gradients themselves, on both sides and both axes
        SDVariable centred = lin.sub(lin.mean(true, 1)).mul(lin.mean(true, 0)).div(sd.math().square(lin).mean(true, 0).add(1));
        SDVariable gelu = sd.math().erf(centred.mul(0.7)).add(1.0).mul(centred);
        SDVariable loss = weigh(sd, mixed, 2, 2, 36, 4).add(weigh(sd, mixedT, 2, 2, 36, 4))
                .add(weigh(sd, gelu, 72, 8)).add(weigh(sd, c2, 2, 4, 3, 3));
        sd.setLossVariables(loss);
        Map<String, INDArray> feed = Map.of("noise", Nd4j.randn(D, 2, 4, 6, 6));

        INDArray expected = sd.calculateGradients(feed, "x").get("x").dup();
        INDArray actual = GraphRunner.gradients(sd, feed, "x").get("x");
        double err = actual.sub(expected).amaxNumber().doubleValue();
        double scale = expected.amaxNumber().doubleValue();
        System.out.printf("FrozenBackprop vs SameDiff autodiff: max abs err %.3e (max |grad| %.3e)%n", err, scale);
        assertTrue(scale > 0);
        assertTrue(err <= 1e-12 * scale, "max abs error " + err + " at gradient scale " + scale);
    }

    @Test
    void normalisationEqualsTheComposedNorm() {
        Nd4j.getRandom().setSeed(5);
        INDArray x0 = Nd4j.randn(D, 6, 10).mul(3).add(1);
        INDArray gamma = Nd4j.randn(D, 10);
        INDArray beta = Nd4j.randn(D, 10);
        INDArray r = Nd4j.randn(D, 6, 10);
        double eps = 1e-5;

        SameDiff composed = SameDiff.create();
        SDVariable a = composed.var("x", x0.dup());
        SDVariable centred = a.sub(a.mean(true, 1));
        SDVariable var = composed.math().square(centred).mean(true, 1);
        SDVariable normed = centred.mul(composed.math().rsqrt(var.add(eps)));
        composed.setLossVariables(weighted(composed, normed, gamma, beta, r));
        INDArray expected = composed.calculateGradients(Map.of(), "x").get("x");

        SameDiff fused = SameDiff.create();
        SDVariable b = fused.var("x", x0.dup());
        SDVariable out = LayerNorm.standardizeRows(fused, b, 10, eps);
        fused.setLossVariables(weighted(fused, out, gamma, beta, r));
        assertEquals(0.0, fused.output(Map.of(), out.name()).get(out.name())
                .sub(composed.output(Map.of(), normed.name()).get(normed.name())).amaxNumber().doubleValue(), 1e-12);
        INDArray actual = GraphRunner.gradients(fused, Map.of(), "x").get("x");
        double err = actual.sub(expected).amaxNumber().doubleValue();
        System.out.printf("normalisation gradient vs composed norm: max abs err %.3e (max |grad| %.3e)%n", err,
                expected.amaxNumber().doubleValue());
        // libnd4j's batchnorm_bp keeps an intermediate in float: ~6e-9 relative even in double
        assertTrue(err <= 1e-7 * expected.amaxNumber().doubleValue(), "max abs error " + err);
    }

    private static SDVariable weighted(SameDiff sd, SDVariable y, INDArray gamma, INDArray beta, INDArray r) {
        return y.mul(sd.constant(gamma)).add(sd.constant(beta)).mul(sd.constant(r)).sum();
    }

    @Test
    void refusesWhatItCannotDifferentiate() {
        SameDiff sd = SameDiff.create();
        SDVariable w = sd.constant("w", Nd4j.ones(D, 3));
        SDVariable x = sd.var("x", Nd4j.ones(D, 3));
        SDVariable loss = w.mul(2.0).sum();
        sd.setLossVariables(loss);
        assertThrows(IllegalArgumentException.class, () -> FrozenBackprop.build(sd, loss.name(), "w"));
        assertThrows(IllegalArgumentException.class, () -> FrozenBackprop.build(sd, loss.name(), "x"));
        SameDiff open = SameDiff.create();
        SDVariable p = open.placeHolder("p", D, -1, 3);
        SDVariable v = open.var("v", Nd4j.ones(D, 3));
        SDVariable l = p.mul(v).sum();
        assertThrows(IllegalArgumentException.class, () -> FrozenBackprop.build(open, l.name(), "v"),
                "a placeholder without a fixed shape needs example inputs");
        assertEquals(List.of("backprop/v" + FrozenBackprop.SUFFIX),
                FrozenBackprop.build(open, l.name(), Map.of("p", Nd4j.ones(D, 2, 3)), "v"));
    }
}
