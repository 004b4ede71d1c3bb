package org.sdti.dataprep.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.dataprep.ConceptPreparer;
import org.sdti.dataprep.ImageDecoder;
import org.sdti.dataprep.PrepareOptions;
import org.sdti.dataprep.PreparationResult;
import org.sdti.dataprep.PreparedImage;

class WorldDatasetTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void writesImagesCaptionsAndAManifestThatAgreeWithTheWorld() throws Exception {
        World world = World.standard();
        Path out = dir.resolve("world");
        List<Integer> progress = new ArrayList<>();
        WorldDataset.write(new WorldDataset.Request(world, 9, 12, Constraints.NONE, WorldCaptions.Slot.NONE), out,
                progress::add);

        assertEquals(12, progress.size());
        assertEquals(12, progress.get(11));
        List<String> lines = Files.readAllLines(out.resolve("manifest.jsonl"), StandardCharsets.UTF_8);
        assertEquals(12, lines.size());
        ImageDecoder decoder = new ImageDecoder(PrepareOptions.DEFAULT_MAX_PIXELS);
        for (int i = 0; i < 12; i++) {
            WorldSample s = world.sample(9, i);
            JsonNode line = JSON.readTree(lines.get(i));
            assertEquals(String.format("images/%05d.png", i), line.get("file").asText());
            assertEquals(s.caption(), line.get("caption").asText());
            assertEquals(s.labels().shape().word(), line.get("shape").asText());
            assertEquals(s.labels().colour().word(), line.get("colour").asText());
            assertEquals(s.labels().background().word(), line.get("background").asText());
            assertEquals(s.labels().size().word(), line.get("size").asText());
            assertEquals(s.labels().position().word(), line.get("position").asText());
            assertEquals(s.placement().radius(), line.get("radius").asDouble());
            Path png = out.resolve(line.get("file").asText());
            assertEquals(s.image(), decoder.decode(Files.readAllBytes(png)).image());
            assertEquals(s.caption() + "\n",
                    Files.readString(png.resolveSibling(String.format("%05d.txt", i)), StandardCharsets.UTF_8));
        }
        assertTrue(Files.isRegularFile(out.resolve("contact-sheet.png")));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(out), left.toList(), "no temporary folder is left");
        }
    }

    @Test
    void theImagesFolderIsAConceptFolderWithCaptions() throws Exception {
        Path out = dir.resolve("red-stars");
        Constraints redStars = Constraints.NONE.withShape(Shape.STAR).withColour(Colour.RED);
        WorldDataset.write(new WorldDataset.Request(World.standard(), 1, 5, redStars,
                WorldCaptions.Slot.COLOUR_AND_SHAPE), out, n -> { });

        PreparationResult r = new ConceptPreparer(PrepareOptions.defaults(32).withFlips(false))
                .prepareFolder("red-stars", out.resolve("images"));
        assertEquals(List.of(), r.rejected());
        assertEquals(5, r.examples().size());
        for (PreparedImage e : r.examples()) {
            String caption = e.caption().orElseThrow();
            assertTrue(caption.contains("{}") && !caption.contains("red") && !caption.contains("star"), caption);
        }
        String first = JSON.readTree(Files.readAllLines(out.resolve("manifest.jsonl")).get(0)).get("caption")
                .asText();
        assertTrue(first.contains("red star"), "the manifest keeps the full caption: " + first);
    }

    @Test
    void anExistingFolderIsLeftAloneAndNamed() throws Exception {
        Path out = Files.createDirectory(dir.resolve("taken"));
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> WorldDataset.write(
                new WorldDataset.Request(World.standard(), 1, 2, Constraints.NONE, WorldCaptions.Slot.NONE), out,
                n -> { }));
        assertTrue(e.getMessage().contains("taken"), e.getMessage());
        try (Stream<Path> files = Files.list(out)) {
            assertFalse(files.findAny().isPresent());
        }
    }
}
