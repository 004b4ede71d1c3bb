package org.sdti.jobs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.SparkSessions;
import org.sdti.jobs.runtime.StageReport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * A Spark stage run from a job file: parse and check the job (exit 2 on any problem, before Spark starts), run the
 * stage in the session {@link SparkSessions} gives, print the summary table, exit 0 or 3 from the report.
 */
abstract class StageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JobOptions.Required options = new JobOptions.Required();

    abstract String stage();

    abstract Outcome execute(JobConfig job, SparkSession spark) throws IOException;

    /** What a run printed and how it exits. */
    record Outcome(String table, String report, int exitCode) {
        static Outcome of(StageReport r) {
            return new Outcome(r.table(), r.toJson().path("output").asText() + "/_reports/" + r.stage() + ".json",
                    r.exitCode());
        }
    }

    /** A stage's entry point as the commands call it. */
    @FunctionalInterface
    interface Execution {
        Outcome execute(JobConfig job, SparkSession spark) throws IOException;
    }

    /** A stage's driver, as the jobs' {@code XJob.run}. */
    @FunctionalInterface
    interface Stage {
        StageReport run(JobConfig job, SparkSession spark) throws IOException;
    }

    @Override
    public Integer call() throws IOException {
        return run(spec, options.job(), stage(), this::execute);
    }

    /**
     * Runs a parsed job's stage in the session {@link SparkSessions} gives, prints its table and report path and
     * returns its exit code. Also used by {@code train} and {@code generate} when they run as stages of a job.
     */
    static int runStage(CommandSpec spec, JobConfig job, String stage, Stage run) throws IOException {
        return run(spec, job, stage, (j, spark) -> Outcome.of(run.run(j, spark)));
    }

    static int run(CommandSpec spec, JobConfig job, String stage, Execution execution) throws IOException {
        Outcome outcome;
        try (SparkSessions.Handle spark = SparkSessions.open(job, stage)) {
            outcome = execution.execute(job, spark.session());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(outcome.table());
        out.println("report: " + outcome.report());
        out.flush();
        return outcome.exitCode();
    }
}
