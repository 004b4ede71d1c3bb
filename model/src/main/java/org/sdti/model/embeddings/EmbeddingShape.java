package org.sdti.model.embeddings;

import java.util.Arrays;

/** Turns a stored tensor's shape into vectors × width: {@code [dim]} is one vector, {@code [n, dim]} n of them. */
final class EmbeddingShape {
    private EmbeddingShape() {}

    /** The number of vectors; the width is the last dimension. */
    static int count(long[] shape, String tensor, String source) throws EmbeddingFileException {
        boolean ok = (shape.length == 1 || shape.length == 2) && Arrays.stream(shape).allMatch(d -> d > 0);
        if (!ok) {
            throw new EmbeddingFileException(source, "tensor '" + tensor + "' has shape " + Arrays.toString(shape)
                    + "; an embedding is [width] or [vectors, width]");
        }
        if (shape.length == 2 && shape[0] > LearnedEmbedding.MAX_VECTORS) {
            throw new EmbeddingFileException(source, "tensor '" + tensor + "' has " + shape[0] + " vectors, more than"
                    + " the " + LearnedEmbedding.MAX_VECTORS + " a prompt can hold (the cap on vectors)");
        }
        // diffusers <= 0.15 saved one vector 1-D; everyone loads it as [1, dim]
        return shape.length == 1 ? 1 : Math.toIntExact(shape[0]);
    }

    /**
     * The embedding {@code token} names: a token a prompt can hold (visible characters, no whitespace or control
     * characters, at most {@link LearnedEmbedding#MAX_TOKEN_CHARS}). Values are kept bit for bit, NaN included:
     * the users of the vectors refuse those ({@link LearnedEmbedding#nonFinite()}).
     */
    static LearnedEmbedding embedding(String token, long[] shape, float[] flat, EmbeddingMetadata metadata,
            String tensor, String source) throws EmbeddingFileException {
        String bad = LearnedEmbedding.tokenProblem(token);
        if (bad != null) {
            throw new EmbeddingFileException(source, "token " + LearnedEmbedding.quote(token) + " (from "
                    + tensor + ") " + bad);
        }
        return LearnedEmbedding.ofFlat(token, count(shape, tensor, source), flat, metadata);
    }
}
