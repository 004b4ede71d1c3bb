package org.sdti.dataprep;

import java.util.Locale;
import java.util.Objects;

/**
 * One file of a concept folder: its name (as reported back, and the key that pairs {@code cat.jpg} with its
 * caption {@code cat.txt}) and where its bytes come from. Names may carry folders ({@code a/b/cat.jpg}); only the
 * last segment matters for hidden files and captions.
 */
public record ImageInput(String name, ByteSource bytes) {
    public ImageInput {
        Objects.requireNonNull(bytes, "bytes");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an image input needs a name");
        }
    }

    /** In-memory bytes (tests, Spark's {@code binaryFiles}). */
    public static ImageInput of(String name, byte[] data) {
        byte[] copy = data.clone();
        return new ImageInput(name, copy::clone);
    }

    /** The last path segment. */
    public String fileName() {
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        return name.substring(slash + 1);
    }

    /** Dot files: .DS_Store, macOS's ._cat.jpg resource forks, editors' .cat.jpg.swp. */
    public boolean isHidden() {
        return fileName().startsWith(".");
    }

    /** A caption sidecar ({@code .txt}, any case). */
    public boolean isCaption() {
        return fileName().toLowerCase(Locale.ROOT).endsWith(".txt");
    }

    /** The name without its last extension and folders: {@code a/cat.01.jpg} → {@code cat.01}. */
    public String stem() {
        String f = fileName();
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }
}
