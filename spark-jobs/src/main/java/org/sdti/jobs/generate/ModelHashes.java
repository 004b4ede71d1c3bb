package org.sdti.jobs.generate;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdti.model.io.ModelFolder;

/**
 * SHA-256 of a model folder's weight files, per component, for the PNG metadata. AUTOMATIC1111's "Model hash"
 * hashes one checkpoint file; a diffusers folder has three, and the U-Net's is the one that tells fine-tunes apart,
 * so it stands for the model there. Reading every byte costs about 1 s per GB, once per run.
 */
public final class ModelHashes {
    private static final List<String> COMPONENTS = List.of(ModelFolder.UNET, ModelFolder.TEXT_ENCODER,
            ModelFolder.VAE);
    /** The weight file names ModelFolder reads, in its order of preference. */
    private static final List<String> FILES = List.of("diffusion_pytorch_model.safetensors", "model.safetensors");

    private ModelHashes() {}

    public static Map<String, String> of(ModelFolder folder) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String component : COMPONENTS) {
            for (String name : FILES) {
                String rel = component + "/" + name;
                if (folder.exists(rel)) {
                    out.put(component, FileHashes.sha256(folder.fileSystem(), folder.resolve(rel)));
                    break;
                }
            }
        }
        return out;
    }
}
