package org.sdti.jobs.runtime;

import java.io.IOException;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.sdti.model.io.ModelSource;
import org.sdti.model.source.ModelSources;

/**
 * What executors need to reopen the driver's model: {@code sdti.model} qualified, and for a single-file checkpoint
 * where its architecture comes from ({@code sdti.model-config}: a preset or a config folder). Its text is the
 * {@link ModelCache} key, so one file read with two architectures is two models.
 */
public record ModelRef(String model, String modelConfig) implements Serializable {
    public static ModelRef of(ModelSource source) {
        return new ModelRef(source.location(), source.modelConfig());
    }

    public ModelSource open(Configuration conf) throws IOException {
        return ModelSources.open(model, modelConfig, conf);
    }

    @Override
    public String toString() {
        return modelConfig == null ? model : model + " (architecture " + modelConfig + ")";
    }
}
