package org.sdti.model.text;

import java.util.BitSet;
import java.util.function.IntPredicate;

/**
 * ftfy's mojibake heuristic ({@code badness.is_bad}): text is "bad" when it contains a juxtaposition of characters
 * that is far likelier to come from UTF-8 decoded in a single-byte encoding than from real writing, such as an
 * accented capital followed by a currency sign. The character groups are ftfy 6.1's (the ~400 characters that UTF-8
 * mojibake in its supported encodings produces) and the rules are its expression's alternatives, in its order.
 *
 * <p>Every alternative of that expression is a fixed sequence of character classes, so it is matched here as such,
 * with bit-set classes: {@link java.util.regex.Pattern}'s large Unicode classes made this check the slowest part of
 * cleaning non-ASCII text.
 */
final class Badness {
    private static final Chars C1 = chars("\u0080-\u009F");
    private static final Chars COMMON = chars("\u00A0\u00AD\u00B4\u00B7\u2013-\u2015\u2019\u2026");
    private static final Chars BAD = chars("\u00A4\u00A6-\u00A8\u00AA\u00AC\u00AF\u00B6\u00B8\u00BA\u0192"
            + "\u02C6\u02C7\u02D8\u02DB\u02DC\u2020\u2021\u2030\u2310\u25CA\uFFFD");
    private static final Chars CURRENCY = chars("\u00A2\u00A3\u00A5\u20A7\u20AC");
    private static final Chars START_PUNCT = chars("\u00A1\u00A9\u00AB\u00BF\u0384\u0385\u2018\u201A\u201C"
            + "\u201E\u2022\u2039\uF8FF");
    private static final Chars END_PUNCT = chars("\u00AE\u00BB\u02DD\u201D\u203A\u2122");
    private static final Chars NUMERIC = chars("\u00B1-\u00B3\u00B5\u00B9\u00BC-\u00BE\u00D7\u00F7\u2044"
            + "\u2116\u2202\u2206\u220F\u2211\u221A\u221E\u2229\u222B\u2248\u2260\u2261\u2264\u2265");
    /** Letters that emoticons (kaomoji) use, so they need more evidence. */
    private static final Chars KAOMOJI = chars("\u00B0\u00D2-\u00D6\u00D9-\u00DC\u00F2-\u00F6\u00F8-\u00FC"
            + "\u0150");
    private static final Chars UPPER_ACCENTED = chars("\u00C0-\u00D1\u00D8\u00DC\u00DD\u0102\u0104\u0106"
            + "\u010C\u010E\u0110\u0118\u011A\u011E\u0130\u0139\u013D\u0141\u0143\u0147\u0152\u0158\u015A\u015E"
            + "\u0160\u0162\u0164\u016E\u0170\u0178\u0179\u017B\u017D\u0490");
    private static final Chars LOWER_ACCENTED = chars("\u00DF-\u00F1\u00FC\u0103\u0105\u0107\u010D\u010F"
            + "\u0111\u0119\u011B\u011F\u013A\u013E\u0142\u0153\u0155\u015B\u015F\u0161\u0165\u017A\u017C\u017E"
            + "\u0491\uFB01\uFB02");
    private static final Chars UPPER_COMMON = chars("\u00DE\u0386\u0388-\u038A\u038C\u038E\u038F"
            + "\u0391-\u03AB\u0401-\u042F");
    private static final Chars LOWER_COMMON = chars("\u03AC-\u03C9\u0430-\u045F");
    private static final Chars BOX = chars("\u2502\u250C\u2510\u2518\u251C\u2524\u252C\u253C\u2550-\u256C"
            + "\u2580\u2584\u2588\u258C\u2590-\u2593");

    /** Python re's {@code \s} (str.isspace), {@code \w} (str.isalnum or '_') and '.' (anything but '\n'). */
    private static final IntPredicate SPACE = PythonText::isSpace;
    private static final IntPredicate WORD = cp -> Character.isLetterOrDigit(cp) || cp == '_'
            || Character.getType(cp) == Character.LETTER_NUMBER || Character.getType(cp) == Character.OTHER_NUMBER;
    private static final IntPredicate ANY = cp -> cp != '\n';
    private static final Chars ASCII_LETTER = chars("a-zA-Z");
    private static final Chars ASCII_LOWER = chars("a-z");
    private static final IntPredicate NOT_ASCII_LETTER = ASCII_LETTER.negate();

