package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.models.nn.GraphRunner;
import org.sdti.model.testing.TestData;

/**
 * The U-Net inside a caller's graph is differentiable down to {@code encoder_hidden_states} (the path a
 * textual-inversion step needs): the gradient of an MSE loss matches central finite differences in double
 * precision, the float32 graph agrees with it, and the weights stay constants shared by every graph. The gradient
 * goes through {@link GraphRunner#gradients} ({@code FrozenBackprop}, the training path). SameDiff's own autodiff cannot
 * differentiate the norms' moments + batchnorm; {@code FrozenBackpropTest} compares the rules with it op by op.
 */
class UNetGradientTest {
    static UNetConfig cfg;
    static SafeTensorsFile goldens;
    static final long[][] PROBES = {{0, 0, 0}, {0, 3, 5}, {0, 76, 15}, {1, 1, 7}, {1, 40, 2}, {1, 76, 0}};

    @BeforeAll
    static void load() throws IOException {
        cfg = UNetConfig.from(NetTesting.config("unet"));
        goldens = SafeTensorsFile.open(TestData.goldens("unet.safetensors"));
    }

    static UNet unet(DataType dtype) throws IOException {
        try (CheckedWeights w = CheckedWeights.check(NetTesting.weights("unet"), Layouts.unet(cfg))) {
            return UNet.load(cfg, w, dtype);
        }
    }

    /** A graph: loss = mean((unet(sample, t, ehs) − target)²) with ehs the only VARIABLE. */
    record LossGraph(SameDiff sd, SDVariable ehs, SDVariable loss, Map<String, INDArray> feed) {
        static LossGraph of(UNet unet, DataType dt) throws IOException {
            INDArray sample = NetTesting.golden(goldens, "sample").castTo(dt);
            INDArray context = NetTesting.golden(goldens, "encoder_hidden_states").castTo(dt);
            INDArray target = NetTesting.golden(goldens, "out_t500").mul(0.5).castTo(dt);
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("sample", dt, -1, cfg.inChannels(), sample.size(2), sample.size(3));
            SDVariable ts = sd.placeHolder("timesteps", dt, -1);
            SDVariable ehs = sd.var("ehs", context.dup());
            SDVariable pred = unet.build(sd, x, ts, ehs, sample.size(2), sample.size(3), context.size(1)).output();
            SDVariable loss = sd.math().square(pred.sub(sd.constant(target))).mean("loss");
            sd.setLossVariables(loss);
            INDArray t = NetTesting.goldenLongsAsFloat(goldens, "timesteps_vec").castTo(dt);
            return new LossGraph(sd, ehs, loss, Map.of("sample", sample, "timesteps", t));
        }

        double lossValue() {
            return sd.output(feed, loss.name()).get(loss.name()).getDouble(0);
        }

        /** Through {@link GraphRunner#gradients} (array release on), the path training uses. */
        INDArray gradient() {
            Map<String, INDArray> g = GraphRunner.gradients(sd, feed, ehs.name());
            assertEquals(List.of(ehs.name()), List.copyOf(g.keySet()));
            return g.get(ehs.name());
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesInDouble() throws IOException {
        LossGraph g = LossGraph.of(unet(DataType.DOUBLE), DataType.DOUBLE);
        List<String> trainable = g.sd.variables().stream()
                .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name)
                .collect(Collectors.toList());
        assertEquals(List.of("ehs"), trainable, "U-Net weights must be constants");

        INDArray grad = g.gradient().dup();
        assertEquals(0.0, g.gradient().sub(grad).amaxNumber().doubleValue(), 0.0, "repeatable");
        INDArray ehs = g.ehs.getArr();
        double eps = 1e-4;
        double maxGrad = grad.amaxNumber().doubleValue();
        for (long[] i : PROBES) {
            double v = ehs.getDouble(i);
            ehs.putScalar(i, v + eps);
            double up = g.lossValue();
            ehs.putScalar(i, v - eps);
            double down = g.lossValue();
            ehs.putScalar(i, v);
            double fd = (up - down) / (2 * eps);
            double an = grad.getDouble(i);
            System.out.printf("d loss / d ehs%s: analytic %.9e, finite difference %.9e%n",
                    java.util.Arrays.toString(i), an, fd);
            assertTrue(Math.abs(an - fd) <= 1e-6 * Math.abs(an) + 1e-9 * maxGrad,
                    "probe " + java.util.Arrays.toString(i) + ": " + an + " vs " + fd);
        }
    }

    @Test
    void graphsShareTheWeightArrays() throws IOException {
        UNet unet = unet(DataType.FLOAT);
        SameDiff a = LossGraph.of(unet, DataType.FLOAT).sd;
        SameDiff b = LossGraph.of(unet, DataType.FLOAT).sd;
        for (String name : List.of("unet/conv_in.weight", "unet/mid_block.attentions.0.proj_in.weight")) {
            assertTrue(a.getArrForVarName(name) == b.getArrForVarName(name), name + " is copied per graph");
            assertEquals(VariableType.CONSTANT, a.getVariable(name).getVariableType());
        }
    }

    @Test
    void floatGradientAgreesWithDouble() throws IOException {
        INDArray g64 = LossGraph.of(unet(DataType.DOUBLE), DataType.DOUBLE).gradient();
        INDArray g32 = LossGraph.of(unet(DataType.FLOAT), DataType.FLOAT).gradient();
        double err = g32.castTo(DataType.DOUBLE).sub(g64).amaxNumber().doubleValue();
        double scale = g64.amaxNumber().doubleValue();
        System.out.printf("float32 vs float64 gradient: max abs err %.3e (max |grad| %.3e)%n", err, scale);
        assertTrue(err <= 1e-4 * scale, "float gradient differs by " + err);
    }
}
