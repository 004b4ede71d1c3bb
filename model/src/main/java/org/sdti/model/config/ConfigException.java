package org.sdti.model.config;

/** A model configuration file that is missing a required key or holds a value sdti cannot use. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
