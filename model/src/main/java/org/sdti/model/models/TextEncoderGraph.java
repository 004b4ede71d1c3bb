package org.sdti.model.models;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The text encoder as built into a SameDiff graph, with the names a caller feeds and reads.
 *
 * @param sd the graph (the encoder's own for inference, the caller's for training)
 * @param batch number of id rows the graph takes (fixed)
 * @param length ids per row (fixed, at most max_position_embeddings)
 * @param numVectors number of added-token rows; 0 means the graph has no {@code mask}/{@code rows} inputs
 * @param base placeholder {@code [batch, length, hidden]}: the frozen table lookup
 * @param mask placeholder {@code [batch, length, numVectors]}, or null
 * @param rows {@code [numVectors, hidden]}: a VARIABLE (the only one) when {@code trainable}, else a placeholder;
 *     null when numVectors is 0
 * @param output {@code [batch, length, hidden]}: last_hidden_state (after the final LayerNorm)
 * @param hiddenStates token rows {@code [batch·length, hidden]}: [0] the embeddings, [i] the output of layer i-1
 */
public record TextEncoderGraph(SameDiff sd, int batch, int length, int numVectors, String base, String mask,
        String rows, String output, List<String> hiddenStates, boolean trainable) {

    public SDVariable outputVariable() {
        return sd.getVariable(output);
    }

    /** The array a trainable graph holds for {@code rows}: read it, or assign into it to set new rows. */
    public INDArray rowsValue() {
        if (!trainable) {
            throw new IllegalStateException("rows is a placeholder in this graph; pass it with the inputs");
        }
        return sd.getArrForVarName(rows);
    }

    /** The {@code base} and {@code mask} placeholders for a lookup (training: rows live in the graph). */
    public Map<String, INDArray> placeholders(TokenEmbedding.Inputs in) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(base, in.base());
        if (mask != null) {
            ph.put(mask, in.mask());
        }
        return ph;
    }

    /** All placeholders of an inference graph: the lookup plus the added rows (null when numVectors is 0). */
    public Map<String, INDArray> placeholders(TokenEmbedding.Inputs in, INDArray addedRows) {
        Map<String, INDArray> ph = placeholders(in);
        if (rows != null && !trainable) {
            ph.put(rows, addedRows);
        }
        return ph;
    }
}
