package org.sdti.jobs.config;

import org.sdti.model.BadInputException;


/** A job-file key with a missing, unknown or wrong value; the message starts with the key's full path. */
public final class JobConfigException extends BadInputException {
    public JobConfigException(String key, String problem) {
        super(key, problem);
    }

    /** The full path of the offending key, e.g. {@code sdti.concepts[1].vectors}. */
    public String key() {
        return source();
    }
}
