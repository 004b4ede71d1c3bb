package org.sdti.model.models;

import java.io.IOException;
import org.sdti.model.io.ModelSource;

/**
 * A model's component weights checked against the layout its config implies: the one load recipe every caller
 * (pipelines, the model cache, benchmarks) shares, whatever the source (folder or single file).
 */
public final class ComponentWeights {
    private ComponentWeights() {}

    public static CheckedWeights unet(ModelSource model) throws IOException {
        return CheckedWeights.check(model.openWeights(ModelSource.UNET), Layouts.unet(model.unetConfig()));
    }

    public static CheckedWeights vae(ModelSource model) throws IOException {
        return CheckedWeights.check(model.openWeights(ModelSource.VAE), Layouts.vae(model.vaeConfig()));
    }

    public static CheckedWeights textEncoder(ModelSource model) throws IOException {
        return CheckedWeights.check(model.openWeights(ModelSource.TEXT_ENCODER),
                Layouts.textEncoder(model.textEncoderConfig()));
    }
}
