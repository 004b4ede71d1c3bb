package org.sdti.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.sdti.model.BadInputException;

/**
 * Issue 16, points 2 and 3: short hostile texts and vector counts. Each ran for minutes or overflowed the stack
 * (exit 1); each must now finish in bounded time, or be refused naming the cap.
 */
class HostileTextTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @Test
    void terminalEscapeWithThousandsOfDigitsIsRemovedWithoutRecursion() {
        for (int n : new int[] {2_000, 20_000}) {
            String text = "a cat \u001B[" + "1".repeat(n) + "m on a mat";
            String cleaned = assertTimeoutPreemptively(BOUND, () -> TextFixer.fixText(text));
            assertEquals("a cat  on a mat", cleaned);
        }
        // the same escape without its final letter is no escape: kept
        String open = "x\u001B[" + "2;".repeat(5_000);
        assertTimeoutPreemptively(BOUND, () -> TextFixer.fixText(open));
    }

    @Test
    void textsPastTheCapAreRefusedNamingIt() {
        String escape = "\u001B[" + "1".repeat(20_000) + "m";
        BadInputException e = assertThrows(BadInputException.class, () -> ClipFixtures.sd21().encode(escape));
        assertTrue(e.getMessage().contains("cap on text length") && e.getMessage().contains("20003 characters"),
                e.getMessage());
        // just under the cap, the worst text the audit found still tokenizes in bounded time
        String mojibake = "\u732B " + "\u00C3\u00A9".repeat((ClipTokenizer.MAX_TEXT_CHARS - 2) / 2);
        assertEquals(77, assertTimeoutPreemptively(BOUND, () -> ClipFixtures.sd21().encode(mojibake)).length);
    }

    @Test
    void thousandsOfMojibakeCharactersWithCjkAreFixedWithoutRecursion() {
        // "é" read as Latin-1 is "Ã©"; the CJK character keeps any single-byte charset from encoding the whole
        String text = "\u732B " + "\u00C3\u00A9".repeat(2_500);
        String fixed = assertTimeoutPreemptively(BOUND, () -> TextFixer.fixText(text));
        assertEquals("\u732B " + "\u00E9".repeat(2_500), fixed);
    }

    @Test
    void utf8RunScanEqualsFtfysRegexOnShortTexts() {
        // the regex form is exact on texts short enough not to overflow: both must find the same runs
        Pattern ftfy = Pattern.compile("(?<![\\u0080-\\u00BF])(?:[\\u00C2-\\u00DF][\\u0080-\\u00BF ]"
                + "|[\\u00E0-\\u00EF][\\u0080-\\u00BF ]{2}|[\\u00F0][\\u0080-\\u00BF ]{3})+");
        String[] texts = {"caf\u00C3\u00A9 ok", "\u00C3\u00A9\u00C3\u00A9x\u00E2\u0080\u0099", "\u00A9\u00C3\u00A9",
            "\u00C3", "\u00F0\u009F\u0098\u0080 smile", "a \u00C3 b"};
        for (String t : texts) {
            Matcher m = ftfy.matcher(t);
            int[] run = MojibakeFixer.utf8Run(t, 0);
            if (m.find()) {
                assertArrayEquals(new int[] {m.start(), m.end()}, run, t);
            } else {
                assertEquals(null, run, t);
            }
        }
    }

    @Test
    void addingTwoHundredThousandVectorsIsRefusedNamingTheCap() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> assertTimeoutPreemptively(BOUND, () -> ClipFixtures.sd21().withAddedToken("<x>", 200_000)));
        assertTrue(e.getMessage().contains("200000 vectors") && e.getMessage().contains("cap on vectors"),
                e.getMessage());
        // the most a prompt holds still works, and quickly
        ClipTokenizer t = assertTimeoutPreemptively(BOUND, () -> ClipFixtures.sd21().withAddedToken("<x>", 75));
        assertEquals(77, t.encode("<x>").length);
    }

    @Test
    void aTokenBesideItsNumberedNameIsRefused() {
        ClipTokenizer t = ClipFixtures.sd21().withAddedToken("<tok>");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.withAddedToken("<tok>_1"));
        assertTrue(e.getMessage().contains("would become a vector of the already added '<tok>'"), e.getMessage());
        ClipTokenizer numbered = ClipFixtures.sd21().withAddedToken("<tok>_1");
        e = assertThrows(IllegalArgumentException.class, () -> numbered.withAddedToken("<tok>"));
        assertTrue(e.getMessage().contains("would take in the already added '<tok>_1'"), e.getMessage());
        // unrelated numbered names and longer groups stay fine
        assertEquals(4, ClipFixtures.sd21().withAddedToken("<a>", 3).withAddedToken("<a>_10").addedTokens().size());
    }
}
