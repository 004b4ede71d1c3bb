package org.sdti.jobs.cli;

import org.sdti.jobs.pipeline.PipelineJob;
import org.sdti.jobs.pipeline.PipelineReport;
import picocli.CommandLine.Command;

/** {@code sdti pipeline}: every stage in order, in one Spark session. */
@Command(name = "pipeline",
        header = "Run prepare, latents, train and generate in order in one Spark session.",
        mixinStandardHelpOptions = true,
        description = {"Run prepare, latents, train and generate in order in one Spark session. A concept that "
                + "fails in a stage is left out of the later ones; the others go on. Each stage skips what it "
                + "has already committed, so a rerun (after a kill, or with new concepts) does only what is left.",
                "OUTPUT/_reports/pipeline.json lists per concept every stage's status, action and reason, and "
                        + "where its embedding and images are; a summary table is printed at the end.",
                "Exit 0: all concepts done; 3: some failed (the others done); 2: bad job file or input (before "
                        + "any work); 1: anything else."})
final class PipelineCommand extends StageCommand {
    PipelineCommand() {
        super(PipelineJob.STAGE, (job, spark) -> {
            PipelineReport report = PipelineJob.run(job, spark);
            return Outcome.of(report.table(), report.toJson(), report.exitCode());
        });
    }
}
