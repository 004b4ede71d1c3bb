package org.sdti.dataprep;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Caption sidecar files: UTF-8 text, any line breaks, turned into one line. */
public final class Captions {
    private Captions() {
    }

    /**
     * The caption in a sidecar's bytes: UTF-8 (a BOM is dropped), every run of whitespace including line breaks
     * folded to one space, trimmed; empty when nothing is left (the image then counts as uncaptioned).
     *
     * @throws CharacterCodingException when the bytes are not UTF-8 (reported, never guessed at)
     */
    public static Optional<String> parse(byte[] file) throws CharacterCodingException {
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(file)).toString();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String caption = text.replaceAll("(?U)\\s+", " ").strip();
        return caption.isEmpty() ? Optional.empty() : Optional.of(caption);
    }
}
