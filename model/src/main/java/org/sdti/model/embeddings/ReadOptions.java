package org.sdti.model.embeddings;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to read an embedding file.
 *
 * @param token         the placeholder to use instead of the one the file implies
 * @param expectedWidth the text encoder's hidden size; a file of another width is rejected
 */
public record ReadOptions(Optional<String> token, OptionalInt expectedWidth) {
    public static final ReadOptions DEFAULTS = new ReadOptions(Optional.empty(), OptionalInt.empty());

    public ReadOptions {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(expectedWidth, "expectedWidth");
        token.ifPresent(LearnedEmbedding::requireToken);
        expectedWidth.ifPresent(w -> {
            if (w <= 0) throw new IllegalArgumentException("expected width must be positive, not " + w);
        });
    }

    public ReadOptions withToken(String t) {
        return new ReadOptions(Optional.of(t), expectedWidth);
    }

    public ReadOptions withExpectedWidth(int width) {
        return new ReadOptions(token, OptionalInt.of(width));
    }
}
