package org.sdti.model.pipelines;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.SchedulerConfig;
import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.models.UNet;
import org.sdti.model.models.Vae;
import org.sdti.model.models.WeightLayout;
import org.sdti.model.models.nn.ParamStore;
import org.sdti.model.models.nn.UNetOps.Params;
import org.sdti.model.testing.Shared;
import org.sdti.model.text.ClipTokenizer;

/**
 * The speed case image_20_ddim on the midsize benchmark architecture (../shared/bench/midsize, seeded
 * random weights in memory): one 256×256 image, 20 DDIM steps, guidance 7.5, prompt encoding and VAE decode
 * included. The reference took 9.95 s on a 2-vCPU machine. Prints every run, the median of 3 after a warm-up and
 * the split into prompt encoding, U-Net steps and decoding. Tag slow.
 */
@Tag("slow")
class TextToImageBenchmarkTest {
    @Test
    void image20Ddim() throws Exception {
        try (StableDiffusion model = midsize()) {
            TextToImage pipeline = new TextToImage(model);
            GenerationRequest request = GenerationRequest.of("a photo of a cat").withSampler("ddim", 20)
                    .withGuidance(7.5).withSeed(1);
            int runs = Integer.getInteger("sdti.bench.runs", 3);
            double[] seconds = new double[runs];
            for (int i = -1; i < runs; i++) {
                long[] stepEnd = new long[20];
                long cpu = cpuNanos();
                long a = System.nanoTime();
                pipeline.generate(request, s -> stepEnd[s.index()] = System.nanoTime());
                long b = System.nanoTime();
                // the machine is shared: process CPU seconds show the work done whatever the other load
                System.out.printf("image_20_ddim %-8s %.3f s (process CPU %.1f s, load %.1f): U-Net step %.3f s "
                        + "(steps 2-20), until the first step ends %.3f s, decode %.3f s%n",
                        i < 0 ? "warm-up" : "run " + (i + 1), (b - a) / 1e9, (cpuNanos() - cpu) / 1e9,
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                        (stepEnd[19] - stepEnd[0]) / 1e9 / 19, (stepEnd[0] - a) / 1e9, (b - stepEnd[19]) / 1e9);
                if (i >= 0) {
                    seconds[i] = (b - a) / 1e9;
                }
            }
            Arrays.sort(seconds);
            double median = runs % 2 == 1 ? seconds[runs / 2] : (seconds[runs / 2 - 1] + seconds[runs / 2]) / 2;
            System.out.printf("image_20_ddim median %.3f s (reference 9.95 s)%n", median);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The midsize architecture with PyTorch-style random weights (speed does not depend on the values). */
    static StableDiffusion midsize() throws IOException {
        Path dir = Shared.path("bench/midsize");
        TextEncoderConfig tc = TextEncoderConfig.from(json(dir, "text_encoder/config.json"));
        UNetConfig uc = UNetConfig.from(json(dir, "unet/config.json"));
        VaeConfig vc = VaeConfig.from(json(dir, "vae/config.json"));
        SchedulerConfig sc = SchedulerConfig.from(json(dir, "scheduler/scheduler_config.json"));
        WeightLayout tl = Layouts.textEncoder(tc);
        TextEncoder encoder = new TextEncoder(tc, ParamStore.of(tl, name -> random(tl, name), DataType.FLOAT));
        WeightLayout ul = Layouts.unet(uc);
        UNet unet = UNet.load(uc, Params.load(ul, name -> random(ul, name), "unet", DataType.FLOAT));
        WeightLayout vl = Layouts.vae(vc);
        Vae vae = Vae.load(vc, Params.load(vl, name -> random(vl, name), "vae", DataType.FLOAT));
        return new StableDiffusion(dir.toString(), ClipTokenizer.load(dir.resolve("tokenizer")), encoder, unet, vae,
                sc);
    }

    private static JsonConfig json(Path dir, String rel) throws IOException {
        return JsonConfig.parse(dir.resolve(rel).toString(), Files.readString(dir.resolve(rel)));
    }

    /** Uniform ±1/√fan_in (norm gains 1 ± 0.1), seeded by the name. */
    private static float[] random(WeightLayout layout, String name) {
        long[] shape = layout.shape(name);
        long n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        SplittableRandom rnd = new SplittableRandom(name.hashCode());
        boolean gain = shape.length == 1 && name.endsWith(".weight") && !name.contains("embedding");
        double bound = shape.length == 1 ? 0.1 : 1.0 / Math.sqrt((double) n / shape[0]);
        float[] out = new float[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((gain ? 1.0 : 0.0) + bound * (2 * rnd.nextDouble() - 1));
        }
        return out;
    }
}
