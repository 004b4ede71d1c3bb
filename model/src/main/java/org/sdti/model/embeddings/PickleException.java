package org.sdti.model.embeddings;

/** A pickle that cannot be read; the unpickler adds the file and the byte position. */
final class PickleException extends Exception {
    PickleException(String problem) {
        super(problem);
    }
}
