package org.sdti.jobs.generate;

import java.awt.image.RenderedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.Node;

/**
 * PNG files with text chunks, through ImageIO's native PNG metadata ({@code javax_imageio_png_1.0}). As Pillow's
 * {@code PngInfo.add_text} does (and so what AUTOMATIC1111 and other readers expect), a value that fits Latin-1 goes
 * in a {@code tEXt} chunk and any other in an uncompressed UTF-8 {@code iTXt} chunk.
 */
public final class PngText {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngText() {}

    /** The image as PNG bytes carrying {@code text} (keyword → value, in order). */
    public static byte[] encode(RenderedImage image, Map<String, String> text) throws IOException {
        ImageWriter writer = pngWriter();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            IIOMetadataNode root = new IIOMetadataNode(FORMAT);
            IIOMetadataNode latin = new IIOMetadataNode("tEXt");
            IIOMetadataNode international = new IIOMetadataNode("iTXt");
            for (Map.Entry<String, String> e : text.entrySet()) {
                checkKeyword(e.getKey());
                // the PNG spec forbids NUL in text (readers stop there); U+FFFD keeps the place visible
                String value = e.getValue().replace('\0', '\uFFFD');
                if (isLatin1(value)) {
                    IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("value", value);
                    latin.appendChild(entry);
                } else {
                    IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("compressionFlag", "FALSE");
                    entry.setAttribute("compressionMethod", "0");
                    entry.setAttribute("languageTag", "");
                    entry.setAttribute("translatedKeyword", "");
                    entry.setAttribute("text", value);
                    international.appendChild(entry);
                }
            }
            if (latin.hasChildNodes()) {
                root.appendChild(latin);
            }
            if (international.hasChildNodes()) {
                root.appendChild(international);
            }
            meta.mergeTree(FORMAT, root);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, meta), param);
            }
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }

    /** An image as {@code sdti generate} writes it: the pixels and the generation record ({@link GenerationInfo}). */
    public static byte[] encode(org.sdti.model.pipelines.RgbImage image, GenerationInfo info) throws IOException {
        return encode(image.toBufferedImage(), info.pngText());
    }

    /** The text chunks of a PNG (tEXt, iTXt and zTXt), keyword → value, in file order. */
    public static Map<String, String> read(byte[] png) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
        if (!readers.hasNext()) {
            throw new IOException("no PNG reader in ImageIO");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            reader.setInput(in, true, false);
            Node root = reader.getImageMetadata(0).getAsTree(FORMAT);
            Map<String, String> text = new LinkedHashMap<>();
            for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                for (Node e = chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
                    IIOMetadataNode entry = (IIOMetadataNode) e;
                    switch (e.getNodeName()) {
                        case "tEXtEntry", "zTXtEntry" -> text.put(entry.getAttribute("keyword"),
                                entry.getAttribute(e.getNodeName().equals("tEXtEntry") ? "value" : "text"));
                        case "iTXtEntry" -> text.put(entry.getAttribute("keyword"), entry.getAttribute("text"));
                        default -> { }
                    }
                }
            }
            return text;
        } finally {
            reader.dispose();
        }
    }

    private static ImageWriter pngWriter() throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IOException("no PNG writer in ImageIO");
        }
        return writers.next();
    }

    static boolean isLatin1(String s) {
        return StandardCharsets.ISO_8859_1.newEncoder().canEncode(s);
    }

    /** PNG keywords: 1-79 printable Latin-1 characters, no leading, trailing or double spaces. */
    private static void checkKeyword(String k) {
        if (k.isEmpty() || k.length() > 79 || !isLatin1(k) || k.startsWith(" ") || k.endsWith(" ")
                || k.contains("  ") || k.chars().anyMatch(c -> c < 32 || (c > 126 && c < 161))) {
            throw new IllegalArgumentException("not a valid PNG text keyword: '" + k + "'");
        }
    }
}
