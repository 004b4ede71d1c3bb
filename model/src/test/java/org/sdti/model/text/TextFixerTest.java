package org.sdti.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** ftfy.fix_text behaviour, fix by fix, with input/output pairs checked against ftfy 6.1.1. */
class TextFixerTest {

    static Stream<Arguments> oracleCases() {
        List<Arguments> cases = new ArrayList<>();
        JsonNode all = ClipFixtures.oracleCases();
        for (int i = 0; i < all.size(); i++) {
            cases.add(Arguments.of(i, all.get(i).get("text").textValue(), all.get(i).get("fixed").textValue()));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "ftfy case {0}")
    @MethodSource("oracleCases")
    void matchesFtfyOnGeneratedText(int index, String text, String fixed) {
        assertEquals(fixed, TextFixer.fixText(text), () -> "text: " + ClipTokenizerGoldenTest.escape(text));
    }

    @Nested
    class Mojibake {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
                "Ã©cole|école",
                "schÃ¶n|schön",
                "sÃ³|só",
                "â€™|’",
                "âœ” No problems|✔ No problems",
                "Ð¿Ñ€Ð¸Ð²ÐµÑ‚|привет",
                "æ—¥æœ¬èªž|日本語",
                "cafÃ© naÃ¯ve|café naïve",
        })
        void utf8ReadAsWindows1252OrLatin1IsRedecoded(String broken, String fixed) {
            assertEquals(fixed, MojibakeFixer.fixEncoding(broken));
        }

        @Test
        void emojiReadAsWindows1252KeepsItsUndefinedByteAsAC1Control() {
            assertEquals("🐱", MojibakeFixer.fixEncoding("ðŸ\u0090±"));
        }

        @Test
        void curlyQuoteMojibakeBecomesCurlyQuotesThenFixTextStraightensThem() {
            assertEquals("“quoted”", MojibakeFixer.fixEncoding("â€œquotedâ€\u009d"));
            assertEquals("\"quoted\"", TextFixer.fixText("â€œquotedâ€\u009d"));
        }

        @Test
        void aGraveWithItsNoBreakSpaceTurnedIntoASpaceIsRestored() {
            assertEquals("voilà le travail", MojibakeFixer.fixEncoding("voilÃ le travail"));
        }

        @Test
        void bytesLostToTheReplacementCharacterBecomeOneReplacementCharacter() {
            assertEquals("“ like this �", MojibakeFixer.fixEncoding("â€œ like this â€\uFFFD"));
        }

        @Test
        void cesu8AndJavaNullAreDecodedByTheVariantCodec() {
            // U+1F600 as CESU-8 (two three-byte surrogates), read as Latin-1
            assertEquals("x😀", MojibakeFixer.fixEncoding("x\u00ED\u00A0\u00BD\u00ED\u00B8\u0080"));
        }

