package org.sdti.dataprep.world;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.sdti.dataprep.RgbImage;

/** 8-bit RGB PNG bytes through the JDK's ImageIO writer (deterministic: the same pixels give the same bytes). */
public final class Png {
    private Png() {
    }

    public static byte[] encode(RgbImage image) {
        int w = image.width();
        int h = image.height();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(x, y, image.sample(x, y, 0) << 16 | image.sample(x, y, 1) << 8 | image.sample(x, y, 2));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(out, "png", bytes)) {
                throw new IllegalStateException("no ImageIO PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing a PNG in memory", e);
        }
        return bytes.toByteArray();
    }
}
