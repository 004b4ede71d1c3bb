package org.sdti.model.text;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict UTF-8 decoding, and ftfy's "utf-8-variants" decoding, which also accepts CESU-8 (UTF-16 surrogate pairs
 * each encoded as three bytes) and Java's two-byte NUL (C0 80). Both throw {@link CharacterCodingException} where
 * Python's decoders raise, which is how ftfy learns that a re-decoding attempt failed.
 */
final class Utf8Decoder {
    // Byte patterns run over a "byte string": one char per byte, as ISO-8859-1. UNIX_LINES makes '$' behave like
    // Python's (end, or before a final '\n').
    private static final String CESU8 = "\\xED([\\xA0-\\xAF]|$)([\\x80-\\xBF]|$)(\\xED|$)([\\xB0-\\xBF]|$)([\\x80-\\xBF]|$)";
    private static final Pattern CESU8_PAIR = Pattern.compile(CESU8, Pattern.UNIX_LINES);
    private static final Pattern SPECIAL = Pattern.compile(
            "(\\xC0(\\x80|$))|(" + CESU8 + ")|(\\xED([\\xA0-\\xBF]|$)([\\x80-\\xBF]|$))", Pattern.UNIX_LINES);

    private Utf8Decoder() {}

    static String decodeStrict(byte[] bytes, int from, int to) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
    }

    /** ftfy's utf-8-variants codec (decoding only; the input is final). */
    static String decodeVariants(byte[] bytes) throws CharacterCodingException {
        String asBytes = new String(bytes, StandardCharsets.ISO_8859_1);
        Matcher special = SPECIAL.matcher(asBytes);
        Matcher pair = CESU8_PAIR.matcher(asBytes);
        StringBuilder out = new StringBuilder(bytes.length);
        int pos = 0;
        while (pos < bytes.length) {
            if (!special.find(pos)) {
                out.append(decodeStrict(bytes, pos, bytes.length));
                break;
            }
            if (special.start() > pos) {
                out.append(decodeStrict(bytes, pos, special.start()));
                pos = special.start();
                continue;
            }
            int remaining = bytes.length - pos;
            if ((bytes[pos] & 0xFF) == 0xC0) {
                if (remaining < 2) {
                    out.append(decodeStrict(bytes, pos, bytes.length)); // throws: truncated sequence
                }
                out.append('\u0000');
                pos += 2;
            } else if (remaining < 6) {
                out.append(decodeStrict(bytes, pos, bytes.length)); // throws: an encoded surrogate
                break;
            } else if (pair.region(pos, bytes.length).lookingAt()) {
                int cp = ((bytes[pos + 1] & 0x0F) << 16) + ((bytes[pos + 2] & 0x3F) << 10)
                        + ((bytes[pos + 4] & 0x0F) << 6) + (bytes[pos + 5] & 0x3F) + 0x10000;
                out.appendCodePoint(cp);
                pos += 6;
            } else {
                out.append(decodeStrict(bytes, pos, pos + 3)); // throws: a lone encoded surrogate
                pos += 3;
            }
        }
        return out.toString();
    }
}
