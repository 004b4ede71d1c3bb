package org.sdti.model.models;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.sdti.model.Version;
import org.sdti.model.io.ModelSource;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.WeightFile;

/**
 * Writes a complete diffusers-layout model folder with seeded random weights for one of the bundled architectures:
 * {@code tiny} (the test fixture's), {@code toy} (the architecture {@code pretrain} trains from scratch: its VAE
 * is the analytic {@link IdentityVae}, not random), {@code midsize} (the benchmark model), {@code sd21-base} and
 * {@code sd21} (the real Stable Diffusion 2.1 configs). Used by {@code sdti init-model}, benchmarks and demos: the
 * networks run at real size and speed, but the images mean nothing without the real weights.
 */
public final class RandomModelFolder {
    public static final List<String> PRESETS = Architecture.PRESETS;
    /** Presets whose VAE is the analytic identity (latents are pixels), not random. */
    static final List<String> IDENTITY_VAE = List.of("toy");

    private RandomModelFolder() {}

    /**
     * For a folder {@link #write} made: "preset NAME, seed S" (from its U-Net file's metadata), else empty. Reports say
     * so, because such a model's embeddings and images mean nothing.
     */
    public static Optional<String> madeBy(ModelSource model) throws IOException {
        try (WeightFile weights = model.openWeights(ModelSource.UNET)) {
            if (!(weights instanceof SafeTensorsFile unet)) {
                return Optional.empty(); // write() makes folders only
            }
            Map<String, String> meta = unet.metadata();
            String seed = meta.get("sdti.random_seed");
            return seed == null ? Optional.empty()
                    : Optional.of("preset " + meta.getOrDefault("sdti.preset", "?") + ", seed " + seed);
        }
    }

    /** Writes the preset's configs, the SD 2 tokenizer and random weights under {@code location}. */
    public static void write(String preset, String location, long seed, Configuration conf) throws IOException {
        Architecture arch = Architecture.preset(preset);
        Map<String, String> meta = Map.of("format", "pt", "sdti.random_seed", Long.toString(seed),
                "sdti.preset", preset, "sdti.version", Version.SDTI);
        ModelFolderWriter.write(arch, location, unet(arch, seed)::tensor, vae(preset, arch, seed),
                textEncoder(arch, seed)::tensor, meta, conf);
    }

    /** The U-Net's random weights for a seed (those {@code init-model --seed} writes). */
    public static RandomWeights unet(Architecture arch, long seed) {
        return new RandomWeights(Layouts.unet(arch.unet()), seed);
    }

    /** The text encoder's random weights for a seed (those {@code init-model --seed} writes). */
    public static RandomWeights textEncoder(Architecture arch, long seed) {
        return new RandomWeights(Layouts.textEncoder(arch.textEncoder()), seed + 2);
    }

    private static ModelFolderWriter.Weights vae(String preset, Architecture arch, long seed) {
        return IDENTITY_VAE.contains(preset) ? IdentityVae.of(arch.vae())::tensor
                : new RandomWeights(Layouts.vae(arch.vae()), seed + 1)::tensor;
    }
}
