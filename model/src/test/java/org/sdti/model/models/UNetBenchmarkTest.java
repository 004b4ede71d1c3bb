package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.models.nn.UNetOps;
import org.sdti.model.models.nn.UNetOps.Params;
import org.sdti.model.testing.Shared;

/**
 * Speed and memory of the networks at bench sizes on seeded random weights (not part of the default run).
 * {@code -Dsdti.bench.model=bench/midsize} (default) or {@code reference/sd2/sd21-base}, relative to shared/;
 * {@code -Dsdti.bench.reps=3}; {@code -Dsdti.bench.parts=unet,train,vae}. Prints medians and the peak resident set.
 */
@Tag("slow")
class UNetBenchmarkTest {

    static JsonConfig config(Path dir) throws IOException {
        Path p = dir.resolve("config.json");
        return JsonConfig.parse(p.toString(), Files.readString(p));
    }

    interface Run {
        void run() throws Exception;
    }

    static double median(String what, int reps, Run r) throws Exception {
        List<Double> s = new ArrayList<>();
        for (int i = 0; i < reps + 1; i++) { // first run warms up (graph build, JIT)
            long t0 = System.nanoTime();
            r.run();
            double sec = (System.nanoTime() - t0) / 1e9;
            if (i > 0 || reps == 0) {
                s.add(sec);
            }
            System.out.printf("  %s run %d: %.2f s (rss peak %.2f GiB)%n", what, i, sec, peakRssGiB());
        }
        Collections.sort(s);
        double m = s.get(s.size() / 2);
        System.out.printf("%s: median %.2f s over %d (range %.2f–%.2f)%n", what, m, s.size(), s.get(0),
                s.get(s.size() - 1));
        return m;
    }

    static double peakRssGiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
            }
        }
        return Double.NaN;
    }

    @Test
    void bench() throws Exception {
        Path model = Shared.path(System.getProperty("sdti.bench.model", "bench/midsize"));
        int reps = Integer.getInteger("sdti.bench.reps", 3);
        String parts = System.getProperty("sdti.bench.parts", "unet,train,vae");
        UNetConfig cfg = UNetConfig.from(config(model.resolve("unet")));
        int s = cfg.sampleSize();
        WeightLayout layout = Layouts.unet(cfg);
        long t0 = System.nanoTime();
        UNet unet = UNet.load(cfg, Params.load(layout, new RandomWeights(layout, 1)::tensor, "unet", DataType.FLOAT));
        System.out.printf("U-Net %s: %,d parameters, converted in %.1f s, rss peak %.2f GiB%n", model,
                layout.parameterCount(), (System.nanoTime() - t0) / 1e9, peakRssGiB());
        Nd4j.getRandom().setSeed(5);
        INDArray ctx2 = Nd4j.randn(DataType.FLOAT, 2, 77, cfg.crossAttentionDim());
        INDArray x2 = Nd4j.randn(DataType.FLOAT, 2, cfg.inChannels(), s, s);
        if (parts.contains("unet")) {
            INDArray[] out = new INDArray[1];
            median("U-Net predict, batch 2, " + s + "x" + s, reps,
                    () -> out[0] = unet.predict(x2, Nd4j.createFromArray(500f), ctx2));
            assertTrue(Double.isFinite(out[0].sumNumber().doubleValue()));
        }
        if (parts.contains("train")) {
            // a textual-inversion-like step: d MSE / d encoder_hidden_states (a VARIABLE), batch 1
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, cfg.inChannels(), s, s);
            SDVariable t = sd.placeHolder("t", DataType.FLOAT, -1);
            SDVariable target = sd.placeHolder("target", DataType.FLOAT, -1, cfg.outChannels(), s, s);
            SDVariable ehs = sd.var("ehs", Nd4j.randn(DataType.FLOAT, 1, 77, cfg.crossAttentionDim()));
            SDVariable pred = unet.build(sd, x, t, ehs, s, s, 77).output();
            sd.setLossVariables(sd.math().square(pred.sub(target)).mean("loss"));
            Map<String, INDArray> feed = Map.of("x", Nd4j.randn(DataType.FLOAT, 1, cfg.inChannels(), s, s),
                    "t", Nd4j.createFromArray(321f), "target", Nd4j.randn(DataType.FLOAT, 1, cfg.outChannels(), s, s));
            INDArray[] g = new INDArray[1];
            median("U-Net forward+backward to encoder_hidden_states, batch 1", reps,
                    () -> g[0] = UNetOps.gradients(sd, feed, "ehs").get("ehs"));
            assertTrue(Double.isFinite(g[0].sumNumber().doubleValue()));
        }
        if (parts.contains("vae")) {
            VaeConfig vcfg = VaeConfig.from(config(model.resolve("vae")));
            WeightLayout vl = Layouts.vae(vcfg);
            Vae vae = Vae.load(vcfg, Params.load(vl, new RandomWeights(vl, 2)::tensor, "vae", DataType.FLOAT));
            INDArray z = Nd4j.randn(DataType.FLOAT, 1, vcfg.latentChannels(), s, s);
            INDArray[] img = new INDArray[1];
            median("VAE decode, 1 x " + s + "x" + s + " latents", reps, () -> img[0] = vae.decode(z));
            median("VAE encode, 1 image", reps, () -> vae.encode(img[0]));
        }
    }
}
