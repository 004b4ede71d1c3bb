package org.sdti.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Rows, truncation, lookups, decoding and concurrency of the SD 2.1 tokenizer. */
class ClipTokenizerTest {
    private final ClipTokenizer tokenizer = ClipFixtures.sd21();

    @Test
    void rowIsStartContentEndThenPadding() {
        int[] row = tokenizer.encode("a photo of a cat");
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407, 0}, Arrays.copyOf(row, 8));
        assertTrue(Arrays.stream(row, 7, 77).allMatch(id -> id == 0));
    }

    @Test
    void emptyPromptIsStartEndAndPadding() {
        int[] row = tokenizer.encode("");
        assertEquals(49406, row[0]);
        assertEquals(49407, row[1]);
        assertTrue(Arrays.stream(row, 2, 77).allMatch(id -> id == 0));
        assertArrayEquals(new int[0], tokenizer.encodeContent("   \n\t "));
    }

    @Test
    void truncationKeeps75ContentIdsAndTheEndId() {
        String longPrompt = "cat ".repeat(100);
        int[] row = tokenizer.encode(longPrompt);
        assertEquals(77, row.length);
        assertEquals(49406, row[0]);
        assertEquals(49407, row[76]);
        assertTrue(Arrays.stream(row, 1, 76).allMatch(id -> id == 2368));
        assertEquals(100, tokenizer.encodeContent(longPrompt).length);
    }

    @Test
    void exactly75ContentIdsFitWithoutTruncation() {
        int[] row = tokenizer.encode("cat ".repeat(75));
        assertEquals(2368, row[75]);
        assertEquals(49407, row[76]);
    }

    @Test
    void singleWordLookup() {
        assertArrayEquals(new int[] {4298}, tokenizer.idsOf("bear"));
        assertArrayEquals(new int[] {4298}, tokenizer.idsOf("Bear"));
        assertTrue(tokenizer.idsOf("supercalifragilisticexpialidocious").length > 1);
        assertEquals(320, tokenizer.tokenId("a</w>").getAsInt());
        assertEquals(0, tokenizer.tokenId("!").getAsInt());
        assertTrue(tokenizer.tokenId("no such token").isEmpty());
    }

    @Test
    void literalSpecialTokensInTextMapToTheirIdsAsInOpenAiClip() {
        assertArrayEquals(new int[] {49406, 24269, 1689, 49407},
                tokenizer.encodeContent("<|startoftext|>literal special<|endoftext|>"));
    }

    @Test
    void exclamationMarksAreOrdinaryBpeAsInOpenClipNotPadTokens() {
        assertArrayEquals(new int[] {3306, 267, 1002, 256}, tokenizer.encodeContent("hello, world!"));
    }

    @Test
    void decodeReturnsTheCleanedText() {
        assertEquals("a photo of a cat", tokenizer.decode(tokenizer.encode("A Photo of a CAT")));
        assertEquals("naïve café 東京 🐱", tokenizer.decode(tokenizer.encodeContent("naïve café 東京 🐱")));
        assertEquals("salt & pepper", tokenizer.decode(tokenizer.encodeContent("salt &amp; pepper")));
        ClipTokenizer withToy = tokenizer.withAddedToken("<cat-toy>");
        assertEquals("a <cat-toy> toy", withToy.decode(withToy.encode("a<cat-toy>toy")));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(49408));
    }

    @Test
    void encodingIsThreadSafe() throws Exception {
        List<String> prompts = List.of("a photo of a cat", "naïve résumé", "東京の夜景", "Ã©cole", "it’s ﬁne",
                "a painting of a fox sitting in a field at sunrise, digital art");
        List<int[]> expected = new ArrayList<>();
        for (String p : prompts) {
            expected.add(tokenizer.encode(p));
        }
        ClipTokenizer fresh = ClipTokenizer.load(ClipFixtures.SD21_TOKENIZER); // empty cache: threads race to fill it
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        for (int i = 0; i < prompts.size(); i++) {
                            if (!Arrays.equals(expected.get(i), fresh.encode(prompts.get(i)))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
