package org.sdti.jobs.cli;

import com.typesafe.config.Config;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.model.io.ModelSource;
import org.sdti.model.source.ModelSources;
import picocli.CommandLine.Option;

/**
 * {@code --model}, a picocli mixin for every command that reads a model folder: one declaration, so the flag reads
 * and behaves the same in all of them. It sets {@code sdti.model}; the folder is opened from the merged
 * configuration, so a job file or a system property may name it instead.
 */
final class ModelOption {
    @Option(names = "--model", paramLabel = "DIR|FILE",
            description = "Model folder in the diffusers layout, or a single-file SD 2.x checkpoint (.safetensors, "
                    + ".ckpt; path, file:, hdfs: or s3a:); default: sdti.model.")
    String model;

    @Option(names = "--model-config", paramLabel = "DIR|PRESET",
            description = "A single file's architecture: a preset (sd21-base: 512 px, epsilon; sd21: 768 px, "
                    + "v-prediction; tiny; midsize) or a diffusers folder with its configs. The weights cannot tell "
                    + "the prediction type, so it comes from here. Default: sdti.model-config.")
    String modelConfig;

    /** The flag keyed by its config path (a null value: not given). */
    Map<String, Object> flags() {
        Map<String, Object> flags = new HashMap<>();
        flags.put("sdti.model", model);
        flags.put("sdti.model-config", modelConfig);
        return flags;
    }

    /**
     * The model folder of a merged configuration, opened with its {@code sdti.hadoop} settings: fails naming
     * {@code --model} when none is set, and naming the folder when it is not one. Reads no weights.
     */
    static ModelSource open(Config merged) throws IOException {
        String modelConfig = merged.hasPath("sdti.model-config") ? merged.getString("sdti.model-config") : null;
        return ModelSources.open(SdtiConfig.requireString(merged, "sdti.model", "--model"), modelConfig,
                SdtiConfig.hadoop(merged));
    }
}
