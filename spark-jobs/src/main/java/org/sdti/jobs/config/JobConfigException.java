package org.sdti.jobs.config;

import org.sdti.model.BadInputException;

/** A job-file key with a missing, unknown or wrong value; the message starts with the key's full path. */
public final class JobConfigException extends BadInputException {
    private final String key;

    public JobConfigException(String key, String problem) {
        super((key.endsWith(":") ? key + " " : key + ": ") + problem); // a FILE:LINE: place ends with its colon
        this.key = key;
    }

    /** The full path of the offending key, e.g. {@code sdti.concepts[1].vectors}. */
    public String key() {
        return key;
    }

    @Override
    public String source() {
        return key;
    }
}
