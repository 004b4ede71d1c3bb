package org.sdti.dataprep;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.w3c.dom.Node;

/**
 * File bytes to an upright 8-bit RGB picture: the format is recognised from its signature, the first frame decoded
 * (GIF: placed on its logical screen), transparency composited over white, the EXIF orientation applied.
 * Stateless and thread-safe: each call uses its own reader.
 */
public final class ImageDecoder {
    /** libjpeg's warnings for data that ends early or does not decode (JWRN_JPEG_EOF, JWRN_HIT_MARKER, ...). */
    private static final Pattern DAMAGE_WARNING = Pattern.compile("premature end|corrupt|truncat|bogus|invalid",
            Pattern.CASE_INSENSITIVE);

    private final long maxPixels;

    /** {@code maxPixels}: larger pictures are refused before their pixels are decoded. */
    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** What a file decoded to. {@code orientation} is the EXIF value that was applied (1 = none). */
    public record Decoded(ImageFormat format, RgbImage image, int orientation) {
    }

    public Decoded decode(byte[] file) throws UnusableImageException {
        if (file.length == 0) {
            throw new UnusableImageException(Rejection.Reason.EMPTY, "empty file (0 bytes)");
        }
        ImageFormat format = ImageFormat.sniff(file).orElseThrow(() -> new UnusableImageException(
                Rejection.Reason.NOT_AN_IMAGE, "not an image (no PNG, JPEG, GIF, BMP or WebP signature)"));
        RgbImage image;
        try {
            image = read(file, format);
        } catch (IOException | RuntimeException e) {
            // decoders signal corrupt data with all kinds of runtime exceptions, not only IIOException
            throw new UnusableImageException(Rejection.Reason.UNREADABLE,
                    "unreadable " + format + " (" + describe(e) + ")", e);
        }
        int orientation = ExifOrientation.read(file, format);
        return new Decoded(format, ExifOrientation.apply(image, orientation), orientation);
    }

    private RgbImage read(byte[] file, ImageFormat format) throws IOException, UnusableImageException {
        ImageReader reader = Codecs.reader(format);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
            // GIF frame placement lives in the metadata; elsewhere skipping metadata saves work
            reader.setInput(in, true, format != ImageFormat.GIF);
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if ((long) w * h > maxPixels) {
                throw new UnusableImageException(Rejection.Reason.TOO_LARGE,
                        w + "x" + h + " has more than the allowed " + maxPixels + " pixels");
            }
            // a truncated or corrupt JPEG decodes with a libjpeg warning and grey where the data ended; Pillow
            // refuses it, so do we (other warnings, such as a CMYK file's colour conversion, are not damage)
            List<String> damage = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                if (DAMAGE_WARNING.matcher(warning).find()) {
                    damage.add(warning);
                }
            });
            BufferedImage bi = reader.read(0);
            if (!damage.isEmpty()) {
                throw new IOException("damaged: " + String.join("; ", damage));
            }
            return format == ImageFormat.GIF ? gifFrameOnScreen(reader, bi) : RgbConverter.toRgb(bi);
        } finally {
            reader.dispose();
        }
    }

    /** The first GIF frame on its logical screen, as Pillow shows it (the rest transparent, so white). */
    private RgbImage gifFrameOnScreen(ImageReader reader, BufferedImage frame) throws IOException {
        IIOMetadataNode screen = node(reader.getStreamMetadata(), "javax_imageio_gif_stream_1.0",
                "LogicalScreenDescriptor");
        IIOMetadataNode descriptor = node(reader.getImageMetadata(0), "javax_imageio_gif_image_1.0",
                "ImageDescriptor");
        int left = intAttr(descriptor, "imageLeftPosition", 0);
        int top = intAttr(descriptor, "imageTopPosition", 0);
        int sw = intAttr(screen, "logicalScreenWidth", 0);
        int sh = intAttr(screen, "logicalScreenHeight", 0);
        // A screen that does not hold the frame is a broken header: keep the frame as it is
        if (sw < left + frame.getWidth() || sh < top + frame.getHeight() || (long) sw * sh > maxPixels) {
            return RgbConverter.toRgb(frame);
        }
        return RgbConverter.toRgb(frame, sw, sh, left, top);
    }

    private static IIOMetadataNode node(IIOMetadata metadata, String format, String name) {
        if (metadata == null) {
            return null;
        }
        try {
            for (Node n = metadata.getAsTree(format).getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n.getNodeName().equals(name)) {
                    return (IIOMetadataNode) n;
                }
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    private static int intAttr(IIOMetadataNode node, String name, int fallback) {
        if (node == null || node.getAttribute(name).isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(node.getAttribute(name));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
