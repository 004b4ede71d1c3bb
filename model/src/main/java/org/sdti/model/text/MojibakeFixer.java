package org.sdti.model.text;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ftfy's {@code fix_encoding}: when {@link Badness} says the text looks like mojibake, re-encode it in the first
 * single-byte encoding that can represent it and decode the bytes as UTF-8 ({@code Ã©cole} → {@code école}),
 * repeating until nothing changes. Also the sub-steps ftfy runs inside it: restoring byte A0 that became a space,
 * marking bytes lost by a lossy decoder, fixing UTF-8 mojibake embedded in otherwise fine text, and reading
 * leftover C1 controls as Windows-1252.
 */
final class MojibakeFixer {
    /** Guards against a cycle (none is known; ftfy itself would loop forever). */
    private static final int MAX_ROUNDS = 64;

    // Byte patterns over "byte strings" (ISO-8859-1, one char per byte).
    /** UTF-8 sequences that would be valid if one 0x20 were 0xA0 (a no-break space turned into a space). */
    private static final Pattern ALTERED_UTF8 = Pattern.compile(
            "[\\xC2\\xC3\\xC5\\xCE\\xD0\\xD9][ ]"
                    + "|[\\xE2\\xE3][ ][\\x80-\\x84\\x86-\\x9F\\xA1-\\xBF]"
                    + "|[\\xE0-\\xE3][\\x80-\\x84\\x86-\\x9F\\xA1-\\xBF][ ]"
                    + "|[\\xF0][ ][\\x80-\\xBF][\\x80-\\xBF]"
                    + "|[\\xF0][\\x80-\\xBF][ ][\\x80-\\xBF]"
                    + "|[\\xF0][\\x80-\\xBF][\\x80-\\xBF][ ]");
    /** "Ã " as a word is "à " (French/Portuguese), except before the Portuguese contractions "às", "àquele"... */
    private static final Pattern A_GRAVE_WORD = Pattern.compile("\\xC3 (?! |quele|quela|quilo|s )");
    /** UTF-8 sequences with bytes lost to U+FFFD (encoded as 0x1A by the sloppy codecs) or, once, to '?'. */
    private static final Pattern LOSSY_UTF8 = Pattern.compile(
            "[\\xC2-\\xDF][\\x1A]"
                    + "|[\\xC2-\\xC3][?]"
                    + "|\\xED[\\xA0-\\xAF][\\x1A?]\\xED[\\xB0-\\xBF][\\x1A?\\x80-\\xBF]"
                    + "|\\xED[\\xA0-\\xAF][\\x1A?\\x80-\\xBF]\\xED[\\xB0-\\xBF][\\x1A?]"
                    + "|[\\xE0-\\xEF][\\x1A?][\\x1A\\x80-\\xBF]"
                    + "|[\\xE0-\\xEF][\\x1A\\x80-\\xBF][\\x1A?]"
                    + "|[\\xF0-\\xF4][\\x1A?][\\x1A\\x80-\\xBF][\\x1A\\x80-\\xBF]"
                    + "|[\\xF0-\\xF4][\\x1A\\x80-\\xBF][\\x1A?][\\x1A\\x80-\\xBF]"
                    + "|[\\xF0-\\xF4][\\x1A\\x80-\\xBF][\\x1A\\x80-\\xBF][\\x1A?]"
                    + "|\\x1A");
    private static final String UTF8_REPLACEMENT = "\u00EF\u00BF\u00BD"; // U+FFFD as a byte string

