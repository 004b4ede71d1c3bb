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
        // diffusers <= 0.15 saved one vector 1-D; everyone loads it as [1, dim]
        return shape.length == 1 ? 1 : Math.toIntExact(shape[0]);
    }

    static LearnedEmbedding embedding(String token, long[] shape, float[] flat, EmbeddingMetadata metadata,
            String tensor, String source) throws EmbeddingFileException {
        return LearnedEmbedding.ofFlat(token, count(shape, tensor, source), flat, metadata);
    }
}
