package org.sdti.model.text;

import java.util.regex.Pattern;

/**
 * ftfy's mojibake heuristic ({@code badness.is_bad}): text is "bad" when it contains a juxtaposition of characters
 * that is far likelier to come from UTF-8 decoded in a single-byte encoding than from real writing, such as an
 * accented capital followed by a currency sign. The character groups are ftfy 6.1's (the ~400 characters that UTF-8
 * mojibake in its supported encodings produces); the expression is kept in ftfy's order to ease comparison.
 */
final class Badness {
    // Character groups (bodies of character classes).
    private static final String C1 = "\\u0080-\\u009F";
    private static final String COMMON = "\\u00A0\\u00AD\\u00B4\\u00B7\\u2013-\\u2015\\u2019\\u2026";
    private static final String BAD = "\\u00A4\\u00A6-\\u00A8\\u00AA\\u00AC\\u00AF\\u00B6\\u00B8\\u00BA\\u0192\\u02C6"
            + "\\u02C7\\u02D8\\u02DB\\u02DC\\u2020\\u2021\\u2030\\u2310\\u25CA\\uFFFD";
    private static final String CURRENCY = "\\u00A2\\u00A3\\u00A5\\u20A7\\u20AC";
    private static final String START_PUNCT = "\\u00A1\\u00A9\\u00AB\\u00BF\\u0384\\u0385\\u2018\\u201A\\u201C\\u201E"
            + "\\u2022\\u2039\\uF8FF";
    private static final String END_PUNCT = "\\u00AE\\u00BB\\u02DD\\u201D\\u203A\\u2122";
    private static final String NUMERIC = "\\u00B1-\\u00B3\\u00B5\\u00B9\\u00BC-\\u00BE\\u00D7\\u00F7\\u2044\\u2116"
            + "\\u2202\\u2206\\u220F\\u2211\\u221A\\u221E\\u2229\\u222B\\u2248\\u2260\\u2261\\u2264\\u2265";
    /** Letters that emoticons (kaomoji) use, so they need more evidence. */
    private static final String KAOMOJI = "\\u00B0\\u00D2-\\u00D6\\u00D9-\\u00DC\\u00F2-\\u00F6\\u00F8-\\u00FC\\u0150";
    private static final String UPPER_ACCENTED = "\\u00C0-\\u00D1\\u00D8\\u00DC\\u00DD\\u0102\\u0104\\u0106\\u010C"
            + "\\u010E\\u0110\\u0118\\u011A\\u011E\\u0130\\u0139\\u013D\\u0141\\u0143\\u0147\\u0152\\u0158\\u015A\\u015E"
            + "\\u0160\\u0162\\u0164\\u016E\\u0170\\u0178\\u0179\\u017B\\u017D\\u0490";
    private static final String LOWER_ACCENTED = "\\u00DF-\\u00F1\\u00FC\\u0103\\u0105\\u0107\\u010D\\u010F\\u0111"
            + "\\u0119\\u011B\\u011F\\u013A\\u013E\\u0142\\u0153\\u0155\\u015B\\u015F\\u0161\\u0165\\u017A\\u017C\\u017E"
            + "\\u0491\\uFB01\\uFB02";
    private static final String UPPER_COMMON = "\\u00DE\\u0386\\u0388-\\u038A\\u038C\\u038E\\u038F\\u0391-\\u03AB"
            + "\\u0401-\\u042F";
    private static final String LOWER_COMMON = "\\u03AC-\\u03C9\\u0430-\\u045F";
    private static final String BOX = "\\u2502\\u250C\\u2510\\u2518\\u251C\\u2524\\u252C\\u253C\\u2550-\\u256C"
            + "\\u2580\\u2584\\u2588\\u258C\\u2590-\\u2593";

    /** Python re's {@code \s} (str.isspace) and {@code \w} (str.isalnum or '_'). */
    private static final String PY_SPACE = "[\\t\\n\\x0B\\f\\r\\x1C-\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029"
            + "\\u202F\\u205F\\u3000]";
    private static final String PY_WORD = "[\\p{L}\\p{N}_]";

