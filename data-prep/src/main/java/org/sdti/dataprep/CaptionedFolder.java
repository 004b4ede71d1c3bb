package org.sdti.dataprep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A folder of captioned pictures for training from scratch: {@code manifest.jsonl} lists one JSON object per line
 * with at least {@code file} (a path relative to the folder) and {@code caption}; other fields are ignored. Every
 * picture must decode and have the same size. Problems are collected and reported together, each naming the line
 * and what was expected.
 */
public final class CaptionedFolder {
    public static final String MANIFEST = "manifest.jsonl";
    /** Pictures of a world for training from scratch are small; larger ones are refused before decoding. */
    static final long MAX_PIXELS = 1L << 20;
    private static final int MAX_REPORTED = 20;

    /** One picture (8-bit RGB, kept compact) and its caption. */
    public record Entry(String file, RgbImage image, String caption) {}

    private CaptionedFolder() {}

    /** Reads and checks every entry of {@code folder}'s manifest; an {@link IOException} lists the problems. */
    public static List<Entry> read(Path folder) throws IOException {
        Path manifest = folder.resolve(MANIFEST);
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException(manifest + ": no manifest (expected one JSON object per line with \"file\" and "
                    + "\"caption\")");
        }
        ObjectMapper json = new ObjectMapper();
        ImageDecoder decoder = new ImageDecoder(MAX_PIXELS);
        List<Entry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String where = manifest + ":" + (i + 1);
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                JsonNode o = json.readTree(lines.get(i));
                if (o == null || !o.isObject()) {
                    throw new IOException("expected a JSON object");
                }
                String file = text(o, "file");
                String caption = text(o, "caption");
                Path p = folder.resolve(file).normalize();
                if (!p.startsWith(folder.normalize())) {
                    throw new IOException("\"file\" " + file + " is outside the folder");
                }
                if (!Files.isRegularFile(p)) {
                    throw new IOException("\"file\" " + file + ": no such file");
                }
                RgbImage image = decoder.decode(Files.readAllBytes(p)).image();
                Entry first = entries.isEmpty() ? null : entries.get(0);
                if (first != null && (image.width() != first.image().width()
                        || image.height() != first.image().height())) {
                    throw new IOException(file + " is " + image.width() + "x" + image.height() + ", expected "
                            + first.image().width() + "x" + first.image().height() + " like " + first.file());
                }
                entries.add(new Entry(file, image, caption));
            } catch (UnusableImageException e) {
                problems.add(where + ": " + e.getMessage());
            } catch (IOException e) {
                problems.add(where + ": " + e.getMessage().replace('\n', ' '));
            }
        }
        if (entries.isEmpty() && problems.isEmpty()) {
            problems.add(manifest + ": no entries");
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), MAX_REPORTED);
            throw new IOException(problems.size() + " problem(s) in " + manifest + ": "
                    + String.join("; ", problems.subList(0, shown)) + (shown < problems.size() ? "; ..." : ""));
        }
        return entries;
    }

    private static String text(JsonNode o, String field) throws IOException {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("\"" + field + "\" must be a string, got " + (v == null ? "nothing" : v));
        }
        return v.asText();
    }
}
