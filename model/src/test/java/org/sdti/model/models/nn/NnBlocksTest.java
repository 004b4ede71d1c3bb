package org.sdti.model.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The shared blocks against plain-ND4J float64 references of the PyTorch definitions. */
class NnBlocksTest {
    private static final DataType D = DataType.DOUBLE;

    private static INDArray randn(long... shape) {
        return Nd4j.randn(D, shape);
    }

    private static double maxDiff(INDArray a, INDArray b) {
        assertArrayEquals(b.shape(), a.shape());
        return a.sub(b).amaxNumber().doubleValue();
    }

    /** x·Wᵀ + b for PyTorch {@code W [out, in]}. */
    private static INDArray linear(INDArray x, INDArray w, INDArray b) {
        INDArray y = x.mmul(w.transpose());
        return b == null ? y : y.addRowVector(b);
    }

    @Test
    void linearOnRowsAndOnAnyRankWithGradient() {
        Nd4j.getRandom().setSeed(1);
        INDArray w = randn(5, 4);
        INDArray b = randn(5);
        ParamStore p = ParamStore.of(Map.of("l.weight", w, "l.bias", b), D);
        INDArray x = randn(2, 3, 4);
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x.dup());
        Linear l = Linear.of(sd, p, "l");
        SDVariable y3 = l.applyLastAxis(xv);
        SDVariable y2 = l.apply(xv.reshape(6, 4));
        INDArray expected = linear(x.reshape(6, 4), w, b);
        Map<String, INDArray> out = sd.output(Map.of(), y3.name(), y2.name());
        assertTrue(maxDiff(out.get(y2.name()), expected) < 1e-12);
        assertTrue(maxDiff(out.get(y3.name()), expected.reshape(2, 3, 5)) < 1e-12);
        // d sum(y3·R) / dx = R·W
        INDArray r = randn(2, 3, 5);
        sd.setLossVariables(y3.mul(sd.constant(r)).sum());
        INDArray grad = sd.calculateGradients(Map.of(), "x").get("x");
        assertTrue(maxDiff(grad, r.reshape(6, 5).mmul(w).reshape(2, 3, 4)) < 1e-12);
        assertSame(p.linearWeight("l.weight"), sd.getArrForVarName("l.weight.T"), "the store's array, not a copy");
    }

    @Test
    void layerNormUsesItsEpsilon() {
        Nd4j.getRandom().setSeed(2);
        int c = 8;
        // rows with variance near eps, where a fixed epsilon would be visibly wrong
        INDArray x = randn(3, 2, c);
        double[] scales = {1e-3, 1.0, 30.0};
        for (int i = 0; i < scales.length; i++) {
            x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).muli(scales[i]);
        }
        INDArray g = randn(c);
        INDArray b = randn(c);
        double eps = 1e-5;
        SameDiff sd = SameDiff.create();
        LayerNorm norm = LayerNorm.of(sd, ParamStore.of(Map.of("n.weight", g, "n.bias", b), D), "n", eps);
        SDVariable y = norm.applyLastAxis(sd.constant(x));
        SDVariable rowsY = norm.apply(sd.constant(x.reshape(6, c)));
        INDArray rows = x.reshape(6, c);
        INDArray centred = rows.subColumnVector(rows.mean(true, 1));
        INDArray var = centred.mul(centred).mean(true, 1);
        INDArray expected = centred.divColumnVector(Transforms.sqrt(var.add(eps))).mulRowVector(g).addRowVector(b);
        double err = maxDiff(y.eval(), expected.reshape(3, 2, c));
        assertTrue(err < 1e-12, "layer norm differs by " + err);
        assertTrue(maxDiff(rowsY.eval(), expected) < 1e-12);
    }

    @Test
    void crossAttentionMatchesPerHeadReference() {
        check(false, 2, 6, 5, 8, 12);
    }

    @Test
    void causalSelfAttentionMatchesPerHeadReference() {
        check(true, 2, 5, 5, 8, 8);
    }

    /** Textual inversion's path: the loss reaches the text encoder through cross-attention's fused k|v. */
    @Test
    void crossAttentionGradientReachesTheContext() {
        Nd4j.getRandom().setSeed(4);
        int c = 8;
        int cc = 6;
        Map<String, INDArray> w = new LinkedHashMap<>();
        w.put("a.to_q.weight", randn(c, c));
        w.put("a.to_k.weight", randn(c, cc));
        w.put("a.to_v.weight", randn(c, cc));
        w.put("a.to_out.0.weight", randn(c, c));
        w.put("a.to_out.0.bias", randn(c));
        SameDiff sd = SameDiff.create();
        MultiHeadAttention a = MultiHeadAttention.of(sd, ParamStore.of(w, D), MultiHeadAttention.Names.diffusers("a"),
                2, false, true);
        SDVariable ctx = sd.var("ctx", randn(2 * 3, cc));
        SDVariable loss = a.apply(sd.constant(randn(2 * 4, c)), 4, ctx, 3).mul(sd.constant(randn(2 * 4, c))).sum();
        sd.setLossVariables(loss);
        INDArray grad = sd.calculateGradients(Map.of(), "ctx").get("ctx");
        INDArray live = sd.getArrForVarName("ctx");
        double eps = 1e-6;
        double worst = 0;
        for (int i = 0; i < live.rows(); i++) {
            for (int j = 0; j < cc; j++) {
                double v = live.getDouble(i, j);
                live.putScalar(i, j, v + eps);
                double up = loss.eval().getDouble(0);
                live.putScalar(i, j, v - eps);
                double down = loss.eval().getDouble(0);
                live.putScalar(i, j, v);
                worst = Math.max(worst, Math.abs((up - down) / (2 * eps) - grad.getDouble(i, j)));
            }
        }
        assertTrue(worst < 1e-6, "d loss / d context off by " + worst);
    }

    /** diffusers naming, q/k/v without biases (as SD 2's U-Net), out with a bias; batch 2. */
    private static void check(boolean self, int heads, int tq, int tk, int c, int cc) {
        Nd4j.getRandom().setSeed(3);
        int batch = 2;
        Map<String, INDArray> w = new LinkedHashMap<>();
        w.put("a.to_q.weight", randn(c, c));
        w.put("a.to_k.weight", randn(c, cc));
        w.put("a.to_v.weight", randn(c, cc));
        w.put("a.to_out.0.weight", randn(c, c));
        w.put("a.to_out.0.bias", randn(c));
        ParamStore p = ParamStore.of(w, D);
        INDArray x = randn(batch * tq, c);
        INDArray ctx = self ? x : randn(batch * tk, cc);

        SameDiff sd = SameDiff.create();
        MultiHeadAttention a = MultiHeadAttention.of(sd, p, MultiHeadAttention.Names.diffusers("a"), heads, self,
                false);
        SDVariable xv = sd.constant(x);
        SDVariable y = self ? a.apply(xv, tq) : a.apply(xv, tq, sd.constant(ctx), tk);

        INDArray q = linear(x, w.get("a.to_q.weight"), null);
        INDArray k = linear(ctx, w.get("a.to_k.weight"), null);
        INDArray v = linear(ctx, w.get("a.to_v.weight"), null);
        int d = c / heads;
        INDArray mixed = Nd4j.zeros(D, batch * tq, c);
        for (int bi = 0; bi < batch; bi++) {
            for (int h = 0; h < heads; h++) {
                INDArray qh = q.get(NDArrayIndex.interval(bi * tq, (bi + 1) * tq), NDArrayIndex.interval(h * d, (h + 1) * d));
                INDArray kh = k.get(NDArrayIndex.interval(bi * tk, (bi + 1) * tk), NDArrayIndex.interval(h * d, (h + 1) * d));
                INDArray vh = v.get(NDArrayIndex.interval(bi * tk, (bi + 1) * tk), NDArrayIndex.interval(h * d, (h + 1) * d));
                INDArray s = qh.mmul(kh.transpose()).mul(1 / Math.sqrt(d));
                for (int i = 0; i < tq; i++) {
                    for (int j = 0; j < tk; j++) {
                        if (self && j > i) {
                            s.putScalar(i, j, Double.NEGATIVE_INFINITY);
                        }
                    }
                }
                INDArray e = Transforms.exp(s.subColumnVector(s.max(true, 1)));
                INDArray prob = e.divColumnVector(e.sum(true, 1));
                mixed.get(NDArrayIndex.interval(bi * tq, (bi + 1) * tq), NDArrayIndex.interval(h * d, (h + 1) * d))
                        .assign(prob.mmul(vh));
            }
        }
        INDArray expected = linear(mixed, w.get("a.to_out.0.weight"), w.get("a.to_out.0.bias"));
        double err = maxDiff(y.eval(), expected);
        assertTrue(err < 1e-10, (self ? "causal self" : "cross") + "-attention differs by " + err);
    }
}
