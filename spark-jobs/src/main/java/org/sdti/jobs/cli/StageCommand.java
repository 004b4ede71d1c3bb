package org.sdti.jobs.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.SparkSessions;
import org.sdti.jobs.runtime.StageReport;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A Spark stage run from a job file: parse and check the job (exit 2 on any problem, before Spark starts), run the
 * stage in the session {@link SparkSessions} gives, print the summary table, exit 0 or 3 from the report.
 */
abstract class StageCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "HOCON job file (see conf/reference.conf for every key).")
    File config;

    @Option(names = "--model", paramLabel = "DIR", description = "Overrides sdti.model.")
    String model;

    @Option(names = "--output", paramLabel = "DIR", description = "Overrides sdti.output.")
    String output;

    abstract String stage();

    abstract StageReport run(JobConfig job, SparkSession spark) throws IOException;

    @Override
    public Integer call() throws IOException {
        return execute(spec, config, model, output, stage(), this::run);
    }

    /** A stage's body. */
    @FunctionalInterface
    interface Stage {
        StageReport run(JobConfig job, SparkSession spark) throws IOException;
    }

    /** Parses the job (flags over it), runs the stage, prints the table and the report's path; the exit code. */
    static int execute(picocli.CommandLine.Model.CommandSpec spec, File config, String model, String output,
                       String stage, Stage body) throws IOException {
        Map<String, Object> flags = new HashMap<>();
        flags.put("sdti.model", model);
        flags.put("sdti.output", output);
        return runStage(spec, JobConfig.load(config, flags), stage, body);
    }

    /** Runs a parsed job's stage, prints the table and the report's path; the exit code. */
    static int runStage(picocli.CommandLine.Model.CommandSpec spec, JobConfig job, String stage, Stage body)
            throws IOException {
        StageReport report;
        try (SparkSessions.Handle spark = SparkSessions.open(job, stage)) {
            report = body.run(job, spark.session());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(report.table());
        out.println("report: " + report.toJson().path("output").asText() + "/_reports/" + stage + ".json");
        out.flush();
        return report.exitCode();
    }
}
