package org.sdti.model.io;

import org.sdti.model.BadInputException;


/** A safetensors file that cannot be read as the format defines; the message names the file and the problem. */
public class SafeTensorsException extends BadInputException {
    public SafeTensorsException(String source, String problem) {
        super(source, problem);
    }

    public SafeTensorsException(String source, String problem, Throwable cause) {
        super(source, problem, cause);
    }
}
