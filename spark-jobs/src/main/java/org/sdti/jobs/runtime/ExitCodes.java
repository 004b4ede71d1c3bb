package org.sdti.jobs.runtime;

import java.io.FileNotFoundException;
import org.sdti.dataprep.FileRefusedException;
import org.sdti.dataprep.TemplateFileException;
import org.sdti.model.BadInputException;

/** Exit codes an orchestrator (Airflow, cron) can act on. */
public final class ExitCodes {
    /** Everything asked for was done. */
    public static final int OK = 0;
    /** Anything unexpected: a crash, an I/O failure. */
    public static final int FAILURE = 1;
    /** Bad input: an unknown flag, a bad config value, a missing model folder, an unusable file. */
    public static final int BAD_INPUT = 2;
    /** Some concepts failed; the others are done. */
    public static final int PARTIAL = 3;

    /**
     * Bad input exits 2: a {@link BadInputException} (job-file keys, model configs, weight, tokenizer and embedding
     * files included), a Typesafe error in a job file, data-prep's template and refused files (data-prep does not
     * depend on model) or a file the user named that is missing. Everything else
     * exits 1, including an {@link IllegalArgumentException} from inside sdti, which is a bug, not bad input
     * (the commands turn the ones that come from user input into a {@link BadInputException} where they call).
     * The causes are walked because Spark wraps an executor's exception in its own.
     */
    public static int of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadInputException || t instanceof com.typesafe.config.ConfigException
                    || t instanceof FileNotFoundException || t instanceof TemplateFileException
                    || t instanceof FileRefusedException) {
                return BAD_INPUT;
            }
        }
        return FAILURE;
    }

    private ExitCodes() {}
}
