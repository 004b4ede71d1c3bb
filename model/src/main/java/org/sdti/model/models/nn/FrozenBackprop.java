package org.sdti.model.models.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNormDerivative;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DeConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reverse-mode gradients of a loss with respect to chosen VARIABLEs (or placeholders), added as ordinary ops to the
 * forward graph itself, so that one {@link GraphRunner#output} pass computes loss, prediction and gradient together.
 * With every weight a VARIABLE (full-weight training, {@link ParamStore#trainable}) the same rules give all weight
 * gradients: matmul and the broadcast rules already cover both operands, convs with a trained weight use
 * {@code conv2d_bp}.
 *
 * <p>Why not SameDiff's own gradient function (M2.1): it differentiates every op for every input, frozen or not.
 * Each conv then computes its weight gradient ({@code conv2d_bp}: ~1/3 of a midsize training step), each Linear a
 * weight-gradient GEMM ({@code matmul_bp}), each broadcast multiply/add by a weight or a time embedding a
 * reduction, none of which textual inversion uses. A custom {@code doDiff} cannot fix that: SameDiff clones ops by
 * serialisation before differentiating, which drops any subclass. Here only inputs on a path from the variables
 * get gradients, and the ops that matter have input-only rules:
 * <ul>
 *   <li>stride-1 conv: {@code deconv2d} of the output gradient with the same YXIO weights (the transposed
 *       convolution: exactly conv2d_bp's input gradient, several times faster);</li>
 *   <li>matmul: one GEMM per input that needs a gradient;</li>
 *   <li>add / subtract / multiply: the broadcast input gradient summed down to the input's shape only where it
 *       was broadcast;</li>
 *   <li>moments + batchnorm ({@link LayerNorm#standardizeRows}): the normalisation's input gradient in one
 *       formula.</li>
 * </ul>
 * Every other op uses SameDiff's own {@code doDiff} for it. Shapes come from one forward pass on the given inputs
 * (M2.1 keeps no static shapes for intermediate arrays), so the gradient ops are built for those input shapes.
 */
public final class FrozenBackprop {
    private FrozenBackprop() {}

    /** Name scope of every op and variable the backward pass adds (e.g. to tell them apart in a profile). */
    public static final String SCOPE = "backprop";

    /** Suffix of the gradient variable added for a variable: {@code name + SUFFIX}. */
    public static final String SUFFIX = "/frozen-grad";

    /**
     * Adds the gradient ops of {@code loss} (a scalar) with respect to each of {@code variables} to {@code sd}.
     *
     * @param feed placeholder values of the shapes the gradient will be computed for (values do not matter)
     * @return the gradient variables' names ({@link #SCOPE}{@code /name}{@link #SUFFIX}), one per variable
     */
    public static List<String> build(SameDiff sd, String loss, Map<String, INDArray> feed, String... variables) {
        List<SameDiffOp> ops = new ArrayList<>(sd.getOps().values()); // creation order is topological
        Set<String> needs = new HashSet<>(Arrays.asList(variables));
        for (String v : variables) {
            VariableType type = sd.getVariable(v) == null ? null : sd.getVariable(v).getVariableType();
            if (type != VariableType.VARIABLE && type != VariableType.PLACEHOLDER) {
                throw new IllegalArgumentException("'" + v + "' is not a VARIABLE or PLACEHOLDER of the graph");
            }
        }
        for (SameDiffOp op : ops) {
            if (inputs(op).stream().anyMatch(needs::contains)) {
                needs.addAll(op.getOutputsOfOp());
            }
        }
        if (!needs.contains(loss)) {
            throw new IllegalArgumentException("loss '" + loss + "' does not depend on " + Arrays.toString(variables));
        }
        Map<String, long[]> shapes = shapes(sd, loss, feed);

        List<String> names = new ArrayList<>();
        try (NameScope scope = sd.withNameScope(SCOPE)) {
            backward(sd, ops, needs, shapes, loss, variables, names);
        }
        return names;
    }

    private static void backward(SameDiff sd, List<SameDiffOp> ops, Set<String> needs, Map<String, long[]> shapes,
                                 String loss, String[] variables, List<String> names) {
        Map<String, List<SDVariable>> grads = new HashMap<>();
        INDArray one = Nd4j.ones(sd.getVariable(variables[0]).dataType(), shapes.get(loss));
        grads.computeIfAbsent(loss, k -> new ArrayList<>()).add(sd.constant(loss + "/seed-grad", one));
        Rules rules = new Rules(sd, shapes);
        for (int o = ops.size() - 1; o >= 0; o--) {
            SameDiffOp op = ops.get(o);
            List<String> outs = op.getOutputsOfOp();
            List<String> ins = inputs(op);
            if (outs.stream().noneMatch(grads::containsKey) || ins.stream().noneMatch(needs::contains)) {
                continue;
            }
            SDVariable[] gOut = new SDVariable[outs.size()];
            for (int i = 0; i < gOut.length; i++) {
                List<SDVariable> gs = grads.remove(outs.get(i));
                gOut[i] = gs == null ? sd.zerosLike(sd.getVariable(outs.get(i))) : sum(gs);
            }
            boolean[] want = new boolean[ins.size()];
            for (int i = 0; i < want.length; i++) {
                want[i] = needs.contains(ins.get(i));
            }
            SDVariable[] gIn = rules.apply(op.getOp(), ins, outs, gOut, want);
            for (int i = 0; i < want.length; i++) {
                if (want[i] && gIn[i] != ACCOUNTED) {
                    if (gIn[i] == null) {
                        throw new IllegalStateException("no gradient for input " + i + " of " + op.getName());
                    }
                    grads.computeIfAbsent(ins.get(i), k -> new ArrayList<>()).add(gIn[i]);
                }
            }
        }
        for (String v : variables) {
            List<SDVariable> gs = grads.get(v);
            SDVariable g = gs == null ? sd.zerosLike(sd.getVariable(v)) : sum(gs);
            names.add(sd.identity(v + SUFFIX, g).name());
        }
    }

    /** {@link #build} for a graph whose placeholders all have fixed shapes (traced on zeros). */
    public static List<String> build(SameDiff sd, String loss, String... variables) {
        Map<String, INDArray> zeros = new HashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.PLACEHOLDER) {
                long[] shape = v.getShape();
                if (shape == null || Arrays.stream(shape).anyMatch(d -> d < 0)) {
                    throw new IllegalArgumentException("placeholder '" + v.name() + "' has no fixed shape ("
                            + Arrays.toString(shape) + "); pass example inputs");
                }
                zeros.put(v.name(), Nd4j.zeros(v.dataType(), shape));
            }
        }
        return build(sd, loss, zeros, variables);
    }

    private static List<String> inputs(SameDiffOp op) {
        return op.getInputsToOp() == null ? Collections.emptyList() : op.getInputsToOp();
    }

    private static SDVariable sum(List<SDVariable> gs) {
        SDVariable s = gs.get(0);
        for (int i = 1; i < gs.size(); i++) {
            s = s.add(gs.get(i));
        }
        return s;
    }

    /** The shape of every array the loss needs, from one forward pass on {@code feed}. */
    private static Map<String, long[]> shapes(SameDiff sd, String loss, Map<String, INDArray> feed) {
        Map<String, long[]> shapes = new HashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.CONSTANT || v.getVariableType() == VariableType.VARIABLE) {
                shapes.put(v.name(), v.getArr().shape());
            }
        }
        feed.forEach((k, a) -> shapes.put(k, a.shape()));
        Map<String, OutputRecorder.Output> made = new HashMap<>();
        OutputRecorder.record(sd, made, () -> GraphRunner.output(sd, feed, loss));
        made.forEach((name, o) -> shapes.put(name, o.shape()));
        return shapes;
    }

    /**
     * {@code batchnorm_bp} without γ/β: outputs the input, mean and variance gradients (M2.1's Java class declares
     * one output type for three outputs). Built directly into the graph, never cloned, so the subclass holds.
     */
    private static final class StatisticsGradient extends BatchNormDerivative {
        StatisticsGradient(SameDiff sd, SDVariable[] inputs, double eps) {
            super(sd, inputs, null, null, false, false, false, eps, new int[] {0});
        }

        @Override
        public List<org.nd4j.linalg.api.buffer.DataType> calculateOutputDataTypes(
                List<org.nd4j.linalg.api.buffer.DataType> in) {
            return List.of(in.get(0), in.get(0), in.get(0));
        }
    }

    /** Marks an input whose gradient a rule has folded into another input's (the statistics of a norm). */
    private static final SDVariable ACCOUNTED = new SDVariable();

    /** Input-gradient rules per op type. */
    private record Rules(SameDiff sd, Map<String, long[]> shapes) {
        SDVariable[] apply(DifferentialFunction df, List<String> ins, List<String> outs, SDVariable[] g,
                           boolean[] want) {
            SDVariable[] r = new SDVariable[ins.size()];
            long[] outShape = shapes.get(outs.get(0));
            switch (df.opName()) {
                case "identity" -> r[0] = g[0];
                case "reshape" -> r[0] = sd.reshape(g[0], shape(ins.get(0)));
                case "add" -> {
                    for (int i = 0; i < 2; i++) {
                        r[i] = want[i] ? sumTo(g[0], shape(ins.get(i)), outShape) : null;
                    }
                }
                case "subtract" -> {
                    r[0] = want[0] ? sumTo(g[0], shape(ins.get(0)), outShape) : null;
                    r[1] = want[1] ? sumTo(g[0].neg(), shape(ins.get(1)), outShape) : null;
                }
                case "multiply" -> {
                    for (int i = 0; i < 2; i++) {
                        r[i] = want[i] ? sumTo(g[0].mul(var(ins.get(1 - i))), shape(ins.get(i)), outShape) : null;
                    }
                }
                case "matmul" -> {
                    if (!matmul((DynamicCustomOp) df, ins, g[0], want, r)) {
                        return fallback(df, g);
                    }
                }
                case "batchnorm" -> {
                    if (!standardizeRows((BatchNorm) df, ins, outs, g[0], r)) {
                        return fallback(df, g);
                    }
                }
                case "conv2d" -> {
                    if (want[1] || want.length > 2 && want[2]) {
                        return fallback(df, g); // trained weights: conv2d_bp computes all three at once
                    }
                    SDVariable dx = want[0] ? convInputGradient((Conv2D) df, ins, g[0]) : null;
                    if (dx == null && want[0]) {
                        return fallback(df, g);
                    }
                    r[0] = dx;
                }
                default -> {
                    return fallback(df, g);
                }
            }
            return r;
        }

        /**
         * {@link LayerNorm#standardizeRows}: {@code y = (x − μ)·ρ} per row of {@code x [R, N]}, μ and σ² the
         * {@code moments} of x, ρ = 1/√(σ² + eps), the batchnorm reading x as a {@code [1, R, N, 1]} image. The
         * whole input gradient, through the statistics too, is {@code ρ·(g − mean(g) − y·mean(g·y))} (row means),
         * which libnd4j's {@code batchnorm_bp} computes in one op on the matrix (agreeing to ~6e-9 relative in
         * double: it keeps some intermediate in float; its oneDNN form on the image layout is slower and needs γ);
         * μ and σ² then get none of their own. False if the batchnorm is not that pattern.
         */
        private boolean standardizeRows(BatchNorm bn, List<String> ins, List<String> outs, SDVariable g,
                                        SDVariable[] r) {
            SDVariable mean = var(ins.get(1));
            DifferentialFunction stats = ins.size() == 3 ? sd.getVariableOutputOp(ins.get(1)) : null;
            DifferentialFunction image = sd.getVariableOutputOp(ins.get(0));
            long[] imageShape = shape(ins.get(0));
            if (stats == null || image == null || !"moments".equals(stats.opName())
                    || !"reshape".equals(image.opName()) || mean == null
                    || !Arrays.equals(((DynamicCustomOp) bn).iArgs(), new long[] {0, 0, 1})
                    || imageShape.length != 4 || imageShape[0] != 1 || imageShape[3] != 1) {
                return false;
            }
            String rows = sd.getOps().get(image.getOwnName()).getInputsToOp().get(0);
            if (!sd.getOps().get(stats.getOwnName()).getInputsToOp().equals(List.of(rows))
                    || !sd.getOps().get(stats.getOwnName()).getOutputsOfOp().equals(List.of(ins.get(1), ins.get(2)))
                    || shape(rows).length != 2) {
                return false;
            }
            double eps = ((DynamicCustomOp) bn).tArgs()[0];
            // libnd4j's batchnorm_bp takes the statistics as those of the input: one op for the formula above
            SDVariable gRows = sd.reshape(g, shape(rows));
            SDVariable dx = new StatisticsGradient(sd, new SDVariable[] {var(rows), mean, var(ins.get(2)), gRows},
                    eps).outputVariables()[0];
            r[0] = sd.reshape(dx, imageShape);
            r[1] = ACCOUNTED;
            r[2] = ACCOUNTED;
            return true;
        }

        /** SameDiff's own gradient of the op (all inputs). */
        private SDVariable[] fallback(DifferentialFunction df, SDVariable[] g) {
            return df.doDiff(Arrays.asList(g)).toArray(new SDVariable[0]);
        }

        /** {@code C = op(A)·op(B)}: one GEMM per wanted input, transposes as flags. False if not handled. */
        private boolean matmul(DynamicCustomOp op, List<String> ins, SDVariable g, boolean[] want, SDVariable[] r) {
            long[] ia = op.iArgs();
            boolean ta = ia.length > 0 && ia[0] != 0;
            boolean tb = ia.length > 1 && ia[1] != 0;
            boolean tr = ia.length > 2 && ia[2] != 0;
            if (tr || op.tArgs().length > 0 && (op.tArgs()[0] != 1.0 || op.tArgs().length > 1 && op.tArgs()[1] != 0)
                    || shape(ins.get(0)).length != shape(ins.get(1)).length) {
                return false;
            }
            SDVariable a = var(ins.get(0));
            SDVariable b = var(ins.get(1));
            if (want[0]) {
                r[0] = ta ? sd.mmul(b, g, tb, true, false) : sd.mmul(g, b, false, !tb, false);
            }
            if (want[1]) {
                r[1] = tb ? sd.mmul(g, a, true, ta, false) : sd.mmul(a, g, !ta, false, false);
            }
            return true;
        }

        /**
         * The input gradient of a stride-1 NCHW conv with YXIO weights: a transposed convolution of {@code g} with
         * the same weights, whose {@code [kH, kW, in, out]} is deconv2d's {@code [kH, kW, oC, iC]}. Null when the
         * conv is of another kind (strided convs lose the output size a transposed conv would need).
         */
        private SDVariable convInputGradient(Conv2D conv, List<String> ins, SDVariable g) {
            Conv2DConfig c = conv.getConfig();
            if (c.getSH() != 1 || c.getSW() != 1 || c.getDH() != 1 || c.getDW() != 1
                    || c.getPaddingMode() != PaddingMode.VALID || !"NCHW".equalsIgnoreCase(c.getDataFormat())
                    || c.getWeightsFormat() != WeightsFormat.YXIO) {
                return null;
            }
            DeConv2DConfig d = DeConv2DConfig.builder().kH(c.getKH()).kW(c.getKW()).sH(1).sW(1).pH(c.getPH())
                    .pW(c.getPW()).dH(1).dW(1).isSameMode(false).dataFormat("NCHW").build();
            return new DeConv2D(sd, new SDVariable[] {g, var(ins.get(1))}, d).outputVariable();
        }

        /** {@code g} (of shape {@code out}) summed over the axes along which {@code target} was broadcast. */
        private SDVariable sumTo(SDVariable g, long[] target, long[] out) {
            if (Arrays.equals(target, out)) {
                return g;
            }
            int lead = out.length - target.length;
            List<Integer> axes = new ArrayList<>();
            for (int i = 0; i < out.length; i++) {
                if (i < lead || target[i - lead] == 1 && out[i] != 1) {
                    axes.add(i);
                }
            }
            SDVariable s = axes.isEmpty() ? g : g.sum(true, axes.stream().mapToInt(Integer::intValue).toArray());
            return lead > 0 || axes.isEmpty() ? sd.reshape(s, target) : s;
        }

        private long[] shape(String name) {
            long[] s = shapes.get(name);
            if (s == null) {
                throw new IllegalStateException("no shape recorded for '" + name + "'");
            }
            return s;
        }

        private SDVariable var(String name) {
            return sd.getVariable(name);
        }
    }
}
