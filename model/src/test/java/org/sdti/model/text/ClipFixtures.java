package org.sdti.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sdti.model.testing.TestData;

/** Common test material: the SD 2.1 tokenizer (loaded once) and the JSON golden files. */
final class ClipFixtures {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path SD21_TOKENIZER = TestData.path("reference/sd2/sd21/tokenizer");
    static final Path RESAVED_CONFIGS = TestData.path("reference/sd2/tokenizer-variants/resaved-by-transformers-4.34");

    private static volatile ClipTokenizer sd21;

    private ClipFixtures() {}

    static ClipTokenizer sd21() {
        if (sd21 == null) {
            synchronized (ClipFixtures.class) {
                if (sd21 == null) {
                    try {
                        sd21 = ClipTokenizer.load(SD21_TOKENIZER);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return sd21;
    }

    static JsonNode testDataJson(String relative) {
        try {
            return JSON.readTree(Files.readString(TestData.path(relative)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cases generated for sdti and answered by ftfy 6.1.1 + openai/CLIP (see the file's "about"). */
    static JsonNode oracleCases() {
        try (InputStream in = ClipFixtures.class.getResourceAsStream("clip-oracle-cases.json")) {
            return JSON.readTree(in).get("cases");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sd21 vocab/merges with the given configs (any may be null). */
    static TokenizerFiles sd21With(String origin, String config, String specialTokensMap, String addedTokens) {
        return new TokenizerFiles(origin, read(SD21_TOKENIZER.resolve(TokenizerFiles.VOCAB)),
                read(SD21_TOKENIZER.resolve(TokenizerFiles.MERGES)), config, specialTokensMap, addedTokens);
    }
}
