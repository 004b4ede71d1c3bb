package org.sdti.model.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two HTML entity decoders the reference cleaning uses: Python's {@code html.unescape} (HTML5 rules: legacy
 * names without ';', longest-prefix matching, numeric references remapped as browsers do), applied twice by the
 * CLIP tokenizer, and ftfy's stricter {@code unescape_html} (only references ending in ';', plus all-caps forms of
 * lowercase entity names such as {@code &EACUTE;}).
 */
final class HtmlUnescaper {
    private static final Pattern CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
    /** name (with or without ';') to replacement, from the WHATWG table shipped as a resource. */
    private static final Map<String, String> HTML5 = loadTable();
    /** "&name;" to replacement, as ftfy builds it. */
    private static final Map<String, String> FTFY_ENTITIES = buildFtfyEntities();


    private HtmlUnescaper() {}

    /** Python's {@code html.unescape}. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        return CHARREF.matcher(s).replaceAll(m -> Matcher.quoteReplacement(replaceCharref(m.group(1))));
    }

    /** ftfy's {@code fixes.unescape_html}. */
    static String unescapeStrict(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        return FTFY_ENTITY.matcher(s).replaceAll(m -> Matcher.quoteReplacement(fixupEntity(m.group())));
    }

    private static String fixupEntity(String text) {
        String known = FTFY_ENTITIES.get(text);
        if (known != null) {
            return known;
        }
        if (text.startsWith("&#")) {
            String decoded = unescape(text);
            // a partly decoded reference (e.g. "&#65abc;") is left alone
            return decoded.indexOf(';') >= 0 ? text : decoded;
        }
        return text;
    }

    private static String replaceCharref(String s) {
        if (s.charAt(0) == '#') {
            String digits = s.endsWith(";") ? s.substring(0, s.length() - 1) : s;
            boolean hex = digits.charAt(1) == 'x' || digits.charAt(1) == 'X';
            return numericReference(parseCodePoint(digits.substring(hex ? 2 : 1), hex ? 16 : 10));
        }
        String exact = HTML5.get(s);
        if (exact != null) {
            return exact;
        }
        for (int x = s.length() - 1; x > 1; x--) { // longest known prefix, as the HTML5 tokenizer does
            String prefix = HTML5.get(s.substring(0, x));
            if (prefix != null) {
                return prefix + s.substring(x);
            }
        }
        return "&" + s;
    }

    /** Parses digits; anything past U+10FFFF is reported as Integer.MAX_VALUE. */
    private static int parseCodePoint(String digits, int radix) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            value = value * radix + Character.digit(digits.charAt(i), radix);
            if (value > 0x10FFFF) {
                return Integer.MAX_VALUE;
            }
        }
        return (int) value;
    }

    private static String numericReference(int cp) {
        if (cp == 0x00) {
            return "\uFFFD";
        }
        if (cp == 0x0D) {
            return "\r";
        }
        if (cp >= 0x80 && cp <= 0x9F) {
            // HTML5 reads these as Windows-1252, keeping the five undefined bytes as C1 controls
            return String.valueOf(LegacyCharset.SLOPPY_WINDOWS_1252.decode(cp));
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return "\uFFFD";
        }
        boolean invalid = (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
        return invalid ? "" : new String(Character.toChars(cp));
    }

    private static Map<String, String> buildFtfyEntities() {
        Map<String, String> entities = new HashMap<>();
        for (Map.Entry<String, String> e : HTML5.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) {
                continue;
            }
            entities.put("&" + name, e.getValue());
            // all-caps variants only where they are unambiguous: lowercase names not already meaning something
            String upper = "&" + name.toUpperCase(Locale.ROOT);
            if (name.equals(PythonText.lower(name)) && unescape(upper).equals(upper)) {
                entities.put(upper, e.getValue().toUpperCase(Locale.ROOT));
            }
        }
        return Collections.unmodifiableMap(entities);
    }

    private static Map<String, String> loadTable() {
        Map<String, String> table = new HashMap<>(4096);
        try (InputStream in = HtmlUnescaper.class.getResourceAsStream("html5-entities.txt")) {
            if (in == null) {
                throw new IllegalStateException("resource html5-entities.txt is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                table.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read html5-entities.txt", e);
        }
        return Collections.unmodifiableMap(table);
    }
}