    private static final Chars ACCENTED = any(LOWER_ACCENTED, UPPER_ACCENTED);
    private static final Chars ARABIC_LEAD = chars("\u00D8\u00D9");
    private static final Chars ARABIC_NEXT = any(COMMON, CURRENCY, BAD, NUMERIC, START_PUNCT,
            chars("\u0178\u0160\u00AE\u00B0\u00B5\u00BB"));
    private static final Chars CYRILLIC_VGRS = chars("\u0412\u0413\u0420\u0421");
    private static final Chars GREEK_BGXO = chars("\u0392\u0393\u039E\u039F");

    /** ftfy's alternatives, each a sequence of classes that may occur anywhere. */
    private static final IntPredicate[][] RULES = {
        {C1},
        {any(BAD, ACCENTED, BOX, START_PUNCT, END_PUNCT, CURRENCY, NUMERIC), BAD},
        {ASCII_LETTER, any(LOWER_COMMON, UPPER_COMMON), BAD},
        {BAD, any(ACCENTED, BOX, START_PUNCT, END_PUNCT, CURRENCY, NUMERIC)},
        {any(LOWER_ACCENTED, LOWER_COMMON, BOX, END_PUNCT, CURRENCY, NUMERIC), UPPER_ACCENTED},
        {any(BOX, END_PUNCT, CURRENCY, NUMERIC), LOWER_ACCENTED},
        // not [upper_accented][currency] alone: that appears in leetspeak-like writing
        {any(LOWER_ACCENTED, BOX, END_PUNCT), CURRENCY},
        {SPACE, UPPER_ACCENTED, CURRENCY},
        {any(UPPER_ACCENTED, BOX), NUMERIC},
        {any(ACCENTED, BOX, CURRENCY, END_PUNCT), START_PUNCT, NUMERIC},
        {any(ACCENTED, CURRENCY, NUMERIC, BOX), END_PUNCT, START_PUNCT},
        {any(CURRENCY, NUMERIC, BOX), START_PUNCT},
        {ASCII_LOWER, UPPER_ACCENTED, any(START_PUNCT, CURRENCY)},
        {BOX, KAOMOJI},
        {any(ACCENTED, CURRENCY, NUMERIC, START_PUNCT, END_PUNCT), BOX},
        {BOX, END_PUNCT},
        {ACCENTED, END_PUNCT, WORD},
        // the ligature oe not followed by an unaccented Latin letter
        {chars("\u0152\u0153"), NOT_ASCII_LETTER},
        // common Windows-1252 two-character mojibake not covered above
        {chars("\u00C2\u00C3\u00CE\u00D0"), any(chars("\u20AC\u0160\u0161\u00A2\u00A3\u0178\u017E\u00A0\u00AD\u00AE"
                + "\u00A9\u00B0\u00B7\u00BB\u2013\u2014\u00B4"), START_PUNCT, END_PUNCT)},
        {chars("\u00D7"), chars("\u00B2\u00B3")},
        // Windows-1252 mojibake of Arabic: needs the common characters, so four characters are required
        {ARABIC_LEAD, ARABIC_NEXT, ARABIC_LEAD, ARABIC_NEXT},
        // Windows-1252 mojibake starting 3-byte sequences of some South Asian scripts
        {chars("\u00E0"), chars("\u00B2\u00B5\u00B9\u00BC\u00BD\u00BE")},
        // MacRoman mojibake not covered above
        {chars("\u221A"), chars("\u00B1\u2202\u2020\u2260\u00AE\u2122\u00B4\u2264\u2265\u00A5\u00B5\u00F8")},
        {chars("\u2248"), chars("\u00B0\u00A2")},
        {chars("\u201A"), chars("\u00C4"), chars("\u00EC\u00EE\u00EF\u00F2\u00F4\u00FA\u00F9\u00FB\u2020\u00B0\u00A2"
                + "\u03C0")},
        {chars("\u201A"), chars("\u00E2\u00F3"), chars("\u00E0\u00E4\u00B0\u00EA")},
        // Windows-1251 mojibake of characters in the U+2000 range
        {chars("\u0432"), chars("\u0402")},
        // Windows-1251 mojibake of Latin-1 or Cyrillic: three characters, since two-character forms are common
        {CYRILLIC_VGRS, any(C1, BAD, START_PUNCT, END_PUNCT, CURRENCY, chars("\u00B0\u00B5")), CYRILLIC_VGRS},
        // Windows-1251 over Latin-1 over Windows-1252, next to a Latin letter
        {chars("\u0413"), chars("\u045E"), chars("\u0412"), chars("\u0402"), chars("\u0412"), ANY, chars("A-Za-z ")},
        // Windows-1252 encodings of a-grave, a-acute and no-break space itself
        {chars("\u00C3"), chars("\u00A0\u00A1")},
        {ASCII_LOWER, chars("\u00C3\u00C2"), chars(" ")},
        {ASCII_LOWER, SPACE, chars("\u00C3\u00C2"), chars(" ")},
        // A-circumflex standing before the very character it encodes
        {any(chars("a-z.,?!"), END_PUNCT), chars("\u00C2"), any(chars(" "), START_PUNCT, END_PUNCT)},
        // Windows-1253 mojibake of characters in the U+2000 range
        {chars("\u03B2"), chars("\u20AC"), chars("\u2122\u00A0\u0386\u00AD\u00AE\u00B0")},
        // Windows-1253 mojibake of Latin-1 or Greek
        {GREEK_BGXO, any(C1, BAD, START_PUNCT, END_PUNCT, CURRENCY, chars("\u00B0")), GREEK_BGXO},
    };
    /** ftfy's one anchored alternative: the text starts with Ã or Â and a space. */
    private static final IntPredicate[] AT_START = {chars("\u00C3\u00C2"), chars(" ")};

