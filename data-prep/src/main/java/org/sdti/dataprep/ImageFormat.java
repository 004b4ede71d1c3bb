package org.sdti.dataprep;

import java.util.Optional;

/** The picture formats concept folders may hold, recognised by their first bytes, never by the file name. */
public enum ImageFormat {
    PNG, JPEG, GIF, BMP, WEBP;

    /** The format whose signature {@code data} starts with, if any. */
    public static Optional<ImageFormat> sniff(byte[] data) {
        if (startsWith(data, 0, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n')) {
            return Optional.of(PNG);
        }
        if (startsWith(data, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(JPEG);
        }
        if (startsWith(data, 0, 'G', 'I', 'F', '8', '7', 'a') || startsWith(data, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return Optional.of(GIF);
        }
        if (startsWith(data, 0, 'R', 'I', 'F', 'F') && startsWith(data, 8, 'W', 'E', 'B', 'P')) {
            return Optional.of(WEBP);
        }
        // "BM" alone starts too many text files: also require a known DIB header size
        if (startsWith(data, 0, 'B', 'M') && data.length >= 18) {
            int dib = (data[14] & 0xFF) | (data[15] & 0xFF) << 8 | (data[16] & 0xFF) << 16 | (data[17] & 0xFF) << 24;
            if (dib == 12 || dib == 16 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108
                    || dib == 124) {
                return Optional.of(BMP);
            }
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] data, int offset, int... signature) {
        if (data.length < offset + signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((data[offset + i] & 0xFF) != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
