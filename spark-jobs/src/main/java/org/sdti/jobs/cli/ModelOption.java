package org.sdti.jobs.cli;

import com.typesafe.config.Config;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.model.io.ModelFolder;
import picocli.CommandLine.Option;

/**
 * {@code --model}, a picocli mixin for every command that reads a model folder: one declaration, so the flag reads
 * and behaves the same in all of them. It sets {@code sdti.model}; the folder is opened from the merged
 * configuration, so a job file or a system property may name it instead.
 */
final class ModelOption {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Model folder in the diffusers layout (path, file:, hdfs: or s3a:); default: sdti.model.")
    String model;

    /** The flag keyed by its config path (a null value: not given). */
    Map<String, Object> flags() {
        Map<String, Object> flags = new HashMap<>();
        flags.put("sdti.model", model);
        return flags;
    }

    /**
     * The model folder of a merged configuration, opened with its {@code sdti.hadoop} settings: fails naming
     * {@code --model} when none is set, and naming the folder when it is not one. Reads no weights.
     */
    static ModelFolder open(Config merged) throws IOException {
        return ModelFolder.open(SdtiConfig.requireString(merged, "sdti.model", "--model"), SdtiConfig.hadoop(merged));
    }
}
