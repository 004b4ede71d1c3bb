package org.sdti.model.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.inversion.InversionGraph;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.models.TextEncoderGraph;
import org.sdti.model.models.TokenEmbedding;
import org.sdti.model.models.UNet;
import org.sdti.model.models.Vae;
import org.sdti.model.testing.TestData;

/**
 * {@link ExecutionPlan} (through {@link GraphRunner#output}, as the networks run it) against SameDiff's own session on
 * the same graph: bit for bit, on the tiny fixture's U-Net, VAE, text encoder, U-Net gradient graph and
 * textual-inversion step, and on a small graph of every op kind the plan handles. Runs are interleaved with different
 * inputs, batch sizes and variable values, so a buffer the plan reuses too early, an input it does not rebind or a
 * stale shape shows up as a difference. Graphs the plan refuses must still give the session's results.
 */
class ExecutionPlanTest {
    private static final DataType F = DataType.FLOAT;

    private static UNetConfig unetCfg;
    private static UNet unet;
    private static Vae vae;
    private static TextEncoder encoder;
    private static SafeTensorsFile unetGoldens;
    private static SafeTensorsFile vaeGoldens;
    private static SafeTensorsFile textGoldens;

    @BeforeAll
    static void load() throws IOException {
        unetCfg = UNetConfig.from(config("unet"));
        try (CheckedWeights w = CheckedWeights.check(weights("unet"), Layouts.unet(unetCfg))) {
            unet = UNet.load(unetCfg, w, F);
        }
        VaeConfig vaeCfg = VaeConfig.from(config("vae"));
        try (CheckedWeights w = CheckedWeights.check(weights("vae"), Layouts.vae(vaeCfg))) {
            vae = Vae.load(vaeCfg, w, F);
        }
        encoder = TextEncoder.load(TestData.tinyModel().resolve("text_encoder"), F);
        unetGoldens = SafeTensorsFile.open(TestData.goldens("unet.safetensors"));
        vaeGoldens = SafeTensorsFile.open(TestData.goldens("vae.safetensors"));
        textGoldens = SafeTensorsFile.open(TestData.goldens("text_encoder.safetensors"));
    }

    @AfterAll
    static void close() throws IOException {
        encoder.close();
        unetGoldens.close();
        vaeGoldens.close();
        textGoldens.close();
    }

    private static JsonConfig config(String component) throws IOException {
        Path p = TestData.tinyModel().resolve(component).resolve("config.json");
        return JsonConfig.parse(p.toString(), Files.readString(p));
    }

    private static SafeTensorsFile weights(String component) throws IOException {
        Path folder = TestData.tinyModel().resolve(component);
        return SafeTensorsFile.open(folder.resolve("diffusion_pytorch_model.safetensors"));
    }

    private static INDArray golden(SafeTensorsFile g, String name) throws IOException {
        return Nd4j.create(g.floats(name), g.info(name).shape(), 'c');
    }

    // ---------------------------------------------------------------------------------------------------------
    // comparison helpers

    /** Same data type, shape and bits (NaN-safe, -0.0 ≠ 0.0); the message names the first differing element. */
    static void assertBitEqual(String what, INDArray expected, INDArray actual) {
        assertNotNull(actual, what + ": no array");
        assertEquals(expected.dataType(), actual.dataType(), what + ": data type");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int differing = 0;
        int first = -1;
        double maxDiff = 0;
        for (int i = 0; i < e.length; i++) {
            if (Double.doubleToRawLongBits(e[i]) != Double.doubleToRawLongBits(a[i])) {
                differing++;
                first = first < 0 ? i : first;
                maxDiff = Math.max(maxDiff, Math.abs(e[i] - a[i]));
            }
        }
        if (differing > 0) {
            fail(what + ": " + differing + " of " + e.length + " elements differ, first at flat index " + first
                    + " (expected " + e[first] + ", got " + a[first] + "), max abs diff " + maxDiff);
        }
    }

    /** Guards against comparing two trivially equal arrays (all zeros, NaN): some element is finite and non-zero. */
    static void assertNontrivial(String what, INDArray a) {
        double[] v = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        boolean nonzero = false;
        for (double x : v) {
            assertTrue(Double.isFinite(x), what + ": non-finite value " + x);
            nonzero |= x != 0;
        }
        assertTrue(nonzero, what + ": all zeros");
    }

    /** SameDiff's session result, copied at once so that nothing the session does later can change it. */
    static Map<String, INDArray> session(SameDiff sd, Map<String, INDArray> ph, String... outputs) {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        sd.output(ph, outputs).forEach((k, v) -> copy.put(k, v.dup()));
        return copy;
    }

