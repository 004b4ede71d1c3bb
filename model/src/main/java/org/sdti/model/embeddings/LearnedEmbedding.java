package org.sdti.model.embeddings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A learned placeholder: {@code count()} vectors of {@code width()} floats, and what its file said about it.
 * Immutable: the arrays are copied in and out.
 *
 * @param token    the placeholder string, e.g. {@code <cat-toy>}; with several vectors it names the first
 * @param vectors  {@code [count][width]}, every row the same width
 * @param metadata format, step, base model
 */
public record LearnedEmbedding(String token, float[][] vectors, EmbeddingMetadata metadata) {
    public LearnedEmbedding {
        requireToken(token);
        Objects.requireNonNull(vectors, "vectors");
        Objects.requireNonNull(metadata, "metadata");
        if (vectors.length == 0) {
            throw new IllegalArgumentException("embedding '" + token + "' has no vectors");
        }
        float[][] copy = new float[vectors.length][];
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i] == null || vectors[i].length == 0 || vectors[i].length != vectors[0].length) {
                throw new IllegalArgumentException("embedding '" + token + "': vector " + i + " has "
                        + (vectors[i] == null ? "no values" : vectors[i].length + " values")
                        + "; every vector needs the same positive width (vector 0 has " + vectors[0].length + ")");
            }
            copy[i] = vectors[i].clone();
        }
        vectors = copy;
    }

    public LearnedEmbedding(String token, float[][] vectors) {
        this(token, vectors, EmbeddingMetadata.NONE);
    }

    /** From row-major values: {@code count} vectors of {@code flat.length / count} floats. */
    public static LearnedEmbedding ofFlat(String token, int count, float[] flat, EmbeddingMetadata metadata) {
        if (count <= 0 || flat.length == 0 || flat.length % count != 0) {
            throw new IllegalArgumentException("embedding '" + token + "': " + flat.length
                    + " values do not make " + count + " vectors of equal positive width");
        }
        int width = flat.length / count;
        float[][] rows = new float[count][];
        for (int i = 0; i < count; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return new LearnedEmbedding(token, rows, metadata);
    }

    /** Vectors of one placeholder: a prompt holds 77 ids, 2 of them start and end. */
    public static final int MAX_VECTORS = 75;
    /** Characters of a token; real ones are a few words long. */
    public static final int MAX_TOKEN_CHARS = 200;

    /**
     * What makes {@code token} unusable as a placeholder in a prompt, or null: blank (nothing a prompt could
     * match), control characters (the text clean-up removes them from prompts) or too long.
     */
    public static String tokenProblem(String token) {
        if (token == null || token.isBlank()) {
            return "is blank; a placeholder token needs visible characters";
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            return "is " + token.length() + " characters, more than " + MAX_TOKEN_CHARS + " (the cap on token length)";
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (Character.isISOControl(c)) {
                return "holds a control character (U+" + String.format("%04X", (int) c) + ")";
            }
        }
        return null;
    }

    /** Where the first NaN or infinite value is ("vector 2 holds NaN"), or null when every value is finite. */
    public String nonFinite() {
        for (int i = 0; i < vectors.length; i++) {
            for (float v : vectors[i]) {
                if (!Float.isFinite(v)) {
                    return "vector " + i + " holds " + v;
                }
            }
        }
        return null;
    }

    /** A token for messages: quoted, control characters escaped, cut at 60 characters. */
    public static String quote(String token) {
        if (token == null) return "null";
        StringBuilder b = new StringBuilder("'");
        token.codePoints().limit(60).forEach(c -> b.append(c < 0x20 || c == 0x7f
                ? String.format("\\u%04x", c) : new String(Character.toChars(c))));
        return b.append(token.codePointCount(0, token.length()) > 60 ? "...'" : "'").toString();
    }

    static void requireToken(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("an embedding token must be a non-empty string");
        }
    }

    /** A copy of the vectors. */
    @Override
    public float[][] vectors() {
        float[][] out = new float[vectors.length][];
        for (int i = 0; i < vectors.length; i++) {
            out[i] = vectors[i].clone();
        }
        return out;
    }

    /** Number of vectors (tokens) this placeholder expands to. */
    public int count() {
        return vectors.length;
    }

    /** Floats per vector: the text encoder's hidden size (1024 for SD 2.x). */
    public int width() {
        return vectors[0].length;
    }

    /** A copy of vector {@code i}. */
    public float[] vector(int i) {
        return vectors[i].clone();
    }

    /** All vectors, row-major. */
    public float[] flat() {
        float[] out = new float[count() * width()];
        for (int i = 0; i < vectors.length; i++) {
            System.arraycopy(vectors[i], 0, out, i * width(), width());
        }
        return out;
    }

    /**
     * The tokens the vectors are registered under, diffusers' way: {@code tok, tok_1, ..., tok_{n-1}}
     * ({@code load_textual_inversion}; its {@code maybe_convert_prompt} expands {@code tok} in prompts to all of them).
     */
    public List<String> tokens() {
        List<String> out = new ArrayList<>(count());
        out.add(token);
        for (int i = 1; i < count(); i++) {
            out.add(token + "_" + i);
        }
        return Collections.unmodifiableList(out);
    }

    public LearnedEmbedding withToken(String newToken) {
        return new LearnedEmbedding(newToken, vectors, metadata);
    }

    public LearnedEmbedding withMetadata(EmbeddingMetadata newMetadata) {
        return new LearnedEmbedding(token, vectors, newMetadata);
    }

    /**
     * Fails unless the vectors are {@code expected} wide (the text encoder's hidden size), naming both sizes and,
     * for the widths of known models, which model the embedding was probably made for.
     *
     * @return this, for chaining
     */
    public LearnedEmbedding checkWidth(int expected, String source) throws EmbeddingFileException {
        if (width() != expected) {
            throw new EmbeddingFileException(source, "embedding width " + width()
                    + " does not match the text encoder's " + expected + guess(width()));
        }
        return this;
    }

    private static String guess(int width) {
        return switch (width) {
            case 768 -> " (an SD 1.x embedding?)";
            case 1024 -> " (an SD 2.x embedding?)";
            case 1280 -> " (the clip_g half of an SDXL embedding?)";
            default -> "";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LearnedEmbedding e && token.equals(e.token) && Arrays.deepEquals(vectors, e.vectors)
                && metadata.equals(e.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(token, Arrays.deepHashCode(vectors), metadata);
    }

    @Override
    public String toString() {
        return "LearnedEmbedding[" + token + ", " + count() + "x" + width() + ", " + metadata + "]";
    }
}
