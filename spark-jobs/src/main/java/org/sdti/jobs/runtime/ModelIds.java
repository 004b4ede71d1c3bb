package org.sdti.jobs.runtime;

import java.io.IOException;
import org.apache.hadoop.fs.FileStatus;
import org.sdti.model.io.ModelFolder;

/**
 * Names a model part by what it was computed from, so stored results (latents) can say which weights made them:
 * the folder's qualified URI, the component's config text and its weight file's path, size and modification time.
 * Any change to those (new weights copied over, another folder) gives another id; hashing the weights themselves
 * would cost a full read of gigabytes per run.
 */
public final class ModelIds {
    private static final String[] WEIGHT_FILES = {"diffusion_pytorch_model.safetensors", "model.safetensors"};

    private ModelIds() {}

    /** e.g. {@code vae-3f2a9c0e51d7b6a4}. */
    public static String of(ModelFolder folder, String component) throws IOException {
        Fingerprint f = new Fingerprint("sdti-model-id-v1").add(folder.location()).add(component)
                .add(folder.readTextIfExists(component + "/config.json"));
        FileStatus weights = null;
        for (String name : WEIGHT_FILES) {
            if (folder.exists(component + "/" + name)) {
                weights = folder.fileSystem().getFileStatus(folder.resolve(component + "/" + name));
                break;
            }
        }
        if (weights == null) {
            throw new java.io.FileNotFoundException("no weights for '" + component + "' in model folder "
                    + folder.location());
        }
        f.add(weights.getPath()).add(weights.getLen()).add(weights.getModificationTime());
        return component.replace('_', '-') + "-" + f.hex(16);
    }

    /** A component folder without weights (the tokenizer): every file's name, size and modification time. */
    public static String files(ModelFolder folder, String component) throws IOException {
        Fingerprint f = new Fingerprint("sdti-model-files-v1").add(folder.location()).add(component);
        FileStatus[] all = folder.fileSystem().listStatus(folder.resolve(component));
        java.util.Arrays.sort(all, java.util.Comparator.comparing(s -> s.getPath().getName()));
        for (FileStatus s : all) {
            f.add(s.getPath().getName()).add(s.getLen()).add(s.getModificationTime());
        }
        return component.replace('_', '-') + "-" + f.hex(16);
    }
}