        @Test
        void embeddedMojibakeIsFixedWhereTheWholeTextCannotBe() {
            assertEquals("Ω café ✔", MojibakeFixer.fixEncoding("Ω cafÃ© âœ”"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"café", "naïve résumé", "Zürich", "¿qué?", "ÅNGSTRÖM", "Ελληνικά", "日本語",
                "€100 and £5", "Straße", "© 2023 ™"})
        void correctTextIsLeftAlone(String text) {
            assertFalse(Badness.isBad(text));
            assertEquals(text, MojibakeFixer.fixEncoding(text));
        }

        @Test
        void badnessSpotsMojibakeSequences() {
            assertTrue(Badness.isBad("Ã©"));
            assertTrue(Badness.isBad("â€™"));
            assertTrue(Badness.isBad("\u0085")); // a C1 control
            assertFalse(Badness.isBad("plain text"));
        }

        @Test
        void legacyCharsetsMatchPythonsCodecsWithFtfysSloppyHoles() {
            assertEquals('\u0081', LegacyCharset.SLOPPY_WINDOWS_1252.decode(0x81)); // undefined: Latin-1's
            assertEquals('€', LegacyCharset.SLOPPY_WINDOWS_1252.decode(0x80));
            assertEquals('\uFFFD', LegacyCharset.SLOPPY_WINDOWS_1252.decode(0x1A)); // lossy marker
            assertEquals('\u00AA', LegacyCharset.SLOPPY_WINDOWS_1253.decode(0xAA));
            assertEquals('А', LegacyCharset.SLOPPY_WINDOWS_1251.decode(0xC0));
            assertEquals('€', LegacyCharset.MAC_ROMAN.decode(0xDB));
            assertEquals('Ç', LegacyCharset.CP437.decode(0x80));
            assertEquals('Ą', LegacyCharset.ISO_8859_2.decode(0xA1));
            assertTrue(LegacyCharset.LATIN_1.canEncode("\u001A\u00FF"));
            assertFalse(LegacyCharset.SLOPPY_WINDOWS_1252.canEncode("\u001A"));
            assertFalse(LegacyCharset.LATIN_1.canEncode("€"));
        }

        @Test
        void c1ControlsAreReadAsWindows1252() {
            assertEquals("…“”€", MojibakeFixer.fixC1Controls("\u0085\u0093\u0094\u0080"));
            assertEquals("\u0081", MojibakeFixer.fixC1Controls("\u0081")); // undefined in Windows-1252: kept
            assertEquals("a … b", TextFixer.fixText("a \u0085 b"));
        }
    }

    @Nested
    class Normalization {
        @Test
        void combiningSequencesAreComposed() {
            assertEquals("é", TextFixer.fixText("e\u0301"));
            assertEquals("Å", TextFixer.fixText("A\u030A"));
        }

        @Test
        void compatibilityCharactersSurviveNfc() {
            assertEquals("x² ½ ℃", TextFixer.fixText("x² ½ ℃"));
        }
    }

    @Nested
    class Ligatures {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({"ﬁsh,fish", "ﬂuﬃest,fluffiest", "ﬀ ﬄ ﬆ,ff ffl st", "Ĳssel,IJssel", "ǅemal,Džemal", "ǈubljana,Ljubljana"})
        void latinLigaturesAreSplit(String in, String out) {
            assertEquals(out, TextFixer.fixLatinLigatures(in));
            assertEquals(out, TextFixer.fixText(in));
        }

        @Test
        void intentionalLigaturesStay() {
            assertEquals("æ œ", TextFixer.fixText("æ œ"));
        }
    }

    @Nested
    class Width {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({"ＡＢＣ,ABC", "ＬＯＵＤ　ＮＯＩＳＥＳ,LOUD NOISES", "１２３！,123!", "Ｕﾀｰﾝ,Uターン", "ｶﾀｶﾅ,カタカナ"})
        void fullwidthAndHalfwidthFormsAreNormalised(String in, String out) {
            assertEquals(out, TextFixer.fixCharacterWidth(in));
            assertEquals(out, TextFixer.fixText(in));
        }

        @Test
        void ideographicSpaceBecomesASpace() {
            assertEquals("a b", TextFixer.fixCharacterWidth("a\u3000b"));
        }
    }