    private static final Pattern BADNESS = Pattern.compile(String.join("|",
            cls(C1),
            cls(BAD + LOWER_ACCENTED + UPPER_ACCENTED + BOX + START_PUNCT + END_PUNCT + CURRENCY + NUMERIC) + cls(BAD),
            "[a-zA-Z]" + cls(LOWER_COMMON + UPPER_COMMON) + cls(BAD),
            cls(BAD) + cls(LOWER_ACCENTED + UPPER_ACCENTED + BOX + START_PUNCT + END_PUNCT + CURRENCY + NUMERIC),
            cls(LOWER_ACCENTED + LOWER_COMMON + BOX + END_PUNCT + CURRENCY + NUMERIC) + cls(UPPER_ACCENTED),
            cls(BOX + END_PUNCT + CURRENCY + NUMERIC) + cls(LOWER_ACCENTED),
            // not [upper_accented][currency] alone: that appears in leetspeak-like writing
            cls(LOWER_ACCENTED + BOX + END_PUNCT) + cls(CURRENCY),
            PY_SPACE + cls(UPPER_ACCENTED) + cls(CURRENCY),
            cls(UPPER_ACCENTED + BOX) + cls(NUMERIC),
            cls(LOWER_ACCENTED + UPPER_ACCENTED + BOX + CURRENCY + END_PUNCT) + cls(START_PUNCT) + cls(NUMERIC),
            cls(LOWER_ACCENTED + UPPER_ACCENTED + CURRENCY + NUMERIC + BOX) + cls(END_PUNCT) + cls(START_PUNCT),
            cls(CURRENCY + NUMERIC + BOX) + cls(START_PUNCT),
            "[a-z]" + cls(UPPER_ACCENTED) + cls(START_PUNCT + CURRENCY),
            cls(BOX) + cls(KAOMOJI),
            cls(LOWER_ACCENTED + UPPER_ACCENTED + CURRENCY + NUMERIC + START_PUNCT + END_PUNCT) + cls(BOX),
            cls(BOX) + cls(END_PUNCT),
            cls(LOWER_ACCENTED + UPPER_ACCENTED) + cls(END_PUNCT) + PY_WORD,
            // the ligature oe not followed by an unaccented Latin letter
            "[\\u0152\\u0153][^A-Za-z]",
            // common Windows-1252 two-character mojibake not covered above
            "[\\u00C2\\u00C3\\u00CE\\u00D0]" + cls("\\u20AC\\u0160\\u0161\\u00A2\\u00A3\\u0178\\u017E\\u00A0\\u00AD\\u00AE"
                    + "\\u00A9\\u00B0\\u00B7\\u00BB" + START_PUNCT + END_PUNCT + "\\u2013\\u2014\\u00B4"),
            "\\u00D7[\\u00B2\\u00B3]",
            // Windows-1252 mojibake of Arabic: needs the common characters, so four characters are required
            arabic() + arabic(),
            // Windows-1252 mojibake starting 3-byte sequences of some South Asian scripts
            "\\u00E0[\\u00B2\\u00B5\\u00B9\\u00BC\\u00BD\\u00BE]",
            // MacRoman mojibake not covered above
            "\\u221A[\\u00B1\\u2202\\u2020\\u2260\\u00AE\\u2122\\u00B4\\u2264\\u2265\\u00A5\\u00B5\\u00F8]",
            "\\u2248[\\u00B0\\u00A2]",
            "\\u201A\\u00C4[\\u00EC\\u00EE\\u00EF\\u00F2\\u00F4\\u00FA\\u00F9\\u00FB\\u2020\\u00B0\\u00A2\\u03C0]",
            "\\u201A[\\u00E2\\u00F3][\\u00E0\\u00E4\\u00B0\\u00EA]",
            // Windows-1251 mojibake of characters in the U+2000 range
            "\\u0432\\u0402",
            // Windows-1251 mojibake of Latin-1 or Cyrillic: three characters, since two-character forms are common
            "[\\u0412\\u0413\\u0420\\u0421]" + cls(C1 + BAD + START_PUNCT + END_PUNCT + CURRENCY + "\\u00B0\\u00B5")
                    + "[\\u0412\\u0413\\u0420\\u0421]",
            // Windows-1251 over Latin-1 over Windows-1252, next to a Latin letter
            "\\u0413\\u045E\\u0412\\u0402\\u0412.[A-Za-z ]",
            // Windows-1252 encodings of a-grave, a-acute and no-break space itself
            "\\u00C3[\\u00A0\\u00A1]",
            "[a-z]" + PY_SPACE + "?[\\u00C3\\u00C2] ",
            "^[\\u00C3\\u00C2] ",
            // A-circumflex standing before the very character it encodes
            "[a-z.,?!" + END_PUNCT + "]\\u00C2[ " + START_PUNCT + END_PUNCT + "]",
            // Windows-1253 mojibake of characters in the U+2000 range
            "\\u03B2\\u20AC[\\u2122\\u00A0\\u0386\\u00AD\\u00AE\\u00B0]",
            // Windows-1253 mojibake of Latin-1 or Greek
            "[\\u0392\\u0393\\u039E\\u039F]" + cls(C1 + BAD + START_PUNCT + END_PUNCT + CURRENCY + "\\u00B0")
                    + "[\\u0392\\u0393\\u039E\\u039F]"),
            Pattern.UNIX_LINES); // '.' excludes only '\n', as in Python

    private Badness() {}

    /** True when the text contains at least one sequence that looks like mojibake. */
    static boolean isBad(String text) {
        return BADNESS.matcher(text).find();
    }

    private static String cls(String body) {
        return "[" + body + "]";
    }

    private static String arabic() {
        return "[\\u00D8\\u00D9]" + cls(COMMON + CURRENCY + BAD + NUMERIC + START_PUNCT
                + "\\u0178\\u0160\\u00AE\\u00B0\\u00B5\\u00BB");
    }
}
