package org.sdti.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Textual-inversion placeholders: ids after the vocabulary, verbatim matching, multi-vector expansion. */
class ClipTokenizerAddedTokensTest {
    private final ClipTokenizer base = ClipFixtures.sd21();

    private int id(String token) {
        return base.tokenId(token).getAsInt();
    }

    @Test
    void placeholderGetsTheFirstIdAfterTheVocabulary() {
        ClipTokenizer t = base.withAddedToken("<joe-bruin>");
        assertEquals(49409, t.vocabSize());
        assertEquals(49408, base.vocabSize()); // the original is unchanged
        assertArrayEquals(new int[] {320, 1125, 539, 49408}, t.encodeContent("a photo of <joe-bruin>"));
        assertArrayEquals(new int[] {320, 1125, 539, 283, 3305, 268, 1698, 530, 285},
                base.encodeContent("a photo of <joe-bruin>"));
    }

    @Test
    void placeholderIsMatchedInsideWordsBeforeCleaning() {
        ClipTokenizer t = base.withAddedToken("<cat-toy>");
        assertArrayEquals(new int[] {id("a</w>"), 49408, id("toy</w>")}, t.encodeContent("a<cat-toy>toy"));
        assertArrayEquals(new int[] {49408, 49408, 49408}, t.encodeContent("<cat-toy><cat-toy> <cat-toy>"));
        assertArrayEquals(new int[] {49408, 568, 3801}, t.encodeContent("<cat-toy>'s hat"));
    }

    @Test
    void matchingIsCaseSensitive() {
        ClipTokenizer t = base.withAddedToken("<cat-toy>");
        assertArrayEquals(base.encodeContent("<Cat-Toy>"), t.encodeContent("<Cat-Toy>"));
        assertTrue(java.util.Arrays.stream(t.encodeContent("<Cat-Toy>")).allMatch(i -> i < 49408));
    }

    @Test
    void multiVectorPlaceholderExpandsToAllItsVectors() {
        ClipTokenizer t = base.withAddedToken("<cat-toy>", 3);
        assertEquals(Map.of("<cat-toy>", 49408, "<cat-toy>_1", 49409, "<cat-toy>_2", 49410), t.addedTokens());
        assertEquals(List.of("<cat-toy>", "<cat-toy>_1", "<cat-toy>_2"), List.copyOf(t.addedTokens().keySet()));
        assertArrayEquals(new int[] {320, 49408, 49409, 49410, 525, 518, 2175},
                t.encodeContent("a <cat-toy> on the table"));
        assertArrayEquals(new int[] {49408, 49409, 49410}, t.idsOf("<cat-toy>"));
        assertArrayEquals(new int[] {49409}, t.idsOf("<cat-toy>_1"));
        int[] row = t.encode("a <cat-toy>");
        assertArrayEquals(new int[] {49406, 320, 49408, 49409, 49410, 49407, 0}, java.util.Arrays.copyOf(row, 7));
    }

    @Test
    void severalPlaceholdersGetConsecutiveIds() {
        ClipTokenizer t = base.withAddedToken("<a>", 2).withAddedToken("<b>");
        assertEquals(49411, t.vocabSize());
        assertArrayEquals(new int[] {49410, 49408, 49409}, t.encodeContent("<b><a>"));
    }

    @Test
    void longestPlaceholderWinsAtAPosition() {
        ClipTokenizer t = base.withAddedToken("<x>").withAddedToken("<x>y");
        assertArrayEquals(new int[] {49409, 49408}, t.encodeContent("<x>y<x>"));
    }

    @Test
    void addingAVocabularyTokenIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.withAddedToken("cat"));
        assertTrue(e.getMessage().contains("'cat'") && e.getMessage().contains("already in the vocabulary"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> base.withAddedToken("<|endoftext|>"));
    }

    @Test
    void addingATokenTwiceIsAnError() {
        ClipTokenizer t = base.withAddedToken("<cat-toy>", 2);
        IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
                () -> t.withAddedToken("<cat-toy>"));
        assertTrue(again.getMessage().contains("'<cat-toy>' was already added"), again.getMessage());
        IllegalArgumentException vector = assertThrows(IllegalArgumentException.class,
                () -> t.withAddedToken("<cat-toy>_1"));
        assertTrue(vector.getMessage().contains("'<cat-toy>_1'"), vector.getMessage());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> base.withAddedToken(""));
        assertThrows(IllegalArgumentException.class, () -> base.withAddedToken(" "));
        assertThrows(IllegalArgumentException.class, () -> base.withAddedToken("<x>", 0));
    }
}