    @Nested
    class Quotes {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', quoteCharacter = '`', value = {"it’s|it's", "‘single’|'single'", "“double”|\"double\"", "‛x‟|'x\"",
                "ʼn|'n", "„low“|\"low\""})
        void curlyQuotesAreStraightened(String in, String out) {
            assertEquals(out, TextFixer.uncurlQuotes(in));
            assertEquals(out, TextFixer.fixText(in));
        }

        @Test
        void otherQuoteMarksStay() {
            assertEquals("«guillemets» ‹x›", TextFixer.fixText("«guillemets» ‹x›"));
        }
    }

    @Nested
    class ControlCharacters {
        @Test
        void invisibleControlsAreRemoved() {
            assertEquals("ab", TextFixer.fixText("a\u0007b"));
            assertEquals("ab", TextFixer.fixText("\uFEFFab"));
            assertEquals("ab", TextFixer.fixText("a\u0000\u0008\u000B\u000E\u001F\u007Fb"));
            assertEquals("ab", TextFixer.fixText("a\u206A\u206F\uFFF9\uFFFCb"));
        }

        @Test
        void whitespaceControlsJoinersAndBidiMarksStay() {
            assertEquals("a\tb\nc\fd", TextFixer.removeControlChars("a\tb\nc\fd"));
            assertEquals("a\u200Bb\u200Dc\u200Fd", TextFixer.fixText("a\u200Bb\u200Dc\u200Fd"));
        }

        @Test
        void terminalEscapesAreRemoved() {
            assertEquals("I'm blue", TextFixer.fixText("\u001B[36;44mI'm blue\u001B[0m"));
        }

        @Test
        void loneSurrogatesBecomeReplacementCharacters() {
            assertEquals("a\uFFFDb", TextFixer.fixText("a\uD800b"));
            assertEquals("😀", TextFixer.fixText("😀"));
        }
    }

    @Nested
    class LineBreaks {
        @Test
        void allLineBreaksBecomeNewlines() {
            assertEquals("a\nb\nc\nd\ne", TextFixer.fixLineBreaks("a\r\nb\rc\u2028d\u2029e"));
            assertEquals("line one\nline two\nline three", TextFixer.fixText("line one\nline two\r\nline three"));
        }
    }

    @Nested
    class HtmlEntities {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
                "&amp;|&",
                "salt &amp; pepper|salt & pepper",
                "&lt;tag&gt;|<tag>",
                "P&eacute;rez|Pérez",
                "P&EACUTE;REZ|PÉREZ",
                "BUNDESSTRA&SZLIG;E|BUNDESSTRASSE",
                "&ntilde; &Ntilde; &NTILDE; &nTILDE;|ñ Ñ Ñ &nTILDE;",
                "&#x2019;s|'s",
                "&#65;&#x42;|AB",
                "&hellip;|…",
                "this&not that|this&not that",
                "&amp;amp;|&",
        })
        void entitiesAreDecodedWhenTheTextHasNoTags(String in, String out) {
            assertEquals(out, TextFixer.fixText(in));
        }

        @Test
        void textWithALessThanSignKeepsItsEntities() {
            assertEquals("<b>bold</b> &amp; more", TextFixer.fixText("<b>bold</b> &amp; more"));
        }

        @Test
        void theDecisionToKeepEntitiesCarriesOverToLaterLines() {
            assertEquals("&\n<p>\n&amp;", TextFixer.fixText("&amp;\n<p>\n&amp;"));
        }

        @Test
        void pythonHtmlUnescapeFollowsHtml5() {
            assertEquals("&", HtmlUnescaper.unescape("&amp"));
            assertEquals("¬it;", HtmlUnescaper.unescape("&notit;")); // longest known prefix
            assertEquals("∉", HtmlUnescaper.unescape("&notin;"));
            assertEquals("€", HtmlUnescaper.unescape("&#128;"));
            assertEquals("\uFFFD", HtmlUnescaper.unescape("&#0;"));
            assertEquals("\uFFFD", HtmlUnescaper.unescape("&#xD800;"));
            assertEquals("", HtmlUnescaper.unescape("&#7;"));
            assertEquals("😀", HtmlUnescaper.unescape("&#x1F600;"));
            assertEquals("&amp;", HtmlUnescaper.unescape("&amp;amp;"));
            assertEquals("&bogus;", HtmlUnescaper.unescape("&bogus;"));
        }
    }

    @Nested
    class Passthrough {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"a photo of a cat", "東京の夜景", "고양이 사진", "🐱🐶 cat emoji 👍🏽",
                "(masterpiece), [best quality]", "3.14159 is pi"})
        void ordinaryTextIsUnchanged(String text) {
            assertEquals(text, TextFixer.fixText(text));
        }

        @Test
        void emptyTextStaysEmpty() {
            assertEquals("", TextFixer.fixText(""));
        }
    }
}
