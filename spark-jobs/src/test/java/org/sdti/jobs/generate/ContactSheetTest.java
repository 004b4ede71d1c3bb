package org.sdti.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Font;
import java.awt.FontMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContactSheetTest {
    /** 6 px a character: the layout without depending on the fonts a machine has. */
    private static final FontMetrics SIX = new FontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 11)) {
        @Override
        public int stringWidth(String s) {
            return 6 * s.length();
        }
    };

    @Test
    void promptsWrapAtWordsAndAreCutOnlyAfterTheLastLine() {
        String prompt = "a <sdti-bot> painted in the style of <dot-style>"; // 48 characters, 288 px
        assertEquals(List.of(prompt), ContactSheet.wrap(prompt, SIX, 384, 2));
        assertEquals(List.of("a <sdti-bot> painted in the", "style of <dot-style>"),
                ContactSheet.wrap(prompt, SIX, 180, 2), "the token is never cut off the first line's end");
        assertEquals(List.of("a <sdti-bot> painted", "in the style of <..."), ContactSheet.wrap(prompt, SIX, 120, 2));
        assertEquals(List.of("abcdefghij", "klmnop"), ContactSheet.wrap("abcdefghijklmnop", SIX, 60, 2),
                "a word longer than a line is broken");
        assertEquals(List.of(), ContactSheet.wrap("  ", SIX, 60, 2));
    }

    @Test
    void smallImagesAreEnlargedByAWholeFactorLargeOnesReduced() {
        assertArrayEquals(new int[] {192, 192}, ContactSheet.thumbSize(16, 16, 192));
        assertArrayEquals(new int[] {160, 160}, ContactSheet.thumbSize(32, 32, 192 - 1), "5x, not 5.97x");
        assertArrayEquals(new int[] {192, 96}, ContactSheet.thumbSize(64, 32, 192));
        assertArrayEquals(new int[] {192, 144}, ContactSheet.thumbSize(768, 576, 192));
        assertArrayEquals(new int[] {8, 8}, ContactSheet.thumbSize(16, 16, 8));
        assertArrayEquals(new int[] {100, 100}, ContactSheet.thumbSize(100, 100, 192), "over half the size: as is");
    }
}
