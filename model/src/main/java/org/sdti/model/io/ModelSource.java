package org.sdti.model.io;

import java.io.IOException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * A whole model: its architecture and each component's weights, from a diffusers folder ({@link ModelFolder}) or a
 * single-file checkpoint ({@link SingleFileModel}). {@link ModelSources#open} picks the kind.
 */
public interface ModelSource extends ModelConfigs {
    /**
     * A component's weights ({@link #UNET}, {@link #VAE}, {@link #TEXT_ENCODER}) under diffusers names, read
     * lazily; the caller closes them.
     */
    WeightFile openWeights(String component) throws IOException;

    /** The file holding a component's weights (the same file for every component of a single file). */
    FileStatus weightFile(String component) throws IOException;

    FileSystem fileSystem();

    /** The {@code sdti.model-config} that reopens this source with {@link #location()}; null for a folder. */
    default String modelConfig() {
        return null;
    }
}
