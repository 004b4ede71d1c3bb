package org.sdti.model.inversion;

import java.util.Map;

/**
 * A training state as read back from a checkpoint file, with the file's metadata (the training settings it was
 * made with, the token, the base model ...).
 *
 * @param location where it was read from
 */
public record Checkpoint(TrainerState state, Map<String, String> metadata, String location) {
    public Checkpoint {
        metadata = Map.copyOf(metadata);
    }

    public long step() {
        return state.step();
    }
}
