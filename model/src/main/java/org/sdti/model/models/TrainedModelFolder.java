package org.sdti.model.models;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.sdti.model.io.OutputFolder;

/**
 * The trained models sdti ships: {@code toy}, trained from scratch on the world of coloured shapes
 * ({@code models/toy/} in the repository, whose README says how). The build packs each model's folder into the jar
 * as resources (model/pom.xml), so a deployed jar can write it; {@link #copy} writes the files byte for byte.
 */
public final class TrainedModelFolder {
    /** Presets with a trained model. */
    public static final List<String> PRESETS = List.of("toy");
    /**
     * Every file of a shipped folder, relative to it. Class-path resources cannot be listed, so they are named
     * here (a test checks the list against models/toy/); model_index.json comes last, so that a copy cut short
     * is not a model folder.
     */
    public static final List<String> FILES = List.of("README.md", "scheduler/scheduler_config.json",
            "text_encoder/config.json", "text_encoder/model.safetensors", "tokenizer/merges.txt",
            "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json", "tokenizer/vocab.json",
            "unet/config.json", "unet/diffusion_pytorch_model.safetensors", "vae/config.json",
            "vae/diffusion_pytorch_model.safetensors", "model_index.json");
    private static final String ROOT = "/org/sdti/model/trained/";

    private TrainedModelFolder() {}

    public static boolean has(String preset) {
        return PRESETS.contains(preset);
    }

    /** Writes the shipped files of {@code preset} under {@code location} (any Hadoop file system), each atomically. */
    public static void copy(String preset, String location, Configuration conf) throws IOException {
        if (!has(preset)) {
            throw new IllegalArgumentException("no trained model ships for preset '" + preset + "' (only "
                    + String.join(", ", PRESETS) + ")");
        }
        OutputFolder out = OutputFolder.open(location, conf);
        for (String file : FILES) {
            String resource = ROOT + preset + "/" + file;
            try (InputStream in = TrainedModelFolder.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("bundled resource " + resource + " is missing from the class path");
                }
                out.write(file, in::transferTo);
            }
        }
    }
}
