package org.sdti.jobs.cli;

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

    private ExitCodes() {}
}
