package org.sdti.model.text;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * {@code ftfy.fix_text} (ftfy 6.1, default settings), the first cleaning step of the CLIP tokenizer. The text is
 * fixed line by line; each line goes through HTML entity decoding (only while no line so far contained '<', ftfy's
 * "auto" mode), mojibake repair, C1 controls, Latin ligatures, character width, curly quotes, line breaks,
 * surrogates, terminal escapes, control characters and NFC, repeated until it stops changing. Stateless and
 * thread-safe.
 */
public final class TextFixer {
    /** ftfy fixes text in segments of at most this many code points (lines are usually shorter). */
    private static final int MAX_SEGMENT = 1_000_000;
    private static final int MAX_ROUNDS = 64;

    // ftfy's (?:\d|;)* as a possessive class: Java's engine recurses once per repetition of an alternation group,
    // so a long run of digits overflowed the stack; a repeated class is a loop
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\\x1B\\[[\\p{Nd};]*+[a-zA-Z]");
    /** Character width map: U+3000 and U+FF01..U+FFEF to their NFKC forms (fullwidth ASCII, halfwidth kana...). */
    private static final String[] WIDTH_MAP = buildWidthMap();

    private TextFixer() {}

    /** {@code ftfy.fix_text(text)} with ftfy's default configuration. */
    public static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int newline = text.indexOf('\n', pos);
            int end = newline < 0 ? text.length() : newline + 1;
            if (text.codePointCount(pos, end) > MAX_SEGMENT) {
                end = text.offsetByCodePoints(pos, MAX_SEGMENT);
            }
            String segment = text.substring(pos, end);
            // "auto": a literal '<' means real HTML, whose entities stay; ftfy keeps that decision for later lines
            if (unescapeHtml && segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String original = text;
            if (unescapeHtml) {
                text = HtmlUnescaper.unescapeStrict(text);
            }
            text = MojibakeFixer.fixEncoding(text);
            text = MojibakeFixer.fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = removeTerminalEscapes(text);
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(original)) {
                break;
            }
        }
        return text;
    }

    /** Latin typographic ligatures and legacy digraph characters to their letters (not æ or œ, used on purpose). */
    static String fixLatinLigatures(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            String replacement = ligature(text.charAt(i));
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                out.append(replacement != null ? replacement : String.valueOf(text.charAt(i)));
            }
        }
        return out == null ? text : out.toString();
    }

    private static String ligature(char c) {
        switch (c) {
            case '\u0132': return "IJ";
            case '\u0133': return "ij";
            case '\u0149': return "\u02BCn";
            case '\u01F1': return "DZ";
            case '\u01F2': return "Dz";
            case '\u01F3': return "dz";
            case '\u01C4': return "D\u017D";
            case '\u01C5': return "D\u017E";
            case '\u01C6': return "d\u017E";
            case '\u01C7': return "LJ";
            case '\u01C8': return "Lj";
            case '\u01C9': return "lj";
            case '\u01CA': return "NJ";
            case '\u01CB': return "Nj";
            case '\u01CC': return "nj";
            case '\uFB00': return "ff";
            case '\uFB01': return "fi";
            case '\uFB02': return "fl";
            case '\uFB03': return "ffi";
            case '\uFB04': return "ffl";
            case '\uFB05': return "\u017Ft";
            case '\uFB06': return "st";
            default: return null;
        }
    }

    /** Fullwidth forms to ASCII (U+3000 to a space) and halfwidth katakana/hangul to their standard forms. */
    static String fixCharacterWidth(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = c == '\u3000' ? " " : c >= 0xFF01 && c < 0xFFF0 ? WIDTH_MAP[c - 0xFF01] : null;
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /** Curly single quotes (and U+02BC) to "'", curly double quotes to '"'. */
    static String uncurlQuotes(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char replacement = c == '\u02BC' || (c >= '\u2018' && c <= '\u201B') ? '\''
                    : c >= '\u201C' && c <= '\u201F' ? '"' : c;
            if (replacement != c && out == null) {
                out = new StringBuilder(text);
            }
            if (out != null) {
                out.setCharAt(i, replacement);
            }
        }
        return out == null ? text : out.toString();
    }

    /** CRLF, CR, U+2028, U+2029 and U+0085 to '\n'. */
    static String fixLineBreaks(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    /** Unpaired UTF-16 surrogates to U+FFFD (paired ones are already whole characters in a Java string). */
    static String fixSurrogates(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean lone = Character.isSurrogate(c);
            if (lone && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(lone ? '\uFFFD' : c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** ANSI terminal escapes such as colour codes. */
    static String removeTerminalEscapes(String text) {
        return text.indexOf('\u001B') < 0 ? text : TERMINAL_ESCAPE.matcher(text).replaceAll("");
    }

    /**
     * Control characters with no visible effect: C0 controls but tab, LF, FF and CR; DEL; deprecated Arabic
     * format controls U+206A..U+206F; the byte order mark U+FEFF; interlinear annotation and object replacement
     * characters U+FFF9..U+FFFC. C1 controls, joiners and bidi marks are kept.
     */
    static String removeControlChars(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean remove = isRemovedControl(c);
            if (remove && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null && !remove) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean isRemovedControl(char c) {
        return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F)
                || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
    }

    private static String[] buildWidthMap() {
        String[] map = new String[0xFFF0 - 0xFF01];
        for (char c = 0xFF01; c < 0xFFF0; c++) {
            String s = String.valueOf(c);
            String nfkc = Normalizer.normalize(s, Normalizer.Form.NFKC);
            map[c - 0xFF01] = nfkc.equals(s) ? null : nfkc;
        }
        return map;
    }
}
