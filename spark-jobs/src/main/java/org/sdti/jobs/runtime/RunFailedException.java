package org.sdti.jobs.runtime;

/**
 * A run that stopped for a reason its message explains in full (e.g. a NaN loss, with the checkpoint that was
 * kept): the CLI prints the message on one line, without a stack trace, and exits 1.
 */
public class RunFailedException extends RuntimeException {
    public RunFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
