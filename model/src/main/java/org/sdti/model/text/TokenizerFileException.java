package org.sdti.model.text;

import org.sdti.model.BadInputException;


/** A tokenizer file that is missing or cannot be used; the message names the file and the problem. */
public class TokenizerFileException extends BadInputException {
    public TokenizerFileException(String file, String problem) {
        super(file, problem);
    }

    public TokenizerFileException(String file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
