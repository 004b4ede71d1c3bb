package org.sdti.model.source;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.Function;
import org.sdti.model.io.TensorInfo;
import org.sdti.model.io.WeightFile;

/**
 * One component of a single-file checkpoint under its diffusers names: each name is looked up where
 * {@link LdmNames} places it, fused q/k/v projections are split into their thirds and the VAE's 1x1-convolution
 * attention is read as Linear. Errors name the key as stored in the file.
 */
final class LdmWeights implements WeightFile {
    private final WeightFile file;
    private final String component;
    private final Function<String, LdmNames.Place> places;

    LdmWeights(WeightFile file, String component, Function<String, LdmNames.Place> places) {
        this.file = file;
        this.component = component;
        this.places = places;
    }

    @Override
    public String source() {
        return file.source() + " (" + component + ")";
    }

    @Override
    public boolean contains(String name) {
        return file.contains(places.apply(name).key());
    }

    @Override
    public String storedName(String name) {
        return places.apply(name).key();
    }

    @Override
    public TensorInfo info(String name) throws IOException {
        LdmNames.Place p = places.apply(name);
        TensorInfo t = file.info(p.key());
        long[] shape = t.shape();
        if (p.third() >= 0 && shape.length > 0 && shape[0] % 3 == 0) {
            shape[0] /= 3;
        } else if (LdmNames.isConvAttention(p.key())) {
            shape = squeezeTrailingOnes(shape, p.key().endsWith(".bias") ? 1 : 2);
        }
        return new TensorInfo(p.key(), t.dtype(), shape, t.begin(), t.end());
    }

    private static long[] squeezeTrailingOnes(long[] shape, int rank) {
        int n = shape.length;
        while (n > rank && shape[n - 1] == 1) {
            n--;
        }
        return Arrays.copyOf(shape, n);
    }

    @Override
    public float[] floats(String name) throws IOException {
        LdmNames.Place p = places.apply(name);
        float[] all = file.floats(p.key());
        if (p.third() < 0) {
            return all;
        }
        int n = all.length / 3;
        return Arrays.copyOfRange(all, p.third() * n, (p.third() + 1) * n);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
