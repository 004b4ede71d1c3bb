package org.sdti.jobs.cli;

import java.io.FileNotFoundException;
import org.sdti.dataprep.TemplateFileException;
import org.sdti.model.config.ConfigException;
import org.sdti.model.embeddings.EmbeddingFileException;
import org.sdti.model.io.SafeTensorsException;
import org.sdti.model.models.WeightsException;
import org.sdti.model.text.TokenizerFileException;

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
     * Bad input exits 2: a {@link BadInputException} (job-file keys included), a configuration the user wrote (job
     * file, model config) or a file the user named that is missing or not what it claims to be. Everything else
     * exits 1, including an {@link IllegalArgumentException} from inside sdti, which is a bug, not bad input
     * (the commands turn the ones that come from user input into a {@link BadInputException} where they call).
     * The causes are walked because Spark wraps an executor's exception in its own.
     */
    public static int of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadInputException || t instanceof ConfigException
                    || t instanceof com.typesafe.config.ConfigException || t instanceof FileNotFoundException
                    || t instanceof SafeTensorsException || t instanceof WeightsException
                    || t instanceof TokenizerFileException || t instanceof EmbeddingFileException
                    || t instanceof TemplateFileException) {
                return BAD_INPUT;
            }
        }
        return FAILURE;
    }

    private ExitCodes() {}
}
