package org.sdti.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.BadInputException;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.inversion.AdamW;
import org.sdti.model.inversion.InversionGraph;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.ModelSource;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.ComponentWeights;
import org.sdti.model.models.RandomModelFolder;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.models.UNet;
import org.sdti.model.models.Vae;
import org.sdti.model.models.nn.GraphRunner;
import org.sdti.model.models.nn.ParamStore;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.pipelines.TextToImage;
import org.sdti.model.pretrain.ParameterVector;
import org.sdti.model.pretrain.PretrainGraph;
import org.sdti.model.pretrain.TrainableNetworks;
import org.sdti.model.source.ModelSources;
import org.sdti.model.text.ClipTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sdti bench}: medians over repeated runs after a warm-up, for the cases the reference implementation is
 * measured on (run it side by side on the same machine: the team's benchmark harness). Prints a readable table, optionally where the time goes per block type, and
 * as its last line one JSON object of median seconds per case.
 */
@Command(name = "bench",
        header = "Time a training step, a U-Net call, an image and a VAE decode (medians after a warm-up).",
        mixinStandardHelpOptions = true,
        description = {"Cases: a textual-inversion training step (batch 1), a U-Net call (batch 2), one image with 20 "
                + "DDIM steps and classifier-free guidance (prompt encoding, 20 U-Net calls at batch 2, VAE decode), "
                + "and that image's VAE decode alone.",
                "The last line printed is a JSON object of median seconds per case."})
public final class BenchCommand implements Callable<Integer> {
    static final String TRAIN_STEP = "train_step";
    static final String UNET_CALL = "unet_call";
    static final String IMAGE_20_DDIM = "image_20_ddim";
    static final String VAE_DECODE = "vae_decode";
    static final String PRETRAIN_STEP = "pretrain_step";
    static final List<String> CASES = List.of(TRAIN_STEP, UNET_CALL, IMAGE_20_DDIM, VAE_DECODE, PRETRAIN_STEP);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE",
            description = "Model folder (diffusers layout) or single-file checkpoint (with --model-config).")
    String model;

    @Option(names = "--model-config", paramLabel = "DIR|PRESET",
            description = "A single file's architecture: a preset (sd21-base, sd21, tiny, midsize) or a diffusers "
                    + "folder with its configs.")
    String modelConfig;

    @Option(names = "--random-weights", paramLabel = "PRESET",
            description = "Fill DIR with seeded random weights of this architecture (tiny, toy, midsize, sd21-base, sd21) "
                    + "when it holds no weights yet.")
    String randomWeights;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for random weights and inputs (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs per case (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs per case (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--cases", split = ",", defaultValue = "train_step,unet_call,image_20_ddim",
            description = "Cases to run (default ${DEFAULT-VALUE}).")
    List<String> cases;

    @Option(names = "--pretrain-batch", defaultValue = "16",
            description = "Batch of the pretrain_step case (default ${DEFAULT-VALUE}).")
    int pretrainBatch;

    @Option(names = "--profile", description = "Also print where the time goes, per block type and per op.")
    boolean profile;

    private PrintWriter out;
    /** Process CPU seconds (all threads) per timed run, by case: steadier than wall time on a shared machine. */
    private final Map<String, double[]> cpu = new LinkedHashMap<>();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    @Override
    public Integer call() throws IOException {
        out = spec.commandLine().getOut();
        for (String c : cases) {
            if (!CASES.contains(c)) {
                throw new BadInputException("unknown bench case '" + c + "' (expected one of " + CASES + ")");
            }
        }
        if (warmup < 0 || repeats < 1) {
            throw new BadInputException("--warmup must be >= 0 and --repeats >= 1");
        }
        Configuration conf = new Configuration();
        ModelSource folder = ensureModel(conf);
        UNetConfig ucfg = folder.unetConfig();
        long t0 = System.nanoTime();
        TextEncoder encoder = new TextEncoder(folder.textEncoderConfig(), ParamStore.of(
                ComponentWeights.textEncoder(folder), DataType.FLOAT));
        UNet unet = UNet.load(ucfg, ComponentWeights.unet(folder));
        ClipTokenizer baseTokenizer = ClipTokenizer.load(folder.tokenizerFiles());
        ClipTokenizer tokenizer = baseTokenizer.withAddedToken("<bench-token>", 1);
        out.printf("model %s loaded in %.1f s (U-Net %dx%d latents, text encoder %d x %d)%n", folder.location(),
                (System.nanoTime() - t0) / 1e9, ucfg.sampleSize(), ucfg.sampleSize(),
                folder.textEncoderConfig().numHiddenLayers(), folder.textEncoderConfig().hiddenSize());
        out.flush();

        Map<String, double[]> results = new LinkedHashMap<>();
        Map<String, OpProfiler> profiles = new LinkedHashMap<>();
        if (cases.contains(TRAIN_STEP)) {
            results.putAll(trainStep(encoder, unet, tokenizer, ucfg, profiles));
        }
        if (cases.contains(PRETRAIN_STEP)) {
            results.putAll(pretrainStep(folder, profiles));
        }
        if (cases.contains(UNET_CALL)) {
            results.put(UNET_CALL, unetCall(unet, ucfg, encoder.config().hiddenSize(), profiles));
        }
        Vae vae = cases.contains(IMAGE_20_DDIM) || cases.contains(VAE_DECODE)
                ? Vae.load(folder.vaeConfig(), ComponentWeights.vae(folder))
                : null;
        if (cases.contains(IMAGE_20_DDIM)) {
            results.put(IMAGE_20_DDIM, image(new StableDiffusion(folder.location(), baseTokenizer, encoder, unet,
                    vae, folder.schedulerConfig())));
        }
        if (cases.contains(VAE_DECODE)) {
            results.put(VAE_DECODE, vaeDecode(vae, profiles));
        }
        printTable(results);
        if (profile) {
            profiles.forEach(this::printProfile);
        }
        ObjectNode json = new ObjectMapper().createObjectNode();
        for (String c : cases) {
            json.put(c, median(results.get(c)));
        }
        out.println(json);
        out.flush();
        return 0;
    }

    private ModelSource ensureModel(Configuration conf) throws IOException {
        if (modelConfig != null) {
            return ModelSources.open(model, modelConfig, conf);
        }
        ModelFolder folder;
        try {
            folder = ModelFolder.open(model, conf);
            if (folder.exists(ModelSource.UNET + "/diffusion_pytorch_model.safetensors")) {
                return folder;
            }
        } catch (java.io.FileNotFoundException e) {
            if (randomWeights == null) {
                throw e;
            }
        }
        if (randomWeights == null) {
            throw new BadInputException("model folder " + model + " holds no U-Net weights; pass --random-weights "
                    + String.join("|", RandomModelFolder.PRESETS) + " to fill it with seeded random weights");
        }
        out.printf("writing %s with seeded random weights (preset %s, seed %d)...%n", model, randomWeights, seed);
        out.flush();
        RandomModelFolder.write(randomWeights, model, seed, conf);
        return ModelFolder.open(model, conf);
    }

    /** Text encoder + U-Net forward, backward to the new row, AdamW: as the reference's training step. */
    private Map<String, double[]> trainStep(TextEncoder encoder, UNet unet, ClipTokenizer tokenizer, UNetConfig u,
            Map<String, OpProfiler> profiles) {
        int s = u.sampleSize();
        INDArray rows = encoder.embedding().rows(tokenizer.idsOf("bear")[0]);
        InversionGraph graph = InversionGraph.build(encoder, unet, 1, rows, u.inChannels(), s, s);
        long[][] ids = {Arrays.stream(tokenizer.encode("a photo of a <bench-token>")).asLongStream().toArray()};
        var inputs = encoder.embedding().lookup(ids, 1);
        SplittableRandom rng = new SplittableRandom(seed);
        AdamW opt = AdamW.defaults();
        AdamW.State[] state = {AdamW.State.initial(rows.reshape(-1).toFloatVector())};
        double[] forward = new double[repeats];
        double[] step = new double[repeats];
        double[] optimizer = new double[repeats];
        double[] forwardCpu = new double[repeats];
        double[] stepCpu = new double[repeats];
        OpProfiler profiler = new OpProfiler();
        for (int i = -warmup; i < repeats; i++) {
            INDArray noisy = gaussian(rng, 1, u.inChannels(), s, s);
            INDArray target = gaussian(rng, 1, u.inChannels(), s, s);
            INDArray t = Nd4j.createFromArray(new float[] {rng.nextInt(1000)});
            INDArray w = Nd4j.createFromArray(new float[] {1f});
            long ca = OS.getProcessCpuTime();
            long a = System.nanoTime();
            graph.loss(inputs, noisy, t, target, w);
            long b = System.nanoTime();
            long cb = OS.getProcessCpuTime();
            if (profile && i == repeats - 1) {
                graph.sameDiff().addListeners(profiler); // the step's forward + backward run in this graph
            }
            InversionGraph.LossAndGradient r = graph.step(inputs, noisy, t, target, w);
            long c = System.nanoTime();
            state[0] = opt.step(state[0], r.gradient().reshape(-1).toFloatVector(), 5e-4);
            graph.setRows(Nd4j.create(state[0].params(), new long[] {1, rows.columns()}, 'c'));
            long d = System.nanoTime();
            long cd = OS.getProcessCpuTime();
            if (i >= 0) {
                forwardCpu[i] = (cb - ca) / 1e9;
                stepCpu[i] = (cd - cb) / 1e9;
                forward[i] = (b - a) / 1e9;
                step[i] = (c - b + d - c) / 1e9;
                optimizer[i] = (d - c) / 1e9;
            }
            progress(TRAIN_STEP, i, (d - a) / 1e9);
        }
        if (profile) {
            graph.sameDiff().setListeners();
            profiles.put(TRAIN_STEP + " (one forward+backward)", profiler);
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put(TRAIN_STEP, step);
        out.put(TRAIN_STEP + ": forward only", forward);
        out.put(TRAIN_STEP + ": optimizer", optimizer);
        cpu.put(TRAIN_STEP, stepCpu);
        cpu.put(TRAIN_STEP + ": forward only", forwardCpu);
        return out;
    }

    /**
     * A full-weight training step ({@code sdti pretrain}) at {@code --pretrain-batch} and the U-Net's sample size:
     * forward + backward of every weight, then the optimizer part (flatten, AdamW over all weights, write back).
     * Prints the parameter count and the process's peak RSS after the case.
     */
    private Map<String, double[]> pretrainStep(ModelSource folder, Map<String, OpProfiler> profiles)
            throws IOException {
        UNetConfig u = folder.unetConfig();
        var tc = folder.textEncoderConfig();
        TrainableNetworks nets;
        try (CheckedWeights tw = ComponentWeights.textEncoder(folder);
             CheckedWeights uw = ComponentWeights.unet(folder)) {
            nets = TrainableNetworks.of(tc, tw::floats, u, uw::floats, DataType.FLOAT);
        }
        int b = pretrainBatch;
        int s = u.sampleSize();
        PretrainGraph graph = PretrainGraph.build(nets, b, u.inChannels(), s, s);
        ParameterVector vector = new ParameterVector(graph);
        out.printf("%s: %d parameters (%.1f MB float32), batch %d, %dx%d latents%n", PRETRAIN_STEP, vector.length(),
                vector.length() * 4 / 1e6, b, s, s);
        SplittableRandom rng = new SplittableRandom(seed);
        long[][] ids = new long[b][];
        for (int i = 0; i < b; i++) {
            ids[i] = new long[tc.maxPositionEmbeddings()];
            for (int t = 0; t < ids[i].length; t++) {
                ids[i][t] = t < 12 ? rng.nextInt(49000) : 0;
            }
        }
        AdamW adam = AdamW.defaults();
        AdamW.State[] state = {AdamW.State.initial(vector.read())};
        double[] step = new double[repeats];
        double[] optimizer = new double[repeats];
        double[] stepCpu = new double[repeats];
        OpProfiler profiler = new OpProfiler();
        for (int i = -warmup; i < repeats; i++) {
            INDArray noisy = gaussian(rng, b, u.inChannels(), s, s);
            INDArray target = gaussian(rng, b, u.inChannels(), s, s);
            float[] ts = new float[b];
            for (int k = 0; k < b; k++) {
                ts[k] = rng.nextInt(1000);
            }
            if (profile && i == repeats - 1) {
                graph.sameDiff().addListeners(profiler);
            }
            long ca = OS.getProcessCpuTime();
            long a = System.nanoTime();
            PretrainGraph.Result r = graph.step(ids, noisy, Nd4j.createFromArray(ts), target);
            long c = System.nanoTime();
            state[0] = adam.step(state[0], vector.flatten(r.gradients()), 1e-4);
            vector.write(state[0].params());
            long d = System.nanoTime();
            long cd = OS.getProcessCpuTime();
            if (i >= 0) {
                step[i] = (d - a) / 1e9;
                optimizer[i] = (d - c) / 1e9;
                stepCpu[i] = (cd - ca) / 1e9;
            }
            progress(PRETRAIN_STEP, i, (d - a) / 1e9);
        }
        if (profile) {
            graph.sameDiff().setListeners();
            profiles.put(PRETRAIN_STEP + " (one forward+backward)", profiler);
        }
        out.printf("%s: peak RSS %s%n", PRETRAIN_STEP, peakRss());
        Map<String, double[]> result = new LinkedHashMap<>();
        result.put(PRETRAIN_STEP, step);
        result.put(PRETRAIN_STEP + ": optimizer", optimizer);
        cpu.put(PRETRAIN_STEP, stepCpu);
        return result;
    }

    /** VmHWM of /proc/self/status (Linux), or "unknown". */
    private static String peakRss() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM:")).map(l -> l.substring(6).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private double[] unetCall(UNet unet, UNetConfig u, long hidden, Map<String, OpProfiler> profiles) {
        int s = u.sampleSize();
        SplittableRandom rng = new SplittableRandom(seed + 1);
        INDArray sample = gaussian(rng, 2, u.inChannels(), s, s);
        INDArray context = gaussian(rng, 2, 77, u.crossAttentionDim());
        INDArray t = Nd4j.createFromArray(new float[] {rng.nextInt(1000), rng.nextInt(1000)});
        double[] times = timed(UNET_CALL, () -> unet.predict(sample, t, context));
        if (profile) {
            // the same graph predict() compiles, built here so that a listener can be attached
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("sample", DataType.FLOAT, 2, u.inChannels(), s, s);
            SDVariable ts = sd.placeHolder("timesteps", DataType.FLOAT, 2);
            SDVariable ctx = sd.placeHolder("context", DataType.FLOAT, 2, 77, u.crossAttentionDim());
            String outName = unet.build(sd, x, ts, ctx, s, s, 77).output().name();
            profiles.put(UNET_CALL + " (one call)", profiledPass(sd,
                    Map.of("sample", sample, "timesteps", t, "context", context), outName));
        }
        return times;
    }

    /** One warm-up pass (it fills the graph's pass memory as the timed runs had it), then one profiled pass. */
    private static OpProfiler profiledPass(SameDiff sd, Map<String, INDArray> feed, String outName) {
        GraphRunner.output(sd, feed, outName);
        OpProfiler profiler = new OpProfiler();
        sd.addListeners(profiler);
        GraphRunner.output(sd, feed, outName);
        return profiler;
    }

    /** The VAE decode that ends the image case: one latent of the model's default size. */
    private double[] vaeDecode(Vae vae, Map<String, OpProfiler> profiles) {
        int s = vae.config().sampleSize() / vae.config().downscale();
        INDArray z = gaussian(new SplittableRandom(seed + 2), 1, vae.config().latentChannels(), s, s);
        double[] times = timed(VAE_DECODE, () -> vae.decode(z));
        if (profile) { // the graph decode() compiles, built here so that a listener can be attached
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("z", DataType.FLOAT, 1, vae.config().latentChannels(), s, s);
            String outName = vae.decoder(sd, x, s, s).name();
            profiles.put(VAE_DECODE + " (one decode)", profiledPass(sd, Map.of("z", z), outName));
        }
        return times;
    }

    /** The reference's image case: 20 DDIM steps, guidance 7.5, the model's default size, one image. */
    private double[] image(StableDiffusion sd) {
        TextToImage pipeline = new TextToImage(sd);
        GenerationRequest request = GenerationRequest.of("a photo of an astronaut riding a horse")
                .withSampler("ddim", 20).withGuidance(7.5).withSeed(seed);
        return timed(IMAGE_20_DDIM, () -> pipeline.generate(request));
    }

    /** Wall seconds of {@code run}'s timed repeats after the warm-up; their process CPU seconds go to {@link #cpu}. */
    private double[] timed(String name, Runnable run) {
        double[] times = new double[repeats];
        double[] cpuTimes = new double[repeats];
        for (int i = -warmup; i < repeats; i++) {
            long ca = OS.getProcessCpuTime();
            long a = System.nanoTime();
            run.run();
            long b = System.nanoTime();
            if (i >= 0) {
                times[i] = (b - a) / 1e9;
                cpuTimes[i] = (OS.getProcessCpuTime() - ca) / 1e9;
            }
            progress(name, i, (b - a) / 1e9);
        }
        cpu.put(name, cpuTimes);
        return times;
    }

    private void progress(String c, int i, double seconds) {
        System.err.printf("%s %s %d/%d: %.3f s%n", c, i < 0 ? "warm-up" : "run", i < 0 ? i + warmup + 1 : i + 1,
                i < 0 ? warmup : repeats, seconds);
    }

    private static INDArray gaussian(SplittableRandom rng, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            double u1 = 1.0 - rng.nextDouble();
            v[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.nextDouble()));
        }
        return Nd4j.create(v, shape, 'c');
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private void printTable(Map<String, double[]> results) {
        out.printf("%n%-28s %10s %10s %10s %10s %4s%n", "case", "median s", "min s", "max s", "cpu s", "n");
        for (Map.Entry<String, double[]> e : results.entrySet()) {
            double[] v = e.getValue();
            double[] c = cpu.get(e.getKey());
            out.printf("%-28s %10.3f %10.3f %10.3f %10s %4d%n", e.getKey(), median(v), Arrays.stream(v).min().orElse(0),
                    Arrays.stream(v).max().orElse(0), c == null ? "" : String.format("%.3f", median(c)), v.length);
        }
        out.println();
    }

    private void printProfile(String title, OpProfiler p) {
        double total = p.secondsByBlock().values().stream().mapToDouble(Double::doubleValue).sum();
        out.printf("where the time goes: %s (%.3f s in ops)%n", title, total);
        List<Map.Entry<String, Double>> blocks = new ArrayList<>(p.secondsByBlock().entrySet());
        blocks.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        for (Map.Entry<String, Double> e : blocks) {
            List<Map.Entry<String, Double>> byOp = new ArrayList<>(p.secondsByBlockAndOp().get(e.getKey()).entrySet());
            byOp.sort(Map.Entry.<String, Double>comparingByValue().reversed());
            StringBuilder top = new StringBuilder();
            for (Map.Entry<String, Double> o : byOp.subList(0, Math.min(3, byOp.size()))) {
                top.append(String.format(" %s %.0f%%", o.getKey(), 100 * o.getValue() / e.getValue()));
            }
            out.printf("  %-48s %8.3f s %5.1f%%  (%s)%n", e.getKey(), e.getValue(), 100 * e.getValue() / total,
                    top.toString().trim());
        }
        List<Map.Entry<String, Double>> ops = new ArrayList<>(p.secondsByOp().entrySet());
        ops.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        out.println("  top ops:");
        for (Map.Entry<String, Double> e : ops.subList(0, Math.min(12, ops.size()))) {
            out.printf("    %-46s %8.3f s %5.1f%%%n", e.getKey(), e.getValue(), 100 * e.getValue() / total);
        }
        out.println();
    }
}
