package org.sdti.model.embeddings;

import org.sdti.model.BadInputException;


/** An embedding file that cannot be read or used; the message starts with the file and names the problem. */
public class EmbeddingFileException extends BadInputException {
    public EmbeddingFileException(String source, String problem) {
        super(source, problem);
    }

    public EmbeddingFileException(String source, String problem, Throwable cause) {
        super(source, problem, cause);
    }

    /** Passes on another reader's error, whose message already names the file. */
    static EmbeddingFileException wrapping(BadInputException e) {
        return e instanceof EmbeddingFileException already ? already : new EmbeddingFileException(e);
    }

    private EmbeddingFileException(BadInputException cause) {
        super(cause);
    }
}
