package org.sdti.jobs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.generate.PngText;

/** What {@link OutputComparison} forgives (output path, run times, Parquet write ids) and what it does not. */
class OutputComparisonTest {
    @Test
    void onlyTheOutputPathRunTimesAndParquetWriteIdsMayDiffer(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("run-a");
        Path b = tmp.resolve("run-b");
        for (Path root : List.of(a, b)) {
            Files.createDirectories(root.resolve("c/images"));
            Files.createDirectories(root.resolve("_reports"));
            Files.createDirectories(root.resolve("_data/examples"));
            String embedding = "file:" + root + "/c/learned_embeds.safetensors";
            Files.write(root.resolve("c/images/x.png"), png(0x123456, embedding));
            String started = root.equals(a) ? "2026-01-01T00:00:00Z" : "2026-01-02T00:00:00Z";
            Files.writeString(root.resolve("_reports/train.json"), "{\"output\":\"file:" + root + "\",\"started\":\""
                    + started + "\",\"seconds\":" + (root.equals(a) ? 1.5 : 7.25) + ",\"counters\":{\"steps\":16,"
                    + "\"round_task_steps_ms\":" + (root.equals(a) ? 1200 : 5100) + "}}");
            String id = root.equals(a) ? "14436ce8-70ca-4846-8f0d-7291e7dbfabe"
                    : "8e4c5592-ced6-4ca7-aaf3-ab447adf4f33";
            Files.write(root.resolve("_data/examples/part-00001-" + id + ".c000.snappy.parquet"), new byte[] {1, 2, 3});
        }
        assertEquals(List.of(), OutputComparison.differences(a, b));

        // a count, a pixel, the A1111 text and a data file's bytes are never forgiven
        Files.writeString(b.resolve("_reports/train.json"), Files.readString(b.resolve("_reports/train.json"))
                .replace("\"steps\":16", "\"steps\":24"));
        Files.write(b.resolve("c/images/x.png"), png(0x123457, "file:" + b + "/c/learned_embeds.safetensors"));
        Files.write(a.resolve("_data/examples/part-00001-14436ce8-70ca-4846-8f0d-7291e7dbfabe.c000.snappy.parquet"),
                new byte[] {1, 2, 4});
        Files.writeString(b.resolve("only-here.csv"), "step\n");
        List<String> d = OutputComparison.differences(a, b);
        assertEquals(4, d.size(), d.toString());
        assertTrue(d.get(0).startsWith("_data/examples/part-00001.c000.snappy.parquet: bytes differ"), d.toString());
        assertTrue(d.get(1).startsWith("_reports/train.json: differs beyond the output path"), d.toString());
        assertTrue(d.get(2).startsWith("c/images/x.png: PNG chunk 3 (IDAT) differs"), d.toString());
        assertTrue(d.get(3).startsWith("only-here.csv: only in " + b), d.toString());
    }

    /** A 2x2 PNG of one colour with sdti's two text chunks, the embedding file named in the {@code sdti} one. */
    private static byte[] png(int rgb, String embedding) throws Exception {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "a photo, Seed: 1");
        text.put("sdti", "{\"embeddings\":[{\"file\":\"" + embedding + "\"}]}");
        return PngText.encode(img, text);
    }
}
