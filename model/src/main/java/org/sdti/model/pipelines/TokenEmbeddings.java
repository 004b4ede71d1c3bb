package org.sdti.model.pipelines;

/**
 * A learned token and its embedding vectors, as the pipeline needs it: the placeholder (e.g. {@code <joe-bruin>})
 * and {@code [numVectors][width]} rows. A multi-vector token expands in prompts to {@code token token_1 ...}
 * (the tokenizer's job); row {@code j} is the embedding of the j-th of those names.
 *
 * <p>Kept independent of the embedding file formats: any reader (diffusers, AUTOMATIC1111, kohya) adapts to it.
 *
 * @param token the placeholder string as it appears in prompts
 * @param rows the vectors, all of the same width (the rows are copied; the record never shares them)
 * @param source where the vectors came from (a file name), for messages
 */
public record TokenEmbeddings(String token, float[][] rows, String source) {
    public TokenEmbeddings {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(source + ": the embedding's token must not be empty");
        }
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException(source + ": embedding '" + token + "' has no vectors");
        }
        float[][] copy = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length == 0 || rows[i].length != rows[0].length) {
                throw new IllegalArgumentException(source + ": embedding '" + token + "' has vectors of different "
                        + "or zero width");
            }
            copy[i] = rows[i].clone();
        }
        rows = copy;
        source = source == null ? "(in memory)" : source;
    }

    public TokenEmbeddings(String token, float[][] rows) {
        this(token, rows, null);
    }

    /** A copy of the vectors. */
    @Override
    public float[][] rows() {
        float[][] copy = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            copy[i] = rows[i].clone();
        }
        return copy;
    }

    public int numVectors() {
        return rows.length;
    }

    /** The vectors' width, which must equal the text encoder's hidden size. */
    public int width() {
        return rows[0].length;
    }
}
