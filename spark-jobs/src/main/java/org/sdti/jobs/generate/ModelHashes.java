package org.sdti.jobs.generate;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.sdti.model.io.ModelSource;

/**
 * SHA-256 of a model's weight files, per component, for the PNG metadata. AUTOMATIC1111's "Model hash" hashes one
 * checkpoint file; a diffusers folder has three, and the U-Net's is the one that tells fine-tunes apart, so it
 * stands for the model there. A single file is hashed once and stands for every component, as in AUTOMATIC1111.
 * Reading every byte costs about 1 s per GB, once per run.
 */
public final class ModelHashes {
    private static final List<String> COMPONENTS = List.of(ModelSource.UNET, ModelSource.TEXT_ENCODER,
            ModelSource.VAE);

    private ModelHashes() {}

    public static Map<String, String> of(ModelSource model) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Map<Path, String> hashed = new HashMap<>();
        for (String component : COMPONENTS) {
            Path file = model.weightFile(component).getPath();
            String sha = hashed.get(file);
            if (sha == null) {
                sha = FileHashes.sha256(model.fileSystem(), file);
                hashed.put(file, sha);
            }
            out.put(component, sha);
        }
        return out;
    }
}
