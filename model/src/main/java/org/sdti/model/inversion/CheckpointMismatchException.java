package org.sdti.model.inversion;

import org.sdti.model.BadInputException;


/**
 * A checkpoint that these settings cannot continue (other settings, vectors, replicas or examples, or past the
 * steps asked for). Its own type so that a caller can treat exactly this as "start over or change the settings",
 * while a bug elsewhere stays a bug.
 */
public class CheckpointMismatchException extends BadInputException {
    public CheckpointMismatchException(String checkpoint, String problem) {
        super(checkpoint, problem);
    }

    @Override
    public String getMessage() {
        return "cannot resume from " + super.getMessage();
    }
}
