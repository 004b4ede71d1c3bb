package org.sdti.dataprep.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;
import org.sdti.dataprep.RgbImage;
import org.sdti.dataprep.WholeFolder;

/**
 * Writes world samples {@code 0 .. count-1} of a seed as a folder:
 * <pre>
 * FOLDER/images/00000.png, 00000.txt, ...   the pictures and their caption sidecars: a concept folder as it is
 *                                           (sdti train --images FOLDER/images, a job's images = ".../images")
 * FOLDER/manifest.jsonl                     one JSON object per image: file, caption, the labels, the placement
 * FOLDER/contact-sheet.png                  the first 64 images enlarged, to look at
 * </pre>
 * The manifest sits beside {@code images/}, not in it, because a concept folder reports every file that is not a
 * picture or caption. The folder is a {@link WholeFolder}: one that exists is whole.
 */
public final class WorldDataset {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHEET_IMAGES = 64;

    /**
     * What to write.
     *
     * @param fixed labels every image has (the rest drawn)
     * @param slot  which caption words the sidecars replace by {@code {}}; the manifest keeps the full caption
     */
    public record Request(World world, long seed, int count, Constraints fixed, WorldCaptions.Slot slot) {
        public Request {
            Objects.requireNonNull(world, "world");
            Objects.requireNonNull(fixed, "fixed");
            Objects.requireNonNull(slot, "slot");
            if (count < 1) {
                throw new IllegalArgumentException("count must be at least 1, got " + count);
            }
        }
    }

    private WorldDataset() {
    }

    /**
     * @param progress told the number of images written so far, after each one
     * @throws FileAlreadyExistsException when {@code folder} exists (nothing is written)
     */
    public static void write(Request request, Path folder, IntConsumer progress) throws IOException {
        WholeFolder.create(folder, temp -> fill(request, temp, progress));
    }

    private static void fill(Request request, Path folder, IntConsumer progress) throws IOException {
        Path images = Files.createDirectory(folder.resolve("images"));
        List<RgbImage> sheet = new ArrayList<>();
        try (Writer manifest = Files.newBufferedWriter(folder.resolve("manifest.jsonl"), StandardCharsets.UTF_8)) {
            for (int i = 0; i < request.count(); i++) {
                WorldSample s = request.world().sample(request.seed(), i, request.fixed());
                String stem = String.format("%05d", i);
                Files.write(images.resolve(stem + ".png"), Png.encode(s.image()));
                Files.writeString(images.resolve(stem + ".txt"), s.caption(request.slot()) + "\n",
                        StandardCharsets.UTF_8);
                manifest.write(JSON.writeValueAsString(line("images/" + stem + ".png", s)));
                manifest.write('\n');
                if (sheet.size() < SHEET_IMAGES) {
                    sheet.add(s.image());
                }
                progress.accept(i + 1);
            }
        }
        int zoom = Math.max(1, 128 / request.world().side());
        Files.write(folder.resolve("contact-sheet.png"), Png.encode(ContactSheet.of(sheet, 8, zoom)));
    }

    private static ObjectNode line(String file, WorldSample s) {
        WorldLabels l = s.labels();
        ObjectNode o = JSON.createObjectNode();
        o.put("file", file);
        o.put("caption", s.caption());
        o.put("shape", l.shape().word());
        o.put("colour", l.colour().word());
        o.put("background", l.background().word());
        o.put("texture", l.texture().word());
        o.put("size", l.size().word());
        o.put("position", l.position().word());
        o.put("x", s.placement().cx());
        o.put("y", s.placement().cy());
        o.put("radius", s.placement().radius());
        o.put("seed", s.seed());
        o.put("index", s.index());
        o.put("template", s.template());
        return o;
    }
}
