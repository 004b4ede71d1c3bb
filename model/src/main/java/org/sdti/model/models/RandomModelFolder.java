package org.sdti.model.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.model.Version;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.AtomicFiles;
import org.sdti.model.io.DType;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.text.BpeVocabFiles;

/**
 * Writes a complete diffusers-layout model folder with seeded random weights for one of the bundled architectures:
 * {@code tiny} (the test fixture's), {@code midsize} (the benchmark model), {@code sd21-base} and {@code sd21} (the
 * real Stable Diffusion 2.1 configs). Used by {@code sdti init-model}, benchmarks and demos: the networks run at
 * real size and speed, but the images mean nothing without the real weights.
 */
public final class RandomModelFolder {
    public static final List<String> PRESETS = List.of("tiny", "midsize", "sd21-base", "sd21");
    private static final String ROOT = "/org/sdti/model/presets/";
    private static final List<String> CONFIGS = List.of("model_index.json", "scheduler/scheduler_config.json",
            "unet/config.json", "vae/config.json", "text_encoder/config.json");

    private RandomModelFolder() {}

    /** Writes the preset's configs, the SD 2 tokenizer and random weights under {@code location}. */
    public static void write(String preset, String location, long seed, Configuration conf) throws IOException {
        if (!PRESETS.contains(preset)) {
            throw new IllegalArgumentException("unknown model preset '" + preset + "' (expected one of "
                    + String.join(", ", PRESETS) + ")");
        }
        Path root = new Path(location);
        FileSystem fs = root.getFileSystem(conf);
        for (String rel : CONFIGS) {
            AtomicFiles.writeText(fs, new Path(root, rel), resource(preset + "/" + rel));
        }
        BpeVocabFiles bpe = BpeVocabFiles.bundled();
        AtomicFiles.writeText(fs, new Path(root, "tokenizer/vocab.json"), bpe.vocabJson());
        AtomicFiles.writeText(fs, new Path(root, "tokenizer/merges.txt"), bpe.mergesTxt());
        for (String f : List.of("special_tokens_map.json", "tokenizer_config.json")) {
            AtomicFiles.writeText(fs, new Path(root, "tokenizer/" + f), resource("tokenizer-sd2/" + f));
        }
        Map<String, String> meta = Map.of("format", "pt", "sdti.random_seed", Long.toString(seed),
                "sdti.preset", preset, "sdti.version", Version.SDTI);
        writeWeights(Layouts.unet(UNetConfig.from(config(preset, "unet/config.json"))), seed, meta,
                new Path(root, "unet/diffusion_pytorch_model.safetensors"), conf);
        writeWeights(Layouts.vae(VaeConfig.from(config(preset, "vae/config.json"))), seed + 1, meta,
                new Path(root, "vae/diffusion_pytorch_model.safetensors"), conf);
        writeWeights(Layouts.textEncoder(TextEncoderConfig.from(config(preset, "text_encoder/config.json"))), seed + 2,
                meta, new Path(root, "text_encoder/model.safetensors"), conf);
    }

    /**
     * For a folder {@link #write} made: "preset NAME, seed S" (from its U-Net file's metadata), else empty. Reports say
     * so, because such a model's embeddings and images mean nothing.
     */
    public static Optional<String> madeBy(ModelFolder folder) throws IOException {
        try (SafeTensorsFile unet = folder.openWeights(ModelFolder.UNET)) {
            Map<String, String> meta = unet.metadata();
            String seed = meta.get("sdti.random_seed");
            return seed == null ? Optional.empty()
                    : Optional.of("preset " + meta.getOrDefault("sdti.preset", "?") + ", seed " + seed);
        }
    }

    private static void writeWeights(WeightLayout layout, long seed, Map<String, String> meta, Path file,
            Configuration conf) throws IOException {
        RandomWeights random = new RandomWeights(layout, seed);
        SafeTensorsWriter w = new SafeTensorsWriter().metadata(meta);
        for (Map.Entry<String, long[]> e : layout.shapes().entrySet()) {
            String name = e.getKey();
            // values are drawn while the file is written, one tensor at a time
            w.add(name, DType.F32, e.getValue(), out -> {
                float[] v = random.tensor(name);
                byte[] buf = new byte[v.length * 4];
                java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v);
                out.write(buf);
            });
        }
        w.write(file.toString(), conf);
    }

    private static JsonConfig config(String preset, String rel) throws IOException {
        return JsonConfig.parse("preset " + preset + ": " + rel, resource(preset + "/" + rel));
    }

    private static String resource(String rel) throws IOException {
        try (InputStream in = RandomModelFolder.class.getResourceAsStream(ROOT + rel)) {
            if (in == null) {
                throw new IOException("bundled resource " + ROOT + rel + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
