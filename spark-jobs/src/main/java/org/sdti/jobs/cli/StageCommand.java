package org.sdti.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
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

    private final String stage;
    private final Execution execution;

    /**
     * @param stage     the stage's name: its Spark session's and its report's ({@code OUTPUT/_reports/STAGE.json})
     * @param execution the stage's driver
     */
    StageCommand(String stage, Execution execution) {
        this.stage = stage;
        this.execution = execution;
    }

    /**
     * What a run prints and how it exits.
     *
     * @param output the output folder as the run's report names it (qualified)
     */
    record Outcome(String table, String output, int exitCode) {
        /** A report's summary table, its JSON (whose {@code output} is the job's output folder) and exit code. */
        static Outcome of(String table, JsonNode json, int exitCode) {
            return new Outcome(table, json.path("output").asText(), exitCode);
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
        return run(spec, options.job(), stage, execution);
    }

    /** A driver that returns a {@link StageReport}, as the jobs' {@code XJob.run} do. */
    static Execution reported(Stage run) {
        return (job, spark) -> {
            StageReport r = run.run(job, spark);
            return Outcome.of(r.table(), r.toJson(), r.exitCode());
        };
    }

    /**
     * Runs a parsed job's stage in the session {@link SparkSessions} gives, prints its table and report path and
     * returns its exit code. Also used by {@code train} and {@code generate} when they run as stages of a job.
     */
    static int runStage(CommandSpec spec, JobConfig job, String stage, Stage run) throws IOException {
        return run(spec, job, stage, reported(run));
    }

    static int run(CommandSpec spec, JobConfig job, String stage, Execution execution) throws IOException {
        Outcome outcome;
        try (SparkSessions.Handle spark = SparkSessions.open(job, stage)) {
            outcome = execution.execute(job, spark.session());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(outcome.table());
        out.println("report: " + outcome.output() + "/_reports/" + stage + ".json");
        out.flush();
        return outcome.exitCode();
    }
}
