package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.TensorInfo;
import org.sdti.model.testing.TestData;

/** The layouts derived from configs equal the real SD 2.1 weight lists and the tiny fixture's files. */
class LayoutsTest {

    static JsonConfig config(Path p) throws IOException {
        return JsonConfig.parse(p.toString(), Files.readString(p));
    }

    /** Parses {@code name<TAB>[d, d, ...]} lines. */
    static Map<String, long[]> keyFile(String rel) throws IOException {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(TestData.path(rel))) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split("\t");
            String dims = parts[1].replace("[", "").replace("]", "").trim();
            long[] shape = dims.isEmpty() ? new long[0]
                    : Arrays.stream(dims.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
            out.put(parts[0], shape);
        }
        return out;
    }

    static void assertSameLayout(Map<String, long[]> expected, WeightLayout actual) {
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(actual.shapes().keySet()));
        for (var e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), actual.shape(e.getKey()), e.getKey());
        }
    }

    @Test
    void sd21UNetMatchesPublishedKeys() throws IOException {
        for (String variant : new String[] {"sd21-base", "sd21"}) {
            UNetConfig c = UNetConfig.from(config(TestData.path("reference/sd2/" + variant + "/unet/config.json")));
            WeightLayout layout = Layouts.unet(c);
            assertSameLayout(keyFile("reference/sd2/sd21_unet_keys.txt"), layout);
            assertEquals(865_910_724L, layout.parameterCount(), variant);
        }
    }

    @Test
    void sd21TextEncoderMatchesPublishedKeys() throws IOException {
        TextEncoderConfig c = TextEncoderConfig.from(config(TestData.path("reference/sd2/sd21-base/text_encoder/config.json")));
        Map<String, long[]> expected = keyFile("reference/sd2/sd21_text_encoder_keys.txt");
        expected.remove("text_model.embeddings.position_ids"); // an optional int64 buffer, not a weight
        assertSameLayout(expected, Layouts.textEncoder(c));
        assertEquals(23, c.numHiddenLayers());
        assertEquals("gelu", c.hiddenAct());
    }

    @Test
    void sd21VaeMatchesPublishedKeys() throws IOException {
        VaeConfig c = VaeConfig.from(config(TestData.path("reference/sd2/sd21-base/vae/config.json")));
        assertSameLayout(keyFile("reference/sd2/sd21_vae_keys.txt"), Layouts.vae(c));
        assertEquals(VaeConfig.DEFAULT_SCALING_FACTOR, c.scalingFactor());
        assertEquals(8, c.downscale());
    }

    @Test
    void tinyFixtureFilesMatchTheirLayouts() throws IOException {
        Path m = TestData.tinyModel();
        check(Layouts.unet(UNetConfig.from(config(m.resolve("unet/config.json")))),
                m.resolve("unet/diffusion_pytorch_model.safetensors"));
        check(Layouts.vae(VaeConfig.from(config(m.resolve("vae/config.json")))),
                m.resolve("vae/diffusion_pytorch_model.safetensors"));
        check(Layouts.textEncoder(TextEncoderConfig.from(config(m.resolve("text_encoder/config.json")))),
                m.resolve("text_encoder/model.safetensors"));
    }

    private static void check(WeightLayout layout, Path file) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, long[]> inFile = new LinkedHashMap<>();
            for (TensorInfo t : f.tensors().values()) {
                if (!t.name().endsWith("position_ids")) {
                    inFile.put(t.name(), t.shape());
                }
            }
            assertSameLayout(inFile, layout);
            assertTrue(layout.size() > 10);
        }
    }
}
