package org.sdti.dataprep;

/** A file of a concept folder that gives no training example, and why. */
public record Rejection(String source, Reason reason, String detail) {
    public enum Reason {
        /** Zero bytes. */
        EMPTY,
        /** Not a PNG, JPEG, GIF, BMP or WebP file (judged by content, not name). */
        NOT_AN_IMAGE,
        /** Has an image signature but does not decode (truncated, corrupt, unsupported variant). */
        UNREADABLE,
        /** Shorter side below the configured minimum. */
        TOO_SMALL,
        /** More pixels than the configured maximum (a decompression bomb or a scan far beyond any need). */
        TOO_LARGE,
        /** The same bytes as an image already accepted: it would silently double that image's weight. */
        DUPLICATE,
        /** A dot file (.DS_Store, ._name from macOS, editors' backups): never an image. */
        HIDDEN,
        /** A {@code .txt} caption whose image is not there. */
        ORPHAN_CAPTION
    }

    /** {@code source: detail}, for logs and error messages. */
    public String message() {
        return source + ": " + detail;
    }
}