    /**
     * {@link GraphRunner#output} then the session on the same graph and inputs; asserts equal bits for every output
     * and that the plan (not the fallback) ran. Returns the plan path's results.
     */
    static Map<String, INDArray> assertPlanMatchesSession(String what, SameDiff sd, Map<String, INDArray> ph,
                                                          String... outputs) {
        Map<String, INDArray> actual = GraphRunner.output(sd, ph, outputs);
        assertPlanned(sd, ph, outputs);
        Map<String, INDArray> expected = session(sd, ph, outputs);
        assertEquals(List.of(outputs), List.copyOf(actual.keySet()), what + ": outputs");
        for (String name : outputs) {
            assertNontrivial(what + " " + name, expected.get(name));
            assertBitEqual(what + " " + name, expected.get(name), actual.get(name));
        }
        return actual;
    }

    /** The graph's pass memory holds a plan for these outputs and shapes: GraphRunner.output did not fall back. */
    static void assertPlanned(SameDiff sd, Map<String, INDArray> ph, String... outputs) {
        assumeTrue(!"false".equals(System.getProperty("org.sdti.executionPlans")),
                "execution plans are switched off (-Dorg.sdti.executionPlans=false)");
        InferenceSession s = sd.getSessions().get(Thread.currentThread().getId());
        assertTrue(s != null && s.getMmgr() instanceof PassMemory, "GraphRunner.output did not install PassMemory");
        assertNotNull(((PassMemory) s.getMmgr()).plan(sd, ph, List.of(outputs)),
                "GraphRunner.output ran " + List.of(outputs) + " through SameDiff's session, not a plan");
    }

