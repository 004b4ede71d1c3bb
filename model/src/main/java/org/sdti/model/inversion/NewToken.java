package org.sdti.model.inversion;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sdti.model.models.TokenEmbedding;
import org.sdti.model.text.ClipTokenizer;

/**
 * The placeholder a concept learns and how its vectors start.
 *
 * <p>The token must be new: not a vocabulary or added token (nor {@code token_1} ... for more vectors), and not a
 * text the tokenizer already reads as one vocabulary word (e.g. {@code Cat} or {@code sks}), whose prompts it
 * would silently take over. The initializer rule: a word that is one token initialises every vector with its row
 * (the reference); a text of exactly {@code vectors} tokens is spread, one token per vector in order
 * ({@code "teddy bear"} with 2 vectors); any other count is rejected, naming the pieces, rather than guessing
 * which pieces to drop or repeat.
 *
 * @param token       e.g. {@code <cat-toy>}
 * @param vectors     rows the token gets, at least 1
 * @param initializer the word (or words) the rows start from
 */
public record NewToken(String token, int vectors, String initializer) {
    /** What a rejection is about, so that a caller can name its own setting (a flag, a job-file key). */
    public enum Part { TOKEN, VECTORS, INITIALIZER }

    /** A token, vector count or initializer that breaks the rule above; the message says why. */
    public static final class Rejected extends IllegalArgumentException {
        private final Part part;

        Rejected(Part part, String message) {
            super(message);
            this.part = part;
        }

        public Part part() {
            return part;
        }
    }

    /** How {@link #initializerIds(ClipTokenizer)} names the vector count in its advice: the train command's flag. */
    private static final String VECTORS_FLAG = "--vectors";

    public NewToken {
        if (token == null || token.isBlank() || token.chars().anyMatch(Character::isWhitespace)) {
            throw new Rejected(Part.TOKEN, "the token must be one word without spaces, not '" + token + "'");
        }
        if (vectors < 1) {
            throw new Rejected(Part.VECTORS, "the token needs at least 1 vector, not " + vectors);
        }
        if (initializer == null || initializer.isBlank()) {
            throw new Rejected(Part.INITIALIZER, "the initializer word is missing");
        }
    }

    /**
     * Both checks against the tokenizer at once: {@code base} with the token added, after checking that the
     * initializer fits the vectors.
     *
     * @param vectorsSetting how the user sets the vector count, for the advice (e.g. {@code --vectors},
     *                       {@code vectors =})
     */
    public ClipTokenizer addChecked(ClipTokenizer base, String vectorsSetting) {
        ClipTokenizer added = addTo(base);
        initializerIds(base, vectorsSetting);
        return added;
    }

    /** {@code base} with the token and its vectors added; fails when the token is not new. */
    public ClipTokenizer addTo(ClipTokenizer base) {
        int[] asText = base.idsOf(token);
        if (asText.length == 1) {
            throw new Rejected(Part.TOKEN, "token '" + token + "' is already in the vocabulary (it reads as '"
                    + base.decode(asText) + "', id " + asText[0] + "); choose a new placeholder such as <"
                    + token + ">");
        }
        try {
            return base.withAddedToken(token, vectors);
        } catch (IllegalArgumentException e) {
            // token_1 ... already taken: still about the token
            throw new Rejected(Part.TOKEN, e.getMessage());
        }
    }

    /** The vocabulary ids each vector starts from, one per vector, per the rule above. */
    public int[] initializerIds(ClipTokenizer base) {
        return initializerIds(base, VECTORS_FLAG);
    }

    private int[] initializerIds(ClipTokenizer base, String vectorsSetting) {
        int[] ids = base.idsOf(initializer);
        if (ids.length == 1) {
            int[] out = new int[vectors];
            Arrays.fill(out, ids[0]);
            return out;
        }
        if (ids.length == vectors) {
            return ids;
        }
        String pieces = Arrays.stream(ids).mapToObj(id -> base.decode(id)).collect(Collectors.joining(", "));
        if (ids.length == 0) {
            throw new Rejected(Part.INITIALIZER, "initializer '" + initializer + "' has no tokens");
        }
        String start = vectors == 1
                ? "initializer '" + initializer + "' is not in the vocabulary as one token"
                : "initializer '" + initializer + "' does not fit the token's " + vectors + " vectors";
        throw new Rejected(Part.INITIALIZER, start + ": it splits into " + ids.length + " tokens (" + pieces
                + "); use a word that is one token, or " + vectorsSetting + " " + ids.length
                + " to start one vector per token");
    }

    /** The initial rows {@code [vectors][hidden]}, copied from the frozen table. */
    public float[][] initialRows(ClipTokenizer base, TokenEmbedding table) {
        int[] ids = initializerIds(base);
        INDArray rows = table.rows(Arrays.stream(ids).asLongStream().toArray());
        float[][] out = new float[vectors][];
        for (int i = 0; i < vectors; i++) {
            out[i] = rows.getRow(i).dup().toFloatVector();
        }
        return out;
    }
}
