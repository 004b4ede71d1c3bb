package org.sdti.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cleaning before BPE, and the Python string semantics it needs. */
class ClipTextCleanerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "ΟΔΥΣΣΕΥΣ|οδυσσευς",
            "ΣΑΣ ΣΑΣ.|σας σας.",
            "Σ|σ",
            "ΑΣ\u0301|ας\u0301",    // a combining mark after final sigma is case-ignorable
            "Α.Σ|α.ς",              // so is '.' before it
            "ΑΣΑ|ασα",
            "1Σ|1σ",
            "İstanbul|i\u0307stanbul",
            "ÀÉÎ ǅ Ω|àéî ǆ ω",
            "ᾼ|ᾳ",
    })
    void lowerIsPythonsFullLowercase(String in, String out) {
        assertEquals(out, PythonText.lower(in));
    }

    @Test
    void pythonStripAlsoRemovesInformationSeparators() {
        assertEquals("a", PythonText.strip("\u001C\u001F a \u3000\u00A0"));
        assertEquals("\u200Ba", PythonText.strip("\u200Ba"));
    }

    @Test
    void whitespaceRunsCollapseWithUnicodeWhiteSpaceButNotZeroWidthSpace() {
        assertEquals("a b c d e", ClipTextCleaner.clean("a\u00A0b\u2003c\u3000d \t\n e"));
        assertEquals("a\u200Bb", ClipTextCleaner.clean("a\u200Bb"));
        assertEquals("leading and trailing spaces", ClipTextCleaner.clean("  leading and trailing spaces   "));
    }

    @Test
    void htmlIsUnescapedTwiceAfterFtfy() {
        assertEquals("& triple", ClipTextCleaner.clean("&amp;amp;amp; triple"));
        assertEquals("<b>bold</b> & more", ClipTextCleaner.clean("<b>bold</b> &amp; more"));
        assertEquals("<tag> and \"quotes\"", ClipTextCleaner.clean("&lt;tag&gt; and &quot;quotes&quot;"));
    }

    @Test
    void cleaningCombinesFtfyWhitespaceAndLowercase() {
        assertEquals("école it's fish abc é", ClipTextCleaner.clean("Ã‰cole It’s ﬁsh ＡＢＣ E\u0301"));
    }
}
