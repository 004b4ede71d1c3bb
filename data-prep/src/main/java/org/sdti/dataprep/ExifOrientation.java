package org.sdti.dataprep;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The EXIF orientation tag (1..8) and the transform that makes the picture upright, as Pillow's
 * {@code ImageOps.exif_transpose}. The tag is read from JPEG (APP1 "Exif"), PNG ({@code eXIf} chunk) and WebP
 * ({@code EXIF} chunk); the TIFF structure inside is parsed by TwelveMonkeys. Missing, unreadable or out-of-range
 * tags mean 1 (as stored): a broken EXIF block does not make a picture unusable.
 */
public final class ExifOrientation {
    private ExifOrientation() {
    }

    /** The orientation stored in the file, 1 when there is none. */
    public static int read(byte[] file, ImageFormat format) {
        try {
            byte[] tiff = switch (format) {
                case JPEG -> jpegExif(file);
                case PNG -> pngChunk(file, "eXIf");
                case WEBP -> webpChunk(file, "EXIF");
                default -> null;
            };
            return tiff == null ? 1 : orientation(tiff);
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    /**
     * The upright picture for a stored orientation: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90°
     * clockwise, 7 transverse, 8 rotate 90° anticlockwise; 1 and anything else unchanged.
     */
    public static RgbImage apply(RgbImage in, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return in;
        }
        int w = in.width();
        int h = in.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] src = in.pixels();
        byte[] out = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                // (sx, sy): the stored pixel that lands on output (x, y)
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }   // 8
                }
                System.arraycopy(src, (sy * w + sx) * 3, out, (y * ow + x) * 3, 3);
            }
        }
        return RgbImage.wrap(ow, oh, out);
    }

    private static int orientation(byte[] tiff) throws IOException {
        int start = 0;
        // Some writers keep the JPEG-style "Exif\0\0" prefix inside PNG/WebP chunks
        if (tiff.length >= 6 && new String(tiff, 0, 4, StandardCharsets.ISO_8859_1).equals("Exif")) {
            start = 6;
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(
                new ByteArrayInputStream(tiff, start, tiff.length - start))) {
            Directory dir = new TIFFReader().read(in);
            Entry e = dir.getEntryById(TIFF.TAG_ORIENTATION);
            if (e != null && e.getValue() instanceof Number n && n.intValue() >= 1 && n.intValue() <= 8) {
                return n.intValue();
            }
            return 1;
        }
    }

    private static byte[] jpegExif(byte[] file) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
            List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
            if (segments.isEmpty()) {
                return null;
            }
            try (InputStream data = segments.get(0).data()) {
                byte[] b = data.readAllBytes();
                // data() starts after "Exif\0"; the TIFF header follows one more pad byte
                int skip = b.length > 0 && b[0] == 0 ? 1 : 0;
                return Arrays.copyOfRange(b, skip, b.length);
            }
        }
    }

    /** A PNG chunk's data: 8-byte signature, then length, type, data, CRC per chunk. */
    private static byte[] pngChunk(byte[] file, String type) {
        int p = 8;
        while (p + 8 <= file.length) {
            long len = readInt(file, p, false) & 0xFFFFFFFFL;
            String t = new String(file, p + 4, 4, StandardCharsets.ISO_8859_1);
            if (p + 12 + len > file.length) {
                return null;
            }
            if (t.equals(type)) {
                return Arrays.copyOfRange(file, p + 8, p + 8 + (int) len);
            }
            if (t.equals("IEND")) {
                return null;
            }
            p += 12 + (int) len;
        }
        return null;
    }

    /** A RIFF chunk of a WebP file: "RIFF" size "WEBP", then FourCC, little-endian size, data padded to even. */
    private static byte[] webpChunk(byte[] file, String fourCc) {
        int p = 12;
        while (p + 8 <= file.length) {
            long len = readInt(file, p + 4, true) & 0xFFFFFFFFL;
            if (p + 8 + len > file.length) {
                return null;
            }
            if (new String(file, p, 4, StandardCharsets.ISO_8859_1).equals(fourCc)) {
                return Arrays.copyOfRange(file, p + 8, p + 8 + (int) len);
            }
            p += 8 + (int) len + (int) (len & 1);
        }
        return null;
    }

    private static int readInt(byte[] b, int p, boolean littleEndian) {
        int b0 = b[p] & 0xFF;
        int b1 = b[p + 1] & 0xFF;
        int b2 = b[p + 2] & 0xFF;
        int b3 = b[p + 3] & 0xFF;
        return littleEndian ? b0 | b1 << 8 | b2 << 16 | b3 << 24 : b0 << 24 | b1 << 16 | b2 << 8 | b3;
    }
}