    /** Characters a rule can start with: elsewhere no rule needs to be tried. */
    private static final BitSet FIRST = firstCharacters();

    private Badness() {}

    /** True when the text contains at least one sequence that looks like mojibake. */
    static boolean isBad(String text) {
        int[] cps = text.codePoints().toArray();
        if (matchesAt(AT_START, cps, 0)) {
            return true;
        }
        for (int i = 0; i < cps.length; i++) {
            if (cps[i] > 0xFFFF || !FIRST.get(cps[i])) {
                continue;
            }
            for (IntPredicate[] rule : RULES) {
                if (matchesAt(rule, cps, i)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matchesAt(IntPredicate[] rule, int[] cps, int at) {
        if (at + rule.length > cps.length) {
            return false;
        }
        for (int k = 0; k < rule.length; k++) {
            if (!rule[k].test(cps[at + k])) {
                return false;
            }
        }
        return true;
    }

    private static BitSet firstCharacters() {
        BitSet first = new BitSet(0x10000);
        for (IntPredicate[] rule : RULES) {
            if (rule[0] instanceof Chars chars) {
                first.or(chars.bits());
            } else {
                for (int c = 0; c < 0x10000; c++) {
                    if (rule[0].test(c)) {
                        first.set(c);
                    }
                }
            }
        }
        return first;
    }

    /** A set of BMP characters written as in a regex class body: single characters and ranges "a-z". */
    private static Chars chars(String spec) {
        BitSet bits = new BitSet();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (i + 2 < spec.length() && spec.charAt(i + 1) == '-') {
                bits.set(c, spec.charAt(i + 2) + 1);
                i += 2;
            } else {
                bits.set(c);
            }
        }
        return new Chars(bits);
    }

    private static Chars any(Chars... sets) {
        BitSet bits = new BitSet(0x10000);
        for (Chars set : sets) {
            bits.or(set.bits);
        }
        return new Chars(bits);
    }

    /** A set of BMP characters. */
    private record Chars(BitSet bits) implements IntPredicate {
        @Override
        public boolean test(int cp) {
            return cp < 0x10000 && bits.get(cp);
        }
    }
}