    // Character groups that locate UTF-8 mojibake inside otherwise correct text.
    private static final String FIRST_OF_2 = "\\u00C2-\\u00DF\\u0102\\u0106\\u010C\\u010E\\u0110\\u0118\\u011A\\u011E"
            + "\\u0130\\u0139\\u0143\\u0147\\u0150\\u0158\\u015E\\u0162\\u016E\\u0170\\u0392-\\u03A1\\u03A3-\\u03AF"
            + "\\u0412-\\u042F";
    private static final String FIRST_OF_3 = "\\u00E0-\\u00EF\\u0103\\u0107\\u010D\\u010F\\u0119\\u011B\\u013A\\u0155"
            + "\\u03B0-\\u03BF\\u0430-\\u043F";
    private static final String FIRST_OF_4 = "\\u00F0\\u00F3\\u0111\\u011F\\u03C0\\u03C3\\u0440\\u0443";
    /** Characters bytes 0x80..0xBF become; the strict set leaves out spaces, dashes, quotes and ellipses. */
    private static final String CONTINUATION_STRICT = "\\u0080-\\u00BF\\u0104\\u0105\\u013D\\u013E\\u0141\\u0142"
            + "\\u0152\\u0153\\u015A\\u015B\\u015E-\\u0161\\u0164\\u0165\\u0178-\\u017E\\u0192\\u02C6\\u02C7\\u02D8"
            + "\\u02DB-\\u02DD\\u0384-\\u0386\\u0388-\\u038A\\u038C\\u038E\\u038F\\u0401-\\u040C\\u040E\\u040F"
            + "\\u0451-\\u045C\\u045E\\u045F\\u0490\\u0491\\u2020-\\u2022\\u2030\\u2039\\u203A\\u20AC\\u2116\\u2122";
    private static final String CONTINUATION = CONTINUATION_STRICT + " \\u2013-\\u2015\\u2018-\\u201A\\u201C-\\u201E"
            + "\\u2026";
    // ftfy's UTF8_DETECTOR_RE, (?<![strict])(?:[first2][cont]|[first3][cont]{2}|[first4][cont]{3})+, is scanned
    // by hand (utf8Run): Java's regex engine recurses once per repetition of such a group, so a few thousand
    // characters of mojibake overflowed the stack. The first-byte classes are disjoint and nothing follows the
    // repetition, so the regex's match is the longest run of sequences, which is what the scan takes.
    private static final Predicate<String> IS_FIRST_OF_2 = Pattern.compile("[" + FIRST_OF_2 + "]").asMatchPredicate();
    private static final Predicate<String> IS_FIRST_OF_3 = Pattern.compile("[" + FIRST_OF_3 + "]").asMatchPredicate();
    private static final Predicate<String> IS_FIRST_OF_4 = Pattern.compile("[" + FIRST_OF_4 + "]").asMatchPredicate();
    private static final Predicate<String> IS_CONTINUATION = Pattern.compile("[" + CONTINUATION + "]")
            .asMatchPredicate();
    private static final Predicate<String> IS_CONTINUATION_STRICT = Pattern.compile("[" + CONTINUATION_STRICT + "]")
            .asMatchPredicate();

    private MojibakeFixer() {}

