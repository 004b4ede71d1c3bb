package org.sdti.model.io;

import java.io.IOException;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.ModelIndex;
import org.sdti.model.config.SchedulerConfig;
import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.text.TokenizerFiles;

/**
 * A model's architecture: the diffusers config files and the tokenizer, from a diffusers folder or a bundled preset.
 * The configs are what a single-file checkpoint lacks.
 */
public interface ModelConfigs {
    String UNET = "unet";
    String VAE = "vae";
    String TEXT_ENCODER = "text_encoder";
    String TOKENIZER = "tokenizer";
    String SCHEDULER = "scheduler";

    /** Names the source in messages and identities: a qualified URI, or {@code preset:NAME}. */
    String location();

    /** A config file's text by its diffusers path (e.g. {@code unet/config.json}), or null when there is none. */
    String readTextIfExists(String relative) throws IOException;

    /** A config file by its diffusers path; a missing file is an error naming it. */
    JsonConfig json(String relative) throws IOException;

    TokenizerFiles tokenizerFiles() throws IOException;

    default ModelIndex modelIndex() throws IOException {
        return ModelIndex.from(json("model_index.json"));
    }

    default TextEncoderConfig textEncoderConfig() throws IOException {
        return TextEncoderConfig.from(json(TEXT_ENCODER + "/config.json"));
    }

    default UNetConfig unetConfig() throws IOException {
        return UNetConfig.from(json(UNET + "/config.json"));
    }

    default VaeConfig vaeConfig() throws IOException {
        return VaeConfig.from(json(VAE + "/config.json"));
    }

    default SchedulerConfig schedulerConfig() throws IOException {
        return SchedulerConfig.from(json(SCHEDULER + "/scheduler_config.json"));
    }
}
