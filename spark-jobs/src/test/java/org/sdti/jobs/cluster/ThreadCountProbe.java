package org.sdti.jobs.cluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.jobs.cli.Main;
import org.sdti.model.inversion.InversionGraph;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.models.UNet;
import org.sdti.model.models.Vae;
import org.sdti.model.testing.TestData;

/**
 * The child JVM of {@link ThreadCountReproducibilityTest}: runs the same work on the tiny fixture with the threads
 * its environment gives ND4J ({@code OMP_NUM_THREADS}; a running JVM cannot change them for every thread: OpenMP's
 * count is per thread, and OpenBLAS and libnd4j's reductions keep the startup count) and writes under DIR:
 * {@code STAGE.f32} (little-endian floats) per stage and per case of {@link OpFamilyProbe}, {@code ops.tsv} (every
 * op of one training step's graph with the digests of its outputs, to find the ops whose result depends on the
 * thread count) and {@code train/} (the output of {@code sdti train}).
 *
 * <p>Usage: {@code ThreadCountProbe DIR STEPS} (0 steps: no training)
 */
public final class ThreadCountProbe {
    static final List<String> STAGES = List.of("text_encoder", "unet", "vae_decode", "step_loss", "step_gradient");

    private ThreadCountProbe() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int steps = Integer.parseInt(args[1]);
        Files.createDirectories(dir);
        ModelFolder folder = ModelFolder.open(TestData.tinyModel().toString());
        TextEncoder encoder = TextEncoder.load(TestData.tinyModel().resolve("text_encoder"), DataType.FLOAT);
        UNet unet = UNet.load(folder.unetConfig(),
                CheckedWeights.check(folder.openWeights("unet"), Layouts.unet(folder.unetConfig())));
        Vae vae = Vae.load(folder.vaeConfig(), CheckedWeights.check(folder.openWeights("vae"),
                Layouts.vae(folder.vaeConfig())));
        Files.writeString(dir.resolve("threads.txt"), Nd4j.getEnvironment().maxThreads() + "\n");
        OpFamilyProbe.run(dir);

        try (SafeTensorsFile g = SafeTensorsFile.open(TestData.goldens("textual_inversion.safetensors"))) {
            long[] flat = g.longs("step1.input_ids");
            long[][] ids = {Arrays.copyOfRange(flat, 0, 77), Arrays.copyOfRange(flat, 77, 154)};
            long[][] plainIds = {ids[0].clone(), ids[1].clone()};
            int vocab = encoder.embedding().vocabSize();
            for (long[] row : plainIds) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = Math.min(row[i], vocab - 1); // the placeholder token only exists in training
                }
            }
            INDArray text = encoder.encode(plainIds);
            write(dir, "text_encoder", text);
            INDArray unetOut = unet.predict(OpFamilyProbe.random(1, 2, 4, 8, 8), Nd4j.createFromArray(10f, 500f), text);
            write(dir, "unet", unetOut);
            write(dir, "vae_decode", vae.decode(OpFamilyProbe.random(2, 1, 4, 8, 8)));

            INDArray rows = Nd4j.create(g.floats("initial_embedding"), new long[] {1, 16}, 'c');
            InversionGraph graph = InversionGraph.build(encoder, unet, 2, rows, 4, 8, 8);
            OpDigests digests = new OpDigests();
            graph.sameDiff().addListeners(digests);
            InversionGraph.LossAndGradient step = graph.step(encoder.embedding().lookup(ids, 1),
                    Nd4j.create(g.floats("step1.latents"), new long[] {2, 4, 8, 8}, 'c'),
                    Nd4j.createFromArray((float) g.longs("step1.timesteps")[0], (float) g.longs("step1.timesteps")[1]),
                    Nd4j.create(g.floats("step1.noise"), new long[] {2, 4, 8, 8}, 'c'),
                    Nd4j.valueArrayOf(new long[] {2}, 0.5, DataType.FLOAT));
            graph.sameDiff().getListeners().remove(digests);
            write(dir, "step_loss", Nd4j.scalar((float) step.loss()));
            write(dir, "step_gradient", step.gradient());
            Files.write(dir.resolve("ops.tsv"), digests.lines);
        }

        if (steps == 0) {
            return;
        }
        Path images = Files.createDirectories(dir.resolve("images"));
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 3; i++) {
            java.awt.image.BufferedImage im = new java.awt.image.BufferedImage(24, 20,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 20; y++) {
                for (int x = 0; x < 24; x++) {
                    im.setRGB(x, y, r.nextInt(0x1000000));
                }
            }
            ImageIO.write(im, "png", images.resolve("img" + i + ".png").toFile());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "train", "--model",
                TestData.tinyModel().toString(), "--images", images.toString(), "--token", "<probe>",
                "--init-token", "bear", "--steps", Integer.toString(steps), "--lr", "5e-3", "--seed", "3",
                "--validation-images", "0", "--output", dir.resolve("train").toString());
        if (code != 0) {
            throw new IllegalStateException("sdti train exited " + code + ": " + err);
        }
    }

    static void write(Path dir, String stage, INDArray a) throws IOException {
        float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        Files.write(dir.resolve(stage + ".f32"), b.array());
    }

    /** Per op, in execution order: name, type, input variables, and per output its name and SHA-256 prefix. */
    static final class OpDigests extends BaseListener {
        final List<String> lines = new ArrayList<>();

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx,
                                INDArray[] out) {
            List<String> outputs = new ArrayList<>();
            for (int i = 0; i < out.length; i++) {
                outputs.add(op.getOutputsOfOp().get(i) + "=" + digest(out[i]));
            }
            List<String> inputs = op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
            lines.add(op.getName() + "\t" + op.getOp().opName() + "\t" + String.join(",", inputs) + "\t"
                    + outputs.stream().collect(Collectors.joining(",")));
        }

        private static String digest(INDArray a) {
            if (a == null || a.isEmpty()) {
                return "empty";
            }
            try {
                MessageDigest d = MessageDigest.getInstance("SHA-256");
                d.update(a.dup('c').data().asBytes());
                return HexFormat.of().formatHex(d.digest(), 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
