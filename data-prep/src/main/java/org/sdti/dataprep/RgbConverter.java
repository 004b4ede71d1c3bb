package org.sdti.dataprep;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.util.Arrays;

/**
 * Any decoded {@link BufferedImage} to 8-bit RGB, transparency composited over white.
 *
 * <p>Samples are read raw from the raster wherever the colour model is RGB, grey or a palette, because Java2D's
 * own conversion ({@code getRGB}, drawing) treats 8-bit grey as linear and brightens it; Pillow, like most tools,
 * takes grey values as they are. 16-bit samples keep their high byte (what Pillow's {@code RGB;16B}/{@code RGBA;16B}
 * unpackers and libpng's strip-16 do). Other colour spaces (CMYK left unconverted by a reader, exotic ICC) go through
 * Java2D's colour management.
 */
final class RgbConverter {
    private RgbConverter() {
    }

    /**
     * Blends a straight-alpha channel value over white: {@code round((c·a + 255·(255 − a)) / 255)}. This is what
     * Pillow's {@code Image.alpha_composite(white, im)} and {@code white.paste(im, mask=alpha)} give for every
     * (c, a): the quotient is never a tie (255 is odd), so adding 127 and dividing rounds to nearest.
     */
    static int overWhite(int c, int a) {
        return (c * a + 255 * (255 - a) + 127) / 255;
    }

    /** The whole image. */
    static RgbImage toRgb(BufferedImage bi) {
        return toRgb(bi, bi.getWidth(), bi.getHeight(), 0, 0);
    }

    /**
     * The image placed at ({@code left}, {@code top}) on a {@code width x height} canvas that is transparent (so
     * white) elsewhere: a GIF frame smaller than its logical screen.
     */
    static RgbImage toRgb(BufferedImage bi, int width, int height, int left, int top) {
        RgbImage.checkSize(width, height);
        if (bi.getColorModel().isAlphaPremultiplied()) {
            bi.coerceData(false);
        }
        byte[] out = new byte[width * height * 3];
        Arrays.fill(out, (byte) 255);
        int x0 = Math.max(left, 0);
        int x1 = Math.min(left + bi.getWidth(), width);
        int y0 = Math.max(top, 0);
        int y1 = Math.min(top + bi.getHeight(), height);
        if (x0 >= x1) {
            return RgbImage.wrap(width, height, out);
        }
        RowReader rows = rowReader(bi);
        int[] argb = new int[x1 - x0];
        for (int y = y0; y < y1; y++) {
            rows.read(x0 - left, y - top, argb);
            int o = (y * width + x0) * 3;
            for (int v : argb) {
                int a = v >>> 24;
                int r = (v >> 16) & 0xFF;
                int g = (v >> 8) & 0xFF;
                int b = v & 0xFF;
                if (a != 255) {
                    r = overWhite(r, a);
                    g = overWhite(g, a);
                    b = overWhite(b, a);
                }
                out[o++] = (byte) r;
                out[o++] = (byte) g;
                out[o++] = (byte) b;
            }
        }
        return RgbImage.wrap(width, height, out);
    }

    /** Fills {@code argb} with the straight-alpha pixels of one row, starting at column {@code x}. */
    private interface RowReader {
        void read(int x, int y, int[] argb);
    }

    private static RowReader rowReader(BufferedImage bi) {
        ColorModel cm = bi.getColorModel();
        Raster raster = bi.getRaster();
        if (cm instanceof IndexColorModel icm && raster.getNumBands() == 1) {
            int[] lut = new int[1 << Math.max(icm.getPixelSize(), 1)];
            int n = Math.min(icm.getMapSize(), lut.length);
            for (int i = 0; i < n; i++) {
                lut[i] = icm.getRGB(i);   // palette entries as stored, with their alpha
            }
            return (x, y, argb) -> {
                int[] idx = raster.getSamples(x, y, argb.length, 1, 0, (int[]) null);
                for (int i = 0; i < argb.length; i++) {
                    argb[i] = idx[i] < lut.length ? lut[idx[i]] : 0xFF000000;
                }
            };
        }
        int type = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        boolean integral = switch (raster.getDataBuffer().getDataType()) {
            case DataBuffer.TYPE_BYTE, DataBuffer.TYPE_USHORT, DataBuffer.TYPE_INT -> true;
            default -> false;
        };
        boolean raw = integral && !(cm instanceof IndexColorModel)
                && ((type == ColorSpace.TYPE_RGB && colours == 3) || (type == ColorSpace.TYPE_GRAY && colours == 1))
                && raster.getNumBands() == colours + (cm.hasAlpha() ? 1 : 0);
        if (!raw) {
            return (x, y, argb) -> bi.getRGB(x, y, argb.length, 1, argb, 0, argb.length);
        }
        int bands = raster.getNumBands();
        int[] bits = raster.getSampleModel().getSampleSize();
        boolean grey = colours == 1;
        boolean alpha = cm.hasAlpha();
        return (x, y, argb) -> {
            int[] s = raster.getPixels(x, y, argb.length, 1, (int[]) null);
            for (int i = 0, p = 0; i < argb.length; i++, p += bands) {
                int r = to8(s[p], bits[0]);
                int g = grey ? r : to8(s[p + 1], bits[1]);
                int b = grey ? r : to8(s[p + 2], bits[2]);
                int a = alpha ? to8(s[p + colours], bits[colours]) : 255;
                argb[i] = a << 24 | r << 16 | g << 8 | b;
            }
        };
    }

    /** A sample of {@code bits} bits as 8 bits: deeper samples keep their top byte, shallower are scaled up. */
    static int to8(int v, int bits) {
        if (bits == 8) {
            return v & 0xFF;
        }
        if (bits > 8) {
            return (int) ((v & 0xFFFFFFFFL) >>> (bits - 8)) & 0xFF;
        }
        int max = (1 << bits) - 1;
        return (v * 255 + max / 2) / max;
    }
}
