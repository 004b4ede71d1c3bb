package org.sdti.model.text;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.HashMap;
import java.util.Map;

/**
 * The single-byte encodings ftfy tries when it suspects mojibake, in the order it tries them. The "sloppy"
 * Windows code pages decode their undefined bytes as the Latin-1 character of the same number (as browsers do),
 * and use byte 0x1A for U+FFFD so that text already damaged by a lossy decoder can still be re-encoded.
 */
enum LegacyCharset {
    LATIN_1("ISO-8859-1", false),
    SLOPPY_WINDOWS_1252("windows-1252", true),
    SLOPPY_WINDOWS_1251("windows-1251", true),
    SLOPPY_WINDOWS_1250("windows-1250", true),
    SLOPPY_WINDOWS_1253("windows-1253", true),
    SLOPPY_WINDOWS_1254("windows-1254", true),
    ISO_8859_2("ISO-8859-2", false),
    MAC_ROMAN("x-MacRoman", false),
    CP437("IBM437", false);

    private static final int NO_BYTE = -1;

    private final boolean sloppy;
    private final char[] decode = new char[256];
    /** char to byte for every char this encoding can produce. */
    private final Map<Character, Integer> encode = new HashMap<>(512);

    LegacyCharset(String javaName, boolean sloppy) {
        this.sloppy = sloppy;
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        String chars;
        try {
            chars = Charset.forName(javaName).newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(all)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
        for (int b = 0; b < 256; b++) {
            char c = chars.charAt(b);
            if (c == '\uFFFD') {
                if (!sloppy) {
                    throw new IllegalStateException(javaName + " leaves byte " + b + " undefined");
                }
                c = (char) b;
            }
            if (sloppy && b == 0x1A) {
                c = '\uFFFD';
            }
            if (b < 0x80 && c != b && b != 0x1A) {
                throw new IllegalStateException(javaName + " is not ASCII-compatible at byte " + b);
            }
            decode[b] = c;
            if (encode.put(c, b) != null) {
                throw new IllegalStateException(javaName + " maps two bytes to U+" + Integer.toHexString(c));
            }
        }
    }

    boolean isSloppy() {
        return sloppy;
    }

    char decode(int b) {
        return decode[b & 0xFF];
    }

    private int byteOf(char c) {
        if (c < 0x80 && c != 0x1A) {
            return c; // every one of these encodings is ASCII-compatible
        }
        return encode.getOrDefault(c, NO_BYTE);
    }

    /** ftfy's {@code possible_encoding}: could every character of the text have come from this encoding? */
    boolean canEncode(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (byteOf(text.charAt(i)) == NO_BYTE) {
                return false;
            }
        }
        return true;
    }

    /** Encodes text for which {@link #canEncode} holds. */
    byte[] encode(String text) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            int b = byteOf(text.charAt(i));
            if (b == NO_BYTE) {
                throw new IllegalArgumentException("U+" + Integer.toHexString(text.charAt(i)) + " is not in " + this);
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
