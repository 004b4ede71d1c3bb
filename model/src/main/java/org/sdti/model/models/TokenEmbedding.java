package org.sdti.model.models;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.nn.ParamStore;

/**
 * The text encoder's token-embedding lookup, done in plain ND4J outside any graph: SameDiff's {@code gather} has a
 * broken backward, and the frozen table needs no graph at all. The one {@code [vocab, hidden]} table is shared by
 * every graph and never copied.
 *
 * <p>Ids at or above the vocabulary size name added tokens (textual inversion's new rows): id {@code vocab + j} is
 * row {@code j} of a {@code [numVectors, hidden]} matrix the graph adds as {@code base + mask·rows}.
 */
public final class TokenEmbedding {
    public static final String TABLE = "text_model.embeddings.token_embedding.weight";

    /**
     * Graph inputs for a batch of id rows.
     *
     * @param base {@code [batch, length, hidden]}: table rows, zero at added-token positions
     * @param mask {@code [batch, length, numVectors]}: one-hot added-token positions; null when numVectors is 0
     */
    public record Inputs(INDArray base, INDArray mask) {}

    private final INDArray table;

    TokenEmbedding(ParamStore params) {
        this.table = params.array(TABLE);
    }

    public int vocabSize() {
        return (int) table.rows();
    }

    public long hiddenSize() {
        return table.columns();
    }

    public DataType dataType() {
        return table.dataType();
    }

    /** A copy of the table rows of {@code ids} as {@code [ids.length, hidden]}, e.g. to initialise new rows. */
    public INDArray rows(long... ids) {
        int[] idx = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            idx[i] = checkedId(ids[i], 0);
        }
        return Nd4j.pullRows(table, 1, idx, 'c');
    }

    /** Looks up {@code ids [batch][length]}; ids {@code ≥ vocabSize} must be below {@code vocabSize + numVectors}. */
    public Inputs lookup(long[][] ids, int numVectors) {
        int batch = ids.length;
        if (batch == 0 || ids[0].length == 0) {
            throw new IllegalArgumentException("no token ids");
        }
        int length = ids[0].length;
        int vocab = vocabSize();
        int[] idx = new int[batch * length];
        INDArray mask = numVectors > 0 ? Nd4j.zeros(table.dataType(), batch, length, numVectors) : null;
        for (int b = 0; b < batch; b++) {
            if (ids[b].length != length) {
                throw new IllegalArgumentException("id row " + b + " has " + ids[b].length + " ids, row 0 has " + length);
            }
            for (int t = 0; t < length; t++) {
                int id = checkedId(ids[b][t], numVectors);
                if (id >= vocab) {
                    mask.putScalar(new long[] {b, t, id - vocab}, 1.0);
                }
                idx[b * length + t] = id;
            }
        }
        // pull a valid row for added tokens too (row 0), then clear those rows: their value comes from mask·rows
        int[] safe = idx.clone();
        for (int i = 0; i < safe.length; i++) {
            if (safe[i] >= vocab) {
                safe[i] = 0;
            }
        }
        INDArray base = Nd4j.pullRows(table, 1, safe, 'c'); // [batch·length, hidden]
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] >= vocab) {
                base.getRow(i).assign(0);
            }
        }
        return new Inputs(base.reshape(batch, length, hiddenSize()), mask);
    }

    private int checkedId(long id, int numVectors) {
        if (id < 0 || id >= (long) vocabSize() + numVectors) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (" + vocabSize()
                    + (numVectors > 0 ? " + " + numVectors + " added rows" : "") + ")");
        }
        return (int) id;
    }
}
