package org.sdti.model.text;

import java.io.IOException;

/** A tokenizer file that is missing or cannot be used; the message names the file and the problem. */
public class TokenizerFileException extends IOException {
    public TokenizerFileException(String file, String problem) {
        super(file + ": " + problem);
    }

    public TokenizerFileException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
