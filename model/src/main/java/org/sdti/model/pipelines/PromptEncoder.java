package org.sdti.model.pipelines;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.text.ClipTokenizer;

/**
 * Prompts to {@code encoder_hidden_states}: the tokenizer (with any learned tokens added, which expands
 * multi-vector tokens in the text) and the text encoder, whose added-token rows are the learned vectors in the
 * order the tokens were added. Immutable; build one per set of learned tokens.
 */
public final class PromptEncoder {
    private final ClipTokenizer tokenizer;
    private final TextEncoder encoder;
    private final INDArray addedRows;

    private PromptEncoder(ClipTokenizer tokenizer, TextEncoder encoder, INDArray addedRows) {
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.addedRows = addedRows;
    }

    /**
     * @throws IllegalArgumentException when an embedding's width is not the text encoder's hidden size, or its
     *     token (or one of its {@code token_j} names) is already known
     */
    public static PromptEncoder of(StableDiffusion model, List<TokenEmbeddings> embeddings) {
        TextEncoder encoder = model.textEncoder();
        int hidden = encoder.config().hiddenSize();
        ClipTokenizer tokenizer = model.tokenizer();
        int vocab = encoder.embedding().vocabSize();
        List<float[]> rows = new ArrayList<>();
        for (TokenEmbeddings e : embeddings) {
            if (e.width() != hidden) {
                throw new IllegalArgumentException(e.source() + ": embedding '" + e.token() + "' has vectors of width "
                        + e.width() + " but the text encoder of " + model.location() + " takes width " + hidden
                        + " (an embedding trained for another model)");
            }
            tokenizer = tokenizer.withAddedToken(e.token(), e.numVectors());
            // the tokenizer numbers added names right after the table, in the order rows are stacked here
            int first = tokenizer.tokenId(e.token()).orElseThrow();
            if (first != vocab + rows.size()) {
                throw new IllegalStateException("token '" + e.token() + "' got id " + first + ", expected "
                        + (vocab + rows.size()));
            }
            for (float[] r : e.rows()) {
                rows.add(r);
            }
        }
        INDArray added = null;
        if (!rows.isEmpty()) {
            float[] flat = new float[rows.size() * hidden];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, flat, i * hidden, hidden);
            }
            added = Nd4j.create(flat, new long[] {rows.size(), hidden}, 'c');
        }
        return new PromptEncoder(tokenizer, encoder, added);
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** The 77 ids of a text. */
    public long[] ids(String text) {
        int[] ids = tokenizer.encode(text);
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** {@code last_hidden_state [texts, 77, hidden]}, one text-encoder call for all texts. */
    public INDArray encode(List<String> texts) {
        long[][] ids = new long[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ids(texts.get(i));
        }
        return encoder.encode(ids, addedRows).castTo(DataType.FLOAT);
    }

    /**
     * Encodes each distinct text once and returns row {@code i} = the embedding of {@code texts[i]}, as
     * {@code [texts, 77, hidden]}.
     */
    public INDArray encodeEach(List<String> texts) {
        Map<String, Integer> distinct = new LinkedHashMap<>();
        int[] index = new int[texts.size()];
        for (int i = 0; i < index.length; i++) {
            index[i] = distinct.computeIfAbsent(texts.get(i), t -> distinct.size());
        }
        INDArray unique = encode(new ArrayList<>(distinct.keySet()));
        if (distinct.size() == texts.size()) {
            return unique;
        }
        return Nd4j.pullRows(unique.reshape(unique.size(0), -1), 1, index, 'c')
                .reshape(texts.size(), unique.size(1), unique.size(2));
    }
}