    /** ftfy's {@code fix_encoding} with default settings. */
    static String fixEncoding(String text) {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String fixed = fixOneStep(text);
            if (fixed.equals(text)) {
                return fixed;
            }
            text = fixed;
        }
        return text;
    }

    /** ftfy's {@code fix_c1_controls}: U+0080..U+009F read as the Windows-1252 bytes they most likely were. */
    static String fixC1Controls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, LegacyCharset.SLOPPY_WINDOWS_1252.decode(c));
            }
        }
        return out == null ? text : out.toString();
    }

    private static String fixOneStep(String text) {
        if (text.isEmpty() || isAscii(text) || !Badness.isBad(text)) {
            return text;
        }
        boolean latin1Possible = false;
        for (LegacyCharset charset : LegacyCharset.values()) {
            if (!charset.canEncode(text)) {
                continue;
            }
            latin1Possible |= charset == LegacyCharset.LATIN_1;
            String bytes = new String(charset.encode(text), StandardCharsets.ISO_8859_1);
            if (ALTERED_UTF8.matcher(bytes).find()) {
                bytes = restoreByteA0(bytes);
            }
            if (charset.isSloppy()) {
                bytes = LOSSY_UTF8.matcher(bytes).replaceAll(UTF8_REPLACEMENT);
            }
            byte[] raw = bytes.getBytes(StandardCharsets.ISO_8859_1);
            try {
                return bytes.indexOf('\u00ED') >= 0 || bytes.indexOf('\u00C0') >= 0
                        ? Utf8Decoder.decodeVariants(raw)
                        : Utf8Decoder.decodeStrict(raw, 0, raw.length);
            } catch (CharacterCodingException notUtf8) {
                // try the next encoding
            }
        }
        if (utf8Run(text, 0) != null) {
            String fixed = decodeInconsistentUtf8(text);
            if (!fixed.equals(text)) {
                return fixed;
            }
        }
        if (latin1Possible) {
            // Latin-1 but not Windows-1252 means C1 controls: read the whole text as strict Windows-1252
            String fixed = decodeWindows1252Strict(text);
            if (fixed != null && !fixed.equals(text)) {
                return fixed;
            }
        }
        if (hasC1(text)) {
            return fixC1Controls(text);
        }
        // mixups between two single-byte encodings are left alone, as ftfy does
        return text;
    }

    private static String restoreByteA0(String bytes) {
        String spaced = A_GRAVE_WORD.matcher(bytes).replaceAll("\u00C3\u00A0 ");
        Matcher m = ALTERED_UTF8.matcher(spaced);
        StringBuilder out = new StringBuilder(spaced.length());
        int last = 0;
        while (m.find()) {
            out.append(spaced, last, m.start()).append(m.group().replace(' ', '\u00A0'));
            last = m.end();
        }
        return out.append(spaced, last, spaced.length()).toString();
    }

    /** Fixes each UTF-8-looking run on its own, where that run alone looks bad. */
    private static String decodeInconsistentUtf8(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        for (int[] r = utf8Run(text, 0); r != null; r = utf8Run(text, r[1])) {
            String run = text.substring(r[0], r[1]);
            // a shorter run than the whole text, so that this cannot recurse forever
            String replacement = run.length() < text.length() && Badness.isBad(run) ? fixEncoding(run) : run;
            out.append(text, last, r[0]).append(replacement);
            last = r[1];
        }
        return out.append(text, last, text.length()).toString();
    }

    /** The first run of UTF-8-looking sequences at or after {@code from}: {start, end}, or null. */
    static int[] utf8Run(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (i > 0 && is(IS_CONTINUATION_STRICT, text.charAt(i - 1))) {
                continue;
            }
            int end = i;
            for (int n; end < text.length() && (n = utf8SequenceAt(text, end)) > 0; end += n) {
                // take sequences while they follow each other
            }
            if (end > i) {
                return new int[] {i, end};
            }
        }
        return null;
    }

    /** The length of the UTF-8-looking sequence starting at {@code i} (2 to 4), or 0. */
    private static int utf8SequenceAt(String text, int i) {
        char c = text.charAt(i);
        int n = is(IS_FIRST_OF_2, c) ? 2 : is(IS_FIRST_OF_3, c) ? 3 : is(IS_FIRST_OF_4, c) ? 4 : 0;
        if (n == 0 || i + n > text.length()) {
            return 0;
        }
        for (int k = 1; k < n; k++) {
            if (!is(IS_CONTINUATION, text.charAt(i + k))) {
                return 0;
            }
        }
        return n;
    }

    private static boolean is(Predicate<String> charClass, char c) {
        return charClass.test(String.valueOf(c));
    }

    /** Latin-1 bytes decoded as Windows-1252 without the sloppy extension; null where a byte is undefined. */
    private static String decodeWindows1252Strict(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D) {
                return null;
            }
            out.append(c >= 0x80 ? LegacyCharset.SLOPPY_WINDOWS_1252.decode(c) : c);
        }
        return out.toString();
    }

    private static boolean hasC1(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                return false;
            }
        }
        return true;
    }
}
