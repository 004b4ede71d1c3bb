package org.sdti.dataprep.world;

import org.sdti.dataprep.RgbImage;

/**
 * One image of the world with its ground truth: labels, exact placement, and the caption drawn for it (template
 * {@code template} of {@link WorldCaptions}).
 */
public record WorldSample(long seed, long index, RgbImage image, WorldLabels labels, Placement placement,
                          int template) {
    public String caption() {
        return WorldCaptions.caption(template, labels);
    }

    public String caption(WorldCaptions.Slot slot) {
        return WorldCaptions.caption(template, labels, slot);
    }
}
