package org.sdti.jobs.config;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.sdti.dataprep.CropMode;
import org.sdti.dataprep.PrepareOptions;
import org.sdti.dataprep.ResampleFilter;

/**
 * {@code sdti.prepare}: how images become examples. Resolution and minimum side may be left to the model
 * ({@link #options(int)}); data-prep's {@link PrepareOptions} is built from this on each executor (it is not
 * serialisable itself).
 *
 * @param resolution null: the model's own
 * @param minSide    null: resolution / 2
 */
public record PrepareSettings(Integer resolution, CropMode crop, ResampleFilter filter, boolean flips,
                              Integer minSide, long maxPixels, long seed) implements Serializable {

    private static final Map<String, CropMode> CROPS = new TreeMap<>(Map.of(
            "center-crop", CropMode.CENTER_CROP, "squash", CropMode.SQUASH,
            "short-side-center", CropMode.SHORT_SIDE_CENTER, "short-side-random", CropMode.SHORT_SIDE_RANDOM));
    private static final Map<String, ResampleFilter> FILTERS = new TreeMap<>(Map.of(
            "bicubic", ResampleFilter.BICUBIC, "bilinear", ResampleFilter.BILINEAR,
            "lanczos", ResampleFilter.LANCZOS));

    /** The data-prep options, with the model's resolution standing in for an unset one. */
    public PrepareOptions options(int modelResolution) {
        int res = resolution != null ? resolution : modelResolution;
        int min = minSide != null ? minSide : Math.max(1, res / 2);
        return new PrepareOptions(res, crop, filter, flips, min, maxPixels, seed);
    }

    static PrepareSettings read(Keys k) {
        Integer resolution = null;
        if (!k.isNull("resolution")) {
            resolution = k.intAtLeast("resolution", 8);
            if (resolution > 4096) {
                throw k.error("resolution", "must be <= 4096, got " + resolution);
            }
        }
        long maxPixels = k.longValue("max-pixels");
        if (maxPixels < 1) {
            throw k.error("max-pixels", "must be >= 1, got " + maxPixels);
        }
        return new PrepareSettings(resolution, k.choice("crop", CROPS), k.choice("filter", FILTERS),
                k.bool("flips"), k.optIntAtLeast("min-side", 1), maxPixels, k.longValue("seed"));
    }
}
