package org.sdti.model.config;

import org.sdti.model.BadInputException;


/** A model configuration file that is missing a required key or holds a value sdti cannot use. */
public class ConfigException extends BadInputException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
