package org.sdti.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.sdti.model.pipelines.RgbImage;

/** PNG text chunks round-trip through ImageIO: tEXt for Latin-1, iTXt for anything else; pixels unchanged. */
class PngTextTest {
    static GenerationInfo info(String prompt, String negative) {
        return new GenerationInfo(prompt, negative, 1234567890123L, 20, "dpmpp-2m-karras", 7.5, 0.0, 16, 8,
                "sd21-base", Map.of("unet", "0123456789abcdef", "vae", "fedcba"),
                List.of(new GenerationInfo.Embedding("<joe-bruin>", "s3a://b/joe.safetensors", 2, "a1b2c3d4e5f6a7b8")),
                null, 3, "0.1.0", 2);
    }

    static RgbImage image() {
        byte[] rgb = new byte[16 * 8 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7);
        }
        return new RgbImage(16, 8, rgb);
    }

    /** Issue 16 point 8: a prompt cannot forge infotext lines, and no NUL reaches a text chunk. */
    @Test
    void newlinesCannotForgeInfotextAndNulNeverReachesAChunk() throws Exception {
        GenerationInfo forged = info("a cat\nNegative prompt: nothing\r\nSteps: 999, Seed: 1\u2028x", "ugly\nSteps: 1");
        Map<String, String> a1111 = GenerationInfo.parseParameters(forged.parameters());
        assertEquals("a cat Negative prompt: nothing Steps: 999, Seed: 1 x", a1111.get("prompt"));
        assertEquals("ugly Steps: 1", a1111.get("Negative prompt"));
        assertEquals("20", a1111.get("Steps"));
        assertEquals("1234567890123", a1111.get("Seed"));
        assertEquals(3, forged.parameters().split("\n").length);

        for (String prompt : List.of("a\0b", "caf\u00e9\0", "\u732B\0")) {
            byte[] png = PngText.encode(image().toBufferedImage(), info(prompt, "").pngText());
            for (String value : PngText.read(png).values()) {
                assertTrue(value.indexOf('\0') < 0, value);
            }
            assertTrue(PngText.read(png).get(GenerationInfo.PARAMETERS).startsWith(prompt.replace('\0', '\uFFFD')));
        }
    }

    @Test
    void textChunksAndPixelsRoundTrip() throws Exception {
        for (GenerationInfo info : List.of(info("a photo of a <joe-bruin>, on a beach", "blurry: low quality"),
                info("ein Foto einer Katze ☕ 猫", "äöü"))) {
            byte[] png = PngText.encode(image().toBufferedImage(), info.pngText());
            Map<String, String> text = PngText.read(png);
            assertEquals(List.of(GenerationInfo.PARAMETERS, GenerationInfo.SDTI), List.copyOf(text.keySet()));
            assertEquals(info, GenerationInfo.fromJson(text.get(GenerationInfo.SDTI)));
            assertEquals(info.parameters(), text.get(GenerationInfo.PARAMETERS));

            Map<String, String> a1111 = GenerationInfo.parseParameters(text.get(GenerationInfo.PARAMETERS));
            assertEquals(info.prompt(), a1111.get("prompt"));
            assertEquals(info.negativePrompt(), a1111.get("Negative prompt"));
            assertEquals("20", a1111.get("Steps"));
            assertEquals("DPM++ 2M Karras", a1111.get("Sampler"));
            assertEquals("7.5", a1111.get("CFG scale"));
            assertEquals("1234567890123", a1111.get("Seed"));
            assertEquals("16x8", a1111.get("Size"));
            assertEquals("0123456789", a1111.get("Model hash"));
            assertEquals("sd21-base", a1111.get("Model"));
            assertEquals("<joe-bruin>: a1b2c3d4e5f6", a1111.get("TI hashes"));
            assertEquals("sdti 0.1.0", a1111.get("Version"));

            BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(16, back.getWidth());
            assertEquals(8, back.getHeight());
            byte[] rgb = new byte[16 * 8 * 3];
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 16; x++) {
                    int v = back.getRGB(x, y);
                    rgb[(y * 16 + x) * 3] = (byte) (v >> 16);
                    rgb[(y * 16 + x) * 3 + 1] = (byte) (v >> 8);
                    rgb[(y * 16 + x) * 3 + 2] = (byte) v;
                }
            }
            assertArrayEquals(image().rgb(), rgb);
        }
    }

    @Test
    void latin1UsesTextAndOtherTextUsesInternationalChunks() throws Exception {
        byte[] png = PngText.encode(image().toBufferedImage(), Map.of("latin", "café", "other", "猫"));
        String raw = new String(png, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(raw.contains("tEXtlatin\0caf\u00e9"), "Latin-1 value in a tEXt chunk");
        assertTrue(raw.contains("iTXtother\0"), "other value in an iTXt chunk");
        assertEquals(Map.of("latin", "café", "other", "猫"), PngText.read(png));
    }

    @Test
    void a1111TextWithoutNegativePromptOrEmbeddings() {
        GenerationInfo plain = new GenerationInfo("a cat", "", 1, 50, "ddim", 1.0, 0.0, 512, 512, "m", Map.of(),
                List.of(), "noise.safetensors", 0, "0.1.0", 1);
        assertEquals("a cat\nSteps: 50, Sampler: DDIM, CFG scale: 1.0, Seed: 1, Size: 512x512, Model: m, "
                + "Version: sdti 0.1.0", plain.parameters());
        assertEquals(plain, GenerationInfo.fromJson(plain.toJson()));
        // the threads per task its pixels were made with; 0 in records of sdti versions that kept none
        assertTrue(plain.toJson().contains("\"threads_per_task\":1"), plain.toJson());
        assertEquals(0, GenerationInfo.fromJson(plain.toJson().replace(",\"threads_per_task\":1", ""))
                .threadsPerTask());
    }
}
