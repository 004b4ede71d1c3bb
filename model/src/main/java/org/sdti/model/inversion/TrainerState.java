package org.sdti.model.inversion;

import java.io.Serializable;
import java.util.Objects;

/**
 * A concept's training state between two steps, complete: what a checkpoint stores and what the Spark job
 * broadcasts. The new rows and the AdamW moments are in {@link #optimizer()}; its step count is the training step
 * (one optimizer step per training step). There is no generator state to carry: every draw of step {@code s} comes
 * from the stream {@code (seed, concept, replica, s)} ({@link StepRandom}), so {@code (seed, concept, step)} is the
 * whole random state.
 *
 * @param concept    keys the random streams
 * @param seed       the run's seed
 * @param numVectors rows of the new token ({@code optimizer.params} holds {@code numVectors × hidden} floats)
 * @param optimizer  rows, first and second moments, step
 */
public record TrainerState(String concept, long seed, int numVectors, AdamW.State optimizer) implements Serializable {
    public TrainerState {
        Objects.requireNonNull(concept, "concept");
        Objects.requireNonNull(optimizer, "optimizer");
        int n = optimizer.params().length;
        if (numVectors < 1 || n == 0 || n % numVectors != 0) {
            throw new IllegalArgumentException(n + " values do not make " + numVectors + " rows");
        }
    }

    /** Step 0: the rows as initialised ({@code [numVectors][hidden]}), zero moments. */
    public static TrainerState initial(String concept, long seed, float[][] rows) {
        int hidden = rows[0].length;
        float[] flat = new float[rows.length * hidden];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != hidden) {
                throw new IllegalArgumentException("rows of different widths");
            }
            System.arraycopy(rows[i], 0, flat, i * hidden, hidden);
        }
        return new TrainerState(concept, seed, rows.length, AdamW.State.initial(flat));
    }

    /** Training steps done. */
    public long step() {
        return optimizer.step();
    }

    public int hidden() {
        return optimizer.params().length / numVectors;
    }

    /** The rows, row-major {@code [numVectors·hidden]} (a copy). */
    public float[] rows() {
        return optimizer.params();
    }

    /** The rows as {@code [numVectors][hidden]}. */
    public float[][] rowMatrix() {
        float[] flat = rows();
        int h = hidden();
        float[][] out = new float[numVectors][h];
        for (int i = 0; i < numVectors; i++) {
            System.arraycopy(flat, i * h, out[i], 0, h);
        }
        return out;
    }

    public TrainerState withOptimizer(AdamW.State next) {
        return new TrainerState(concept, seed, numVectors, next);
    }
}
