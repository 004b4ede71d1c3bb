package org.sdti.model.embeddings;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The two containers embedding files come in, recognised by their first bytes (extensions are unreliable). */
enum Container {
    SAFETENSORS, TORCH_ZIP;

    /** Bytes {@link #detect} looks at. */
    static final int HEAD = 16;

    static Container detect(byte[] head, long size, String source) throws EmbeddingFileException {
        if (size == 0) {
            throw new EmbeddingFileException(source, "the file is empty");
        }
        if (startsWith(head, 'P', 'K', 3, 4) || startsWith(head, 'P', 'K', 5, 6)) {
            return TORCH_ZIP;
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            throw new EmbeddingFileException(source, "a bare pickle (torch's format before 1.6); only torch's zip"
                    + " format is supported: load and torch.save it again with torch >= 1.6");
        }
        if (startsWith(head, 0x89, 'P', 'N', 'G') || startsWith(head, 'R', 'I', 'F', 'F')) {
            throw new EmbeddingFileException(source, "an image; embeddings hidden in images (A1111 PNG/WebP) are"
                    + " not supported");
        }
        if (head.length >= 9 && head[8] == '{') {
            long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength > 0 && headerLength <= size - 8) {
                return SAFETENSORS;
            }
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            hex.append(String.format("%s%02x", i == 0 ? "" : " ", head[i] & 0xff));
        }
        throw new EmbeddingFileException(source, "neither a safetensors file nor a torch zip archive (starts with "
                + hex + ")");
    }

    private static boolean startsWith(byte[] head, int... prefix) {
        if (head.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if ((head[i] & 0xff) != prefix[i]) return false;
        }
        return true;
    }
}
