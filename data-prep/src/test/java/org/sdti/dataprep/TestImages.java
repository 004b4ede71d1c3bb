package org.sdti.dataprep;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Test data: committed files under {@code org/sdti/dataprep/} (made by {@code data-prep/tools/make_test_images.py}). */
final class TestImages {
    private TestImages() {
    }

    static byte[] bytes(String path) {
        try (InputStream in = TestImages.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An 8-bit RGB PNG as Pillow wrote it, read straight from the raster (no colour management in between). */
    static RgbImage png(String path) {
        try (InputStream in = TestImages.class.getResourceAsStream(path)) {
            BufferedImage bi = ImageIO.read(in);
            Raster r = bi.getRaster();
            if (r.getNumBands() != 3 || r.getSampleModel().getSampleSize(0) != 8) {
                throw new IllegalStateException(path + " is not 8-bit RGB");
            }
            byte[] rgb = new byte[bi.getWidth() * bi.getHeight() * 3];
            int[] px = new int[3];
            for (int y = 0, i = 0; y < bi.getHeight(); y++) {
                for (int x = 0; x < bi.getWidth(); x++) {
                    r.getPixel(x, y, px);
                    rgb[i++] = (byte) px[0];
                    rgb[i++] = (byte) px[1];
                    rgb[i++] = (byte) px[2];
                }
            }
            return RgbImage.of(bi.getWidth(), bi.getHeight(), rgb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The largest per-channel difference; the sizes must agree. */
    static int maxAbsDiff(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new AssertionError("size " + a + " vs " + b);
        }
        byte[] pa = a.rgb();
        byte[] pb = b.rgb();
        int max = 0;
        for (int i = 0; i < pa.length; i++) {
            max = Math.max(max, Math.abs((pa[i] & 0xFF) - (pb[i] & 0xFF)));
        }
        return max;
    }

    /** A solid picture, for geometry tests. */
    static RgbImage solid(int w, int h, int r, int g, int b) {
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            rgb[i * 3] = (byte) r;
            rgb[i * 3 + 1] = (byte) g;
            rgb[i * 3 + 2] = (byte) b;
        }
        return RgbImage.of(w, h, rgb);
    }

    /** Pixel value = a distinct code per (x, y, c), so any misplaced pixel shows. */
    static RgbImage coded(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) x;
                rgb[i + 1] = (byte) y;
                rgb[i + 2] = (byte) (x * 7 + y * 13);
            }
        }
        return RgbImage.of(w, h, rgb);
    }
}
