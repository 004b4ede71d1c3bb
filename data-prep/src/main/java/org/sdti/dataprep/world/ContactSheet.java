package org.sdti.dataprep.world;

import java.util.List;
import org.sdti.dataprep.RgbImage;

/**
 * A grid of equally sized images, each enlarged by whole pixels (nearest neighbour, so a 32-px image is looked at
 * as it is, not smoothed), with a 2-pixel grey gutter: for a person to check what the world draws.
 */
public final class ContactSheet {
    private static final int GUTTER = 2;
    private static final byte GREY = (byte) 128;

    private ContactSheet() {
    }

    public static RgbImage of(List<RgbImage> images, int columns, int zoom) {
        if (images.isEmpty() || columns < 1 || zoom < 1) {
            throw new IllegalArgumentException("a contact sheet needs images, columns >= 1 and zoom >= 1");
        }
        int w = images.get(0).width();
        int h = images.get(0).height();
        int rows = (images.size() + columns - 1) / columns;
        int cellW = w * zoom + GUTTER;
        int cellH = h * zoom + GUTTER;
        int width = columns * cellW + GUTTER;
        int height = rows * cellH + GUTTER;
        byte[] out = new byte[width * height * 3];
        java.util.Arrays.fill(out, GREY);
        for (int i = 0; i < images.size(); i++) {
            RgbImage image = images.get(i);
            if (image.width() != w || image.height() != h) {
                throw new IllegalArgumentException("image " + i + " is " + image.width() + "x" + image.height()
                        + ", not " + w + "x" + h);
            }
            int left = GUTTER + (i % columns) * cellW;
            int top = GUTTER + (i / columns) * cellH;
            for (int y = 0; y < h * zoom; y++) {
                for (int x = 0; x < w * zoom; x++) {
                    int o = ((top + y) * width + left + x) * 3;
                    for (int c = 0; c < 3; c++) {
                        out[o + c] = (byte) image.sample(x / zoom, y / zoom, c);
                    }
                }
            }
        }
        return RgbImage.of(width, height, out);
    }
}