    static Map<String, INDArray> dupAll(Map<String, INDArray> m) {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(k, v.dup()));
        return copy;
    }

    // ---------------------------------------------------------------------------------------------------------
    // 1-3, 6: the fixture's networks, repeated and interleaved runs, batch changes

    /** The U-Net as {@code UNet.predict} builds it (an Identity of the last intermediate is the output). */
    private static SameDiff unetGraph(long h, long w, long tokens) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("sample", F, -1, unetCfg.inChannels(), h, w);
        SDVariable ts = sd.placeHolder("timesteps", F, -1);
        SDVariable c = sd.placeHolder("encoder_hidden_states", F, -1, tokens, unetCfg.crossAttentionDim());
        sd.identity("unet_out", unet.build(sd, x, ts, c, h, w, tokens).output());
        return sd;
    }

    private static Map<String, INDArray> unetFeed(INDArray sample, INDArray timesteps, INDArray context) {
        return Map.of("sample", sample, "timesteps", timesteps, "encoder_hidden_states", context);
    }

    @Test
    void unetForwardEqualsTheSessionAcrossRunsAndBatchSizes() throws IOException {
        INDArray sample = golden(unetGoldens, "sample");
        INDArray context = golden(unetGoldens, "encoder_hidden_states");
        SameDiff sd = unetGraph(sample.size(2), sample.size(3), context.size(1));
        Map<String, INDArray> a = unetFeed(sample, Nd4j.createFromArray(10f, 500f), context);
        Map<String, INDArray> b = unetFeed(sample.mul(-0.7).add(0.2), Nd4j.createFromArray(900f, 3f),
                context.mul(1.3).sub(0.1));

        Map<String, INDArray> first = assertPlanMatchesSession("unet run 1 (a)", sd, a, "unet_out");
        INDArray firstCopy = first.get("unet_out").dup();
        assertPlanMatchesSession("unet run 2 (b)", sd, b, "unet_out");
        Map<String, INDArray> third = assertPlanMatchesSession("unet run 3 (a)", sd, a, "unet_out");
        assertBitEqual("unet run 3 vs run 1", firstCopy, third.get("unet_out"));
        assertBitEqual("unet run 1's result after later runs", firstCopy, first.get("unet_out"));

        // the real network, not just agreement between two runners: the golden of diffusers at per-sample timesteps
        INDArray tvec = Nd4j.createFromArray(Arrays.stream(unetGoldens.longs("timesteps_vec"))
                .mapToDouble(x -> x).toArray()).castTo(F);
        INDArray out = assertPlanMatchesSession("unet golden", sd, unetFeed(sample, tvec, context), "unet_out")
                .get("unet_out");
        double err = out.sub(golden(unetGoldens, "out_tvec")).amaxNumber().doubleValue();
        assertTrue(err <= 1e-4, "plan result differs from diffusers' out_tvec by " + err);

        // batch 1, then batch 2 again: a new plan for each shape, each equal to the session
        Map<String, INDArray> one = unetFeed(sample.get(NDArrayIndex.interval(1, 2)).dup(), Nd4j.createFromArray(77f),
                context.get(NDArrayIndex.interval(1, 2)).dup());
        INDArray single = assertPlanMatchesSession("unet batch 1", sd, one, "unet_out").get("unet_out");
        assertArrayEquals(new long[] {1, 4, sample.size(2), sample.size(3)}, single.shape());
        assertPlanMatchesSession("unet batch 2 again (b)", sd, b, "unet_out");
        assertPlanMatchesSession("unet batch 1 again", sd, one, "unet_out");
    }

    @Test
    void vaeDecoderAndEncoderEqualTheSession() throws IOException {
        INDArray z = golden(vaeGoldens, "z");
        SameDiff dec = SameDiff.create();
        SDVariable zp = dec.placeHolder("z", F, -1, z.size(1), z.size(2), z.size(3));
        dec.identity("decoded", vae.decoder(dec, zp, z.size(2), z.size(3)));
        Map<String, INDArray> za = Map.of("z", z);
        Map<String, INDArray> zb = Map.of("z", z.mul(0.5).add(0.3));
        INDArray firstDecoded = assertPlanMatchesSession("vae decode run 1 (a)", dec, za, "decoded").get("decoded");
        double err = firstDecoded.sub(golden(vaeGoldens, "decoded")).amaxNumber().doubleValue();
        assertTrue(err <= 1e-4, "plan result differs from diffusers' decoded by " + err);
        assertPlanMatchesSession("vae decode run 2 (b)", dec, zb, "decoded");
        assertBitEqual("vae decode run 3 vs run 1", firstDecoded,
                assertPlanMatchesSession("vae decode run 3 (a)", dec, za, "decoded").get("decoded"));
        assertPlanMatchesSession("vae decode batch 1", dec,
                Map.of("z", z.get(NDArrayIndex.interval(0, 1)).dup()), "decoded");
        assertPlanMatchesSession("vae decode batch 2 again", dec, zb, "decoded");

        // the encoder's graph as Vae.encode builds it: split with two used outputs, clip, exp, three outputs
        INDArray image = golden(vaeGoldens, "image");
        SameDiff enc = SameDiff.create();
        SDVariable ip = enc.placeHolder("image", F, -1, image.size(1), image.size(2), image.size(3));
        SDVariable[] parts = enc.split(vae.encoder(enc, ip, image.size(2), image.size(3)), 2, 1);
        enc.identity("mean", parts[0]);
        SDVariable logvar = enc.math().clipByValue("logvar", parts[1], -30.0, 20.0);
        enc.math().exp("std", logvar.mul(0.5));
        String[] outs = {"mean", "std", "logvar"};
        assertPlanMatchesSession("vae encode (a)", enc, Map.of("image", image), outs);
        assertPlanMatchesSession("vae encode (b)", enc, Map.of("image", image.mul(-0.8)), outs);
        assertPlanMatchesSession("vae encode (a) again", enc, Map.of("image", image), outs);
    }

    @Test
    void textEncoderEqualsTheSession() throws IOException {
        long[] flat = textGoldens.longs("input_ids");
        int length = (int) textGoldens.info("input_ids").shape()[1];
        long[][] ids = {Arrays.copyOfRange(flat, 0, length), Arrays.copyOfRange(flat, length, 2 * length)};
        long[][] other = {ids[1].clone(), ids[0].clone()};
        int added = encoder.embedding().vocabSize();
        ids[0][3] = added; // the added row goes through the mask · rows matmul
        other[1][5] = added;
        SameDiff sd = SameDiff.create();
        SharedConstants.install(sd);
        TextEncoderGraph g = encoder.addInference(sd, 2, length, 1);
        String[] outs = {g.output(), g.hiddenStates().get(1)};
        INDArray rowsA = encoder.embedding().rows(4298);
        INDArray rowsB = rowsA.mul(-2).add(0.05);
        Map<String, INDArray> a = g.placeholders(encoder.embedding().lookup(ids, 1), rowsA);
        Map<String, INDArray> b = g.placeholders(encoder.embedding().lookup(other, 1), rowsB);
        Map<String, INDArray> first = dupAll(assertPlanMatchesSession("text encoder run 1 (a)", sd, a, outs));
        assertPlanMatchesSession("text encoder run 2 (b)", sd, b, outs);
        Map<String, INDArray> third = assertPlanMatchesSession("text encoder run 3 (a)", sd, a, outs);
        for (String name : outs) {
            assertBitEqual("text encoder run 3 vs run 1 " + name, first.get(name), third.get(name));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // gradients: the plan reads trainable variables on every run

    /** loss = mean((unet(sample, t, ehs) − target)²) with {@code ehs} the only VARIABLE (as UNetGradientTest). */
    private static SameDiff lossGraph(INDArray ehsValue) throws IOException {
        INDArray sample = golden(unetGoldens, "sample");
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("sample", F, -1, unetCfg.inChannels(), sample.size(2), sample.size(3));
        SDVariable ts = sd.placeHolder("timesteps", F, -1);
        SDVariable ehs = sd.var("ehs", ehsValue.dup());
        SDVariable pred = unet.build(sd, x, ts, ehs, sample.size(2), sample.size(3), ehsValue.size(1)).output();
        SDVariable target = sd.constant(golden(unetGoldens, "out_t500").mul(0.5));
        sd.setLossVariables(sd.math().square(pred.sub(target)).mean("loss"));
        return sd;
    }

    @Test
    void gradientsSeeTheTrainableVariableChangedInPlaceAndReplaced() throws IOException {
        INDArray context = golden(unetGoldens, "encoder_hidden_states");
        Map<String, INDArray> feed = Map.of("sample", golden(unetGoldens, "sample"),
                "timesteps", Nd4j.createFromArray(500f, 20f));
        SameDiff sd = lossGraph(context);
        String gradName = FrozenBackprop.SCOPE + "/ehs" + FrozenBackprop.SUFFIX;

        INDArray lossBefore = assertPlanMatchesSession("loss before the backward ops exist", sd, feed, "loss")
                .get("loss");
        INDArray g1 = GraphRunner.gradients(sd, feed, "ehs").get("ehs"); // adds the backward ops to the graph
        assertPlanned(sd, feed, gradName);
        // the loss plan made before the graph grew still runs, and gives the same loss
        assertBitEqual("loss after the backward ops were added", lossBefore,
                assertPlanMatchesSession("loss after the backward ops were added", sd, feed, "loss").get("loss"));
        assertNontrivial("gradient 1", g1);
        assertBitEqual("gradient 1 vs session", session(sd, feed, gradName).get(gradName), g1);
        assertBitEqual("gradient, second call", g1, GraphRunner.gradients(sd, feed, "ehs").get("ehs"));

        // in place: the graph keeps the same array object
        INDArray ehs = sd.getArrForVarName("ehs");
        ehs.muli(1.5).addi(0.02);
        INDArray g2 = GraphRunner.gradients(sd, feed, "ehs").get("ehs");
        assertBitEqual("gradient after in-place change vs session", session(sd, feed, gradName).get(gradName), g2);
        assertTrue(g2.sub(g1).amaxNumber().doubleValue() > 0, "the in-place change did not change the gradient");
        assertBitEqual("gradient after in-place change vs a fresh graph", freshGradient(ehs, feed), g2);

        // replaced: the graph holds a new array object
        INDArray replacement = context.mul(-0.5).add(0.1);
        sd.getVariable("ehs").setArray(replacement.dup());
        INDArray g3 = GraphRunner.gradients(sd, feed, "ehs").get("ehs");
        assertBitEqual("gradient after replacing the array vs session", session(sd, feed, gradName).get(gradName), g3);
        assertTrue(g3.sub(g2).amaxNumber().doubleValue() > 0, "replacing the array did not change the gradient");
        assertBitEqual("gradient after replacing the array vs a fresh graph", freshGradient(replacement, feed), g3);
    }

    /**
     * The training path: {@link InversionGraph#step} (text encoder with trainable rows → U-Net → loss, gradient,
     * prediction in one plan) against the session on the same graph, before and after {@code setRows}.
     */
    @Test
    void inversionStepEqualsTheSessionAfterSetRows() throws IOException {
        String noisyName = "inversion.noisy_latents"; // InversionGraph's graph names (package-private there)
        String timestepsName = "inversion.timesteps";
        String targetName = "inversion.target";
        String weightsName = "inversion.sample_weights";
        String loss = "inversion.loss";
        String prediction = "inversion.prediction";
        String gradient = FrozenBackprop.SCOPE + "/" + TextEncoder.ROWS + FrozenBackprop.SUFFIX;
        try (SafeTensorsFile ti = SafeTensorsFile.open(TestData.goldens("textual_inversion.safetensors"))) {
            long[] flat = ti.longs("step0.input_ids");
            int length = (int) ti.info("step0.input_ids").shape()[1];
            long[][] ids = {Arrays.copyOfRange(flat, 0, length), Arrays.copyOfRange(flat, length, 2 * length)};
            TokenEmbedding.Inputs inputs = encoder.embedding().lookup(ids, 1);
            INDArray initial = golden(ti, "initial_embedding").reshape(1, -1).dup();
            INDArray noisy = golden(ti, "step0.noisy_latents");
            INDArray timesteps = Nd4j.createFromArray(Arrays.stream(ti.longs("step0.timesteps"))
                    .mapToDouble(x -> x).toArray()).castTo(F);
            INDArray target = golden(ti, "step0.target");
            INDArray weights = Nd4j.createFromArray(0.5f, 0.5f);
            InversionGraph g = InversionGraph.build(encoder, unet, 2, initial, 4, (int) noisy.size(2),
                    (int) noisy.size(3));
            Map<String, INDArray> ph = new LinkedHashMap<>(Map.of(TextEncoder.BASE, inputs.base(),
                    TextEncoder.MASK, inputs.mask(), noisyName, noisy, timestepsName, timesteps, targetName, target,
                    weightsName, weights));

            InversionGraph.LossAndGradient first = g.step(inputs, noisy, timesteps, target, weights);
            assertPlanned(g.sameDiff(), ph, gradient, loss, prediction);
            checkStep("inversion step 1", first, session(g.sameDiff(), ph, gradient, loss, prediction),
                    gradient, loss, prediction);

            g.setRows(initial.mul(-1.5).add(0.01)); // assigns into the graph's array
            InversionGraph.LossAndGradient second = g.step(inputs, noisy, timesteps, target, weights);
            checkStep("inversion step after setRows", second,
                    session(g.sameDiff(), ph, gradient, loss, prediction), gradient, loss, prediction);
            assertTrue(second.gradient().sub(first.gradient()).amaxNumber().doubleValue() > 0,
                    "new rows, same gradient: the plan did not read the rows again");

            INDArray noisy2 = noisy.mul(0.5);
            ph.put(noisyName, noisy2);
            InversionGraph.LossAndGradient third = g.step(inputs, noisy2, timesteps, target, weights);
            checkStep("inversion step, other latents", third,
                    session(g.sameDiff(), ph, gradient, loss, prediction), gradient, loss, prediction);
        }
    }

    private static void checkStep(String what, InversionGraph.LossAndGradient actual, Map<String, INDArray> expected,
                                  String gradient, String loss, String prediction) {
        assertNontrivial(what + " gradient", expected.get(gradient));
        assertBitEqual(what + " gradient", expected.get(gradient), actual.gradient());
        assertBitEqual(what + " prediction", expected.get(prediction), actual.prediction());
        assertEquals(expected.get(loss).getDouble(0), actual.loss(), 0.0, what + " loss");
    }

    /** SameDiff lets a variable take an array of another shape; the plan must size its buffers again. */
    @Test
    void variableGivenAnArrayOfAnotherShape() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", F, -1, 4);
        SDVariable v = sd.var("v", Nd4j.linspace(1, 4, 4, F).reshape(1, 4));
        SDVariable e = sd.math().erf(v.mul(0.1)).rename("e");
        x.add(e).rename("y");
        e.mmul(sd.constant(Nd4j.linspace(-1, 1, 8, F).reshape(4, 2))).rename("m");
        String[] outs = {"y", "e", "m"};
        Map<String, INDArray> ph = Map.of("x", Nd4j.linspace(0, 1, 12, F).reshape(3, 4));
        assertPlanMatchesSession("variable [1, 4]", sd, ph, outs);
        v.setArray(Nd4j.linspace(1, 12, 12, F).reshape(3, 4));
        INDArray e3 = assertPlanMatchesSession("variable replaced by [3, 4]", sd, ph, outs).get("e");
        assertArrayEquals(new long[] {3, 4}, e3.shape());
        v.getArr().muli(-1);
        assertPlanMatchesSession("variable [3, 4] changed in place", sd, ph, outs);
        v.setArray(Nd4j.linspace(5, 8, 4, F).reshape(1, 4));
        assertPlanMatchesSession("variable back to [1, 4]", sd, ph, outs);
    }

    private static INDArray freshGradient(INDArray ehs, Map<String, INDArray> feed) throws IOException {
        return GraphRunner.gradients(lossGraph(ehs), feed, "ehs").get("ehs");
    }

    // ---------------------------------------------------------------------------------------------------------
    // 4: listeners

    /** Records every op execution: names, and the shape of every output array by variable name. */
    private static final class Recorder extends BaseListener {
        final List<String> executed = new ArrayList<>();
        final Map<String, long[]> shapes = new LinkedHashMap<>();
        final List<String> nullOutputs = new ArrayList<>();
        int before;

        @Override
        public boolean isActive(Operation operation) {
            return operation == Operation.INFERENCE;
        }

        @Override
        public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
            before++;
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                                INDArray[] outputs) {
            executed.add(op.getName());
            List<String> names = op.getOutputsOfOp();
            if (outputs == null || outputs.length != names.size()) {
                nullOutputs.add(op.getName() + ": " + (outputs == null ? "null" : outputs.length) + " outputs");
                return;
            }
            for (int j = 0; j < outputs.length; j++) {
                if (outputs[j] == null) {
                    nullOutputs.add(names.get(j));
                } else {
                    shapes.put(names.get(j), outputs[j].shape());
                }
            }
        }
    }

    @Test
    void listenersSeeEveryOpWithItsOutputs() throws IOException {
        checkListeners("small graph", smallGraph(), smallFeed(2, 0), SMALL_OUTPUTS);
        INDArray sample = golden(unetGoldens, "sample");
        INDArray context = golden(unetGoldens, "encoder_hidden_states");
        checkListeners("unet", unetGraph(sample.size(2), sample.size(3), context.size(1)),
                unetFeed(sample, Nd4j.createFromArray(10f, 500f), context), "unet_out");
    }

    private static void checkListeners(String what, SameDiff sd, Map<String, INDArray> ph, String... outputs) {
        int ops = ExecutionPlan.build(sd, ph, List.of(outputs)).size();
        Recorder session = new Recorder();
        sd.setListeners(session);
        session(sd, ph, outputs);
        Recorder plan = new Recorder();
        sd.setListeners(plan);
        GraphRunner.output(sd, ph, outputs); // first pass: the session, recording the outputs for the plan's arena
        GraphRunner.output(sd, ph, outputs); // binds and runs the plan
        assertPlanned(sd, ph, outputs);
        int first = plan.executed.size() - ops; // ops of the session's pass
        assertEquals(ops, first, what + ": the session's first pass runs the plan's ops");
        GraphRunner.output(sd, ph, outputs); // runs the bound plan
        assertEquals(3 * ops, plan.executed.size(), what + ": opExecution calls after the third run");
        assertEquals(2 * ops, plan.before - ops, what + ": preOpExecution calls of the plan's runs");
        assertEquals(List.of(), plan.nullOutputs, what + ": outputs missing in opExecution");
        assertEquals(plan.executed.subList(ops, 2 * ops), plan.executed.subList(2 * ops, 3 * ops), what + ": op order");
        assertEquals(ops, new java.util.HashSet<>(plan.executed.subList(ops, 2 * ops)).size(),
                what + ": an op ran twice in one pass");
        // the session runs the same ops and reports the same output shapes
        assertEquals(new java.util.TreeSet<>(session.executed), new java.util.TreeSet<>(plan.executed.subList(ops, 2 * ops)),
                what + ": ops executed by the session and the plan");
        assertEquals(session.shapes.keySet(), plan.shapes.keySet(), what + ": op outputs");
        for (Map.Entry<String, long[]> e : session.shapes.entrySet()) {
            assertArrayEquals(e.getValue(), plan.shapes.get(e.getKey()), what + ": shape of " + e.getKey());
        }
        sd.setListeners();
    }

    // ---------------------------------------------------------------------------------------------------------
    // 5: graphs the plan refuses run through the session

    @Test
    void unsupportedGraphsFallBackToTheSession() {
        SameDiff cond = SameDiff.create();
        SDVariable x = cond.placeHolder("x", F, -1, 3);
        SDVariable branch = cond.ifCond("branch", null, s -> x.sum().gt(0.0), s -> x.mul(2.0), s -> x.neg());
        SDVariable y = branch.mul(3.0).rename("y");
        checkFallback("ifCond", cond, y.name(), Nd4j.createFromArray(new float[][] {{1, 2, 3}}),
                Nd4j.createFromArray(new float[][] {{-1, -2, 0.5f}}));

        SameDiff assign = SameDiff.create();
        SDVariable p = assign.placeHolder("x", F, -1, 3);
        SDVariable z = assign.assign(p.mul(2.0), p.add(1.0)).mul(0.5).rename("y");
        checkFallback("assign", assign, z.name(), Nd4j.createFromArray(new float[][] {{1, 2, 3}}),
                Nd4j.createFromArray(new float[][] {{-4, 5, 6}, {7, 8, 9}}));
    }

    private static void checkFallback(String what, SameDiff sd, String output, INDArray... inputs) {
        Map<String, INDArray> ph0 = Map.of("x", inputs[0]);
        assertThrows(ExecutionPlan.Unsupported.class, () -> ExecutionPlan.build(sd, ph0, List.of(output)), what);
        for (INDArray in : inputs) {
            Map<String, INDArray> ph = Map.of("x", in);
            INDArray actual = GraphRunner.output(sd, ph, output).get(output);
            InferenceSession s = sd.getSessions().get(Thread.currentThread().getId());
            assertNull(((PassMemory) s.getMmgr()).plan(sd, ph, List.of(output)), what + ": a plan was made");
            INDArray expected = session(sd, ph, output).get(output);
            assertNontrivial(what, expected);
            assertBitEqual(what + " through the fallback", expected, actual);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 6, 7: a small graph of every op kind the plan runs

    private static final String[] SMALL_OUTPUTS = {"out", "rowSums", "keptSums", "distance", "alias", "xCopy",
        "scaled", "w"};

    /**
     * x [B, 4, 6] → scalar mul, erf (legacy transform), sum over an axis and with kept dims (legacy reduce), a
     * Euclidean distance (legacy reduce3 with two array inputs), permute + reshape + matmul (custom), a three-way
     * split of which the middle part is unused, an Identity of an intermediate (an alias, read again after it is
     * requested) and of the placeholder, and a constant as an output.
     */
    private static SameDiff smallGraph() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", F, -1, 4, 6);
        SDVariable w = sd.constant("w", Nd4j.linspace(-1, 1, 24, F).reshape(4, 6));
        SDVariable scaled = x.mul(2.0).rename("scaled");
        SDVariable e = sd.math().erf(scaled);
        e.sum("rowSums", 1);
        e.sum("keptSums", true, 2);
        sd.math().euclideanDistance("distance", e, x, 2);
        SDVariable tokens = sd.reshape(sd.permute(e, 0, 2, 1), -1, 4);   // [B·6, 4]
        SDVariable[] parts = sd.split(tokens.mmul(w), 3, 1);            // 3 × [B·6, 2], parts[1] unused
        SDVariable alias = sd.identity("alias", parts[0]);
        sd.identity("xCopy", x);
        alias.mul(parts[2]).add(sd.math().tanh(alias)).rename("out");
        return sd;
    }

    private static Map<String, INDArray> smallFeed(int batch, int seed) {
        Nd4j.getRandom().setSeed(1000 + seed);
        return Map.of("x", Nd4j.randn(F, batch, 4, 6));
    }

    @Test
    void smallGraphOfEveryOpKindEqualsTheSession() {
        SameDiff sd = smallGraph();
        Map<String, INDArray> a = smallFeed(2, 1);
        Map<String, INDArray> b = smallFeed(2, 2);
        Map<String, INDArray> first = dupAll(assertPlanMatchesSession("small run 1 (a)", sd, a, SMALL_OUTPUTS));
        assertPlanMatchesSession("small run 2 (b)", sd, b, SMALL_OUTPUTS);
        // a second plan on the same graph, for other outputs, interleaved with the first
        assertPlanMatchesSession("small, fewer outputs (a)", sd, a, "out", "distance");
        Map<String, INDArray> third = assertPlanMatchesSession("small run 3 (a)", sd, a, SMALL_OUTPUTS);
        for (String name : SMALL_OUTPUTS) {
            assertBitEqual("small run 3 vs run 1 " + name, first.get(name), third.get(name));
        }
        assertPlanMatchesSession("small batch 3", sd, smallFeed(3, 3), SMALL_OUTPUTS);
        assertPlanMatchesSession("small batch 1", sd, smallFeed(1, 4), SMALL_OUTPUTS);
        assertPlanMatchesSession("small batch 2 again (b)", sd, b, SMALL_OUTPUTS);
    }

    /** Placeholders as callers may pass them: a strided view, Fortran order, another data type (cast). */
    @Test
    void placeholdersInAnyLayoutOrDataType() {
        SameDiff sd = smallGraph();
        Nd4j.getRandom().setSeed(77);
        INDArray wide = Nd4j.randn(F, 2, 4, 12);
        INDArray view = wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(3, 9));
        assertTrue(view.isView() && view.stride(1) == 12, "a strided view");
        Map<String, INDArray> dense = Map.of("x", view.dup('c'));
        Map<String, INDArray> expected = assertPlanMatchesSession("small, dense", sd, dense, SMALL_OUTPUTS);
        for (Map.Entry<String, INDArray> in : Map.of("strided view", view, "f order", view.dup('f'),
                "double", view.castTo(DataType.DOUBLE)).entrySet()) {
            Map<String, INDArray> actual = GraphRunner.output(sd, Map.of("x", in.getValue()), SMALL_OUTPUTS);
            assertPlanned(sd, Map.of("x", in.getValue()), SMALL_OUTPUTS);
            for (String name : SMALL_OUTPUTS) {
                assertBitEqual("x as " + in.getKey() + ": " + name, expected.get(name), actual.get(name));
            }
        }
        // a placeholder requested as an output comes back as the session gives it (in the graph's data type)
        Map<String, INDArray> asDouble = Map.of("x", view.castTo(DataType.DOUBLE));
        Map<String, INDArray> session = session(sd, asDouble, "x", "xCopy");
        Map<String, INDArray> plan = GraphRunner.output(sd, asDouble, "x", "xCopy");
        assertPlanned(sd, asDouble, "x", "xCopy");
        assertBitEqual("placeholder x as an output", session.get("x"), plan.get("x"));
        assertBitEqual("identity of placeholder x", session.get("xCopy"), plan.get("xCopy"));
    }

    @Test
    void returnedArraysAreCopies() {
        SameDiff sd = smallGraph();
        Map<String, INDArray> a = smallFeed(2, 5);
        INDArray x = a.get("x").dup();
        INDArray w = sd.getArrForVarName("w").dup();
        Map<String, INDArray> expected = session(sd, a, SMALL_OUTPUTS);
        Map<String, INDArray> first = GraphRunner.output(sd, a, SMALL_OUTPUTS);
        assertPlanned(sd, a, SMALL_OUTPUTS);
        for (INDArray r : first.values()) {
            r.assign(12345.0);
        }
        assertBitEqual("placeholder after its copy was overwritten", x, a.get("x"));
        assertBitEqual("constant after its copy was overwritten", w, sd.getArrForVarName("w"));
        Map<String, INDArray> second = GraphRunner.output(sd, a, SMALL_OUTPUTS);
        for (String name : SMALL_OUTPUTS) {
            assertBitEqual("after overwriting the first results: " + name, expected.get(name), second.get(name));
        }
        // results are not views of the plan's buffers: a later run with other inputs leaves them alone
        Map<String, INDArray> kept = dupAll(second);
        GraphRunner.output(sd, smallFeed(2, 6), SMALL_OUTPUTS);
        for (String name : SMALL_OUTPUTS) {
            assertBitEqual("earlier result after a later run: " + name, kept.get(name), second.get(name));
        }
    }

    @Test
    void releasedPlanAllocatesAgainWithTheSameResults() {
        SameDiff sd = smallGraph();
        Map<String, INDArray> a = smallFeed(2, 7);
        ExecutionPlan plan = ExecutionPlan.build(sd, a, List.of(SMALL_OUTPUTS));
        assertEquals(0, plan.bytes(), "nothing is allocated before the first run");
        Map<String, INDArray> first = plan.run(a);
        assertEquals(0, plan.bytes(), "the first run's buffers are freed for the arena");
        Map<String, INDArray> second = plan.run(a);
        assertTrue(plan.bytes() > 0, "the arena is kept after a run");
        for (String name : SMALL_OUTPUTS) {
            assertBitEqual("arena run vs first run " + name, first.get(name), second.get(name));
        }
        plan.release();
        assertEquals(0, plan.bytes(), "release frees the buffers");
        Map<String, INDArray> again = plan.run(smallFeed(2, 7));
        Map<String, INDArray> expected = session(sd, a, SMALL_OUTPUTS);
        for (String name : SMALL_OUTPUTS) {
            assertBitEqual("first run vs session " + name, expected.get(name), first.get(name));
            assertBitEqual("run after release vs session " + name, expected.get(name), again.get(name));
        }
        assertThrows(IllegalArgumentException.class, () -> plan.run(Map.of()), "missing placeholder");
    }
}
