package org.sdti.model;

/**
 * Input the user must fix: a flag, a job-file or model-config key, or a file they named that is missing, malformed
 * or past one of sdti's caps. The message is one line that starts with what is wrong ({@link #source()}: the file,
 * key or flag) and says what was expected; the CLI prints it and exits 2. Unchecked, so that a format error deep in
 * a reader reaches the edge whatever the callers in between declare; an {@link IllegalArgumentException} from
 * inside sdti stays a bug.
 */
public class BadInputException extends RuntimeException {
    private final String source;

    /** A problem with {@code source} (a file, key or flag); the message is {@code source: problem}. */
    public BadInputException(String source, String problem) {
        this(source, problem, null);
    }

    public BadInputException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** A message that names its file, key or flag itself. */
    public BadInputException(String message) {
        this(message, (Throwable) null);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
        this.source = null;
    }

    /** Another reader's problem passed on under a more specific type: same message and source. */
    protected BadInputException(BadInputException cause) {
        super(cause.getMessage(), cause);
        this.source = cause.source;
    }

    /** The file, key or flag at fault, or null when only the message names it. */
    public String source() {
        return source;
    }
}
