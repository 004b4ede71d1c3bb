package org.sdti.jobs.runtime;

import java.io.IOException;
import org.apache.hadoop.fs.FileStatus;
import org.sdti.model.io.ModelSource;
import org.sdti.model.text.TokenizerFiles;

/**
 * Names a model part by what it was computed from, so stored results (latents) can say which weights made them:
 * the model's qualified URI, the component's config text and its weight file's path, size and modification time
 * (a single file's architecture source too). Any change to those (new weights copied over, another folder, the
 * float16 variant in place of float32) gives another id; hashing the weights themselves would cost a full read of
 * gigabytes per run.
 */
public final class ModelIds {
    private ModelIds() {}

    /** e.g. {@code vae-3f2a9c0e51d7b6a4}. */
    public static String of(ModelSource model, String component) throws IOException {
        Fingerprint f = new Fingerprint("sdti-model-id-v1").add(model.location()).add(component)
                .add(model.readTextIfExists(component + "/config.json"));
        FileStatus weights = model.weightFile(component);
        f.add(weights.getPath()).add(weights.getLen()).add(weights.getModificationTime());
        if (model.modelConfig() != null) {
            f.add(model.modelConfig());
        }
        return component.replace('_', '-') + "-" + f.hex(16);
    }

    /**
     * The tokenizer, by content (its five files, ~1.5 MB, read once per job on the driver): a model folder and its
     * single-file copy, whose tokenizer comes from a preset or a config folder, then prepare the same examples with the
     * same fingerprint, so their embeddings are the same bytes.
     */
    public static String tokenizer(ModelSource model) throws IOException {
        String component = ModelSource.TOKENIZER;
        TokenizerFiles t = model.tokenizerFiles();
        return component + "-" + new Fingerprint("sdti-tokenizer-content-v1").add(t.vocabJson()).add(t.mergesTxt())
                .add(t.tokenizerConfigJson()).add(t.specialTokensMapJson()).add(t.addedTokensJson()).hex(16);
    }
}
