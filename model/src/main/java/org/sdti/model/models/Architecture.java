package org.sdti.model.models;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.SchedulerConfig;
import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.ModelPresets;
import org.sdti.model.text.ClipTokenizer;

/**
 * The configs of a diffusers model folder, without weights: a bundled preset ({@code tiny}, {@code toy}, ...) or
 * the configs of an existing folder. Every config is parsed (and so checked) when the architecture is made.
 *
 * @param name the preset's name, or the folder's location
 * @param configs config text by path relative to the model folder ({@link #CONFIGS})
 */
public record Architecture(String name, Map<String, String> configs) {
    public static final List<String> PRESETS = ModelPresets.NAMES;
    public static final List<String> CONFIGS = List.of("model_index.json", "scheduler/scheduler_config.json",
            "unet/config.json", "vae/config.json", "text_encoder/config.json");

    public Architecture {
        configs = Map.copyOf(configs);
        UNetConfig.from(json(name, configs, "unet/config.json")); // parsed once to check them
        VaeConfig.from(json(name, configs, "vae/config.json"));
        TextEncoderConfig.from(json(name, configs, "text_encoder/config.json"));
        SchedulerConfig.from(json(name, configs, "scheduler/scheduler_config.json"));
    }

    public static Architecture preset(String preset) throws IOException {
        if (!PRESETS.contains(preset)) {
            throw new IllegalArgumentException("unknown model preset '" + preset + "' (expected one of "
                    + String.join(", ", PRESETS) + ")");
        }
        Map<String, String> configs = new LinkedHashMap<>();
        for (String rel : CONFIGS) {
            configs.put(rel, resource(preset + "/" + rel));
        }
        return new Architecture(preset, configs);
    }

    /** The configs of a model folder (weights need not exist). */
    public static Architecture of(ModelFolder folder) throws IOException {
        Map<String, String> configs = new LinkedHashMap<>();
        for (String rel : CONFIGS) {
            configs.put(rel, folder.readText(rel));
        }
        return new Architecture(folder.location(), configs);
    }

    public UNetConfig unet() {
        return UNetConfig.from(json("unet/config.json"));
    }

    public VaeConfig vae() {
        return VaeConfig.from(json("vae/config.json"));
    }

    public TextEncoderConfig textEncoder() {
        return TextEncoderConfig.from(json("text_encoder/config.json"));
    }

    public SchedulerConfig scheduler() {
        return SchedulerConfig.from(json("scheduler/scheduler_config.json"));
    }

    private JsonConfig json(String rel) {
        return json(name, configs, rel);
    }

    private static JsonConfig json(String name, Map<String, String> configs, String rel) {
        return JsonConfig.parse(name + ": " + rel, configs.get(rel));
    }

    /** The SD 2 tokenizer every folder written by sdti carries ({@link ModelFolderWriter}). */
    public static ClipTokenizer sd2Tokenizer() throws IOException {
        return ClipTokenizer.load(ModelPresets.sd2Tokenizer("bundled SD 2 tokenizer"));
    }

    /** A bundled resource under the presets folder (configs, the SD 2 tokenizer files). */
    static String resource(String rel) throws IOException {
        return ModelPresets.resource(rel);
    }
}
