package org.sdti.model.source;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.model.config.ConfigException;
import org.sdti.model.io.ModelConfigs;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.ModelPresets;
import org.sdti.model.io.ModelSource;

/**
 * Opens what {@code sdti.model} names: a diffusers folder, or a single-file checkpoint whose architecture
 * {@code sdti.model-config} gives (a preset name or a diffusers folder with the config files).
 */
public final class ModelSources {
    /** How {@link ModelPresets#location()} spells a preset; accepted back, so a source's own modelConfig reopens it. */
    private static final String PRESET = "preset:";

    private ModelSources() {}

    /**
     * @param model       folder or single file (path, {@code file:}, {@code hdfs:}, {@code s3a:})
     * @param modelConfig null for a folder; for a single file a preset ({@code sd21-base}, {@code sd21}, ...) or a
     *                    diffusers folder holding the configs
     */
    public static ModelSource open(String model, String modelConfig, Configuration conf) throws IOException {
        Path p = new Path(model);
        FileSystem fs = p.getFileSystem(conf);
        Path qualified = fs.makeQualified(p);
        FileStatus st;
        try {
            st = fs.getFileStatus(qualified);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException("model folder or file " + model + " does not exist");
        }
        if (st.isDirectory()) {
            if (modelConfig != null) {
                throw new ConfigException("sdti.model-config (--model-config) is for single-file checkpoints; the "
                        + "model " + model + " is a folder, whose own configs give the architecture");
            }
            return ModelFolder.open(model, conf);
        }
        if (!SingleFileModel.isSingleFileName(qualified.getName())) {
            throw new ConfigException("model " + model + " is a file but not a checkpoint sdti reads: expected a "
                    + "diffusers folder, or a single file named *.safetensors, *.ckpt or *.pt");
        }
        if (modelConfig == null) {
            throw new ConfigException("model " + model + " is a single-file checkpoint: name its architecture with "
                    + "--model-config (sdti.model-config): a preset (" + String.join(", ", ModelPresets.NAMES)
                    + ") or a diffusers folder with its configs; the weights cannot tell a 512 epsilon model "
                    + "from a 768 v-prediction one");
        }
        return new SingleFileModel(fs, qualified, configs(modelConfig, conf));
    }

    private static ModelConfigs configs(String modelConfig, Configuration conf) throws IOException {
        String preset = modelConfig.startsWith(PRESET) ? modelConfig.substring(PRESET.length()) : modelConfig;
        if (ModelPresets.isPreset(preset)) {
            return ModelPresets.of(preset);
        }
        try {
            return ModelFolder.open(modelConfig, conf);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException("model config " + modelConfig + " is neither a preset ("
                    + String.join(", ", ModelPresets.NAMES) + ") nor an existing diffusers folder");
        }
    }
}
