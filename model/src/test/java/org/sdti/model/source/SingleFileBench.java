package org.sdti.model.source;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.sdti.model.io.DType;
import org.sdti.model.io.ModelPresets;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.RandomWeights;
import org.sdti.model.models.WeightLayout;
import org.sdti.model.pipelines.StableDiffusion;

/**
 * Peak memory of loading a full-size single file (benchmark, not a test). {@code write PRESET FILE} writes the
 * preset's architecture with seeded random weights in the original LDM layout (fused q/k/v, VAE attention as 1x1
 * convolutions), one tensor at a time; {@code load PRESET FILE} loads it as {@code generate} does and prints the
 * heap's peak use (run it under {@code /usr/bin/time -v} for the process's peak resident memory).
 */
public final class SingleFileBench {
    private SingleFileBench() {}

    public static void main(String[] args) throws Exception {
        String preset = args[1];
        Path file = Path.of(args[2]);
        if (args[0].equals("write")) {
            write(preset, file);
        } else {
            long t0 = System.nanoTime();
            try (StableDiffusion sd = StableDiffusion.load(ModelSources.open(file.toString(), preset,
                    new Configuration()))) {
                System.out.printf("loaded %s (%.2f GB) in %.1f s; heap peak %.0f MB (max heap %.0f MB)%n",
                        sd.location(), Files.size(file) / 1e9, (System.nanoTime() - t0) / 1e9, heapPeak() / 1e6,
                        Runtime.getRuntime().maxMemory() / 1e6);
            }
        }
    }

    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static void write(String preset, Path file) throws IOException {
        ModelPresets p = ModelPresets.of(preset);
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("sdti.preset", preset);
        org.sdti.model.config.UNetConfig unet = p.unetConfig();
        add(w, Layouts.unet(unet), 1, name -> LdmNames.unet(name, unet));
        add(w, Layouts.vae(p.vaeConfig()), 2, LdmNames::vae);
        add(w, Layouts.textEncoder(p.textEncoderConfig()), 3, LdmNames::textEncoder);
        w.write(file);
    }

    private static void add(SafeTensorsWriter w, WeightLayout layout, long seed,
            java.util.function.Function<String, LdmNames.Place> places) {
        RandomWeights random = new RandomWeights(layout, seed);
        Map<String, String[]> fused = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : layout.shapes().entrySet()) {
            String name = e.getKey();
            LdmNames.Place place = places.apply(name);
            long[] shape = e.getValue();
            if (place.third() >= 0) {
                String[] parts = fused.computeIfAbsent(place.key(), k -> new String[3]);
                parts[place.third()] = name;
                if (parts[0] != null && parts[1] != null && parts[2] != null) {
                    long[] s = shape.clone();
                    s[0] *= 3;
                    w.add(place.key(), DType.F32, s, out -> {
                        for (String part : parts) out.write(bytes(random.tensor(part)));
                    });
                }
                continue;
            }
            if (LdmNames.isConvAttention(place.key()) && shape.length == 2) {
                shape = new long[] {shape[0], shape[1], 1, 1};
            }
            w.add(place.key(), DType.F32, shape, out -> out.write(bytes(random.tensor(name))));
        }
    }

    private static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }
}
