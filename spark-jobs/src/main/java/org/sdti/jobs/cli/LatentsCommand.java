package org.sdti.jobs.cli;

import org.sdti.jobs.latents.LatentsJob;
import org.sdti.jobs.runtime.HadoopConf;
import picocli.CommandLine.Command;

/** {@code sdti latents}: VAE latents of every prepared example, computed once. */
@Command(name = "latents",
        header = "Encode the prepared examples with the model's VAE (Spark stage).",
        mixinStandardHelpOptions = true,
        description = {"Encode the prepared examples with the model's VAE on the executors (loaded once per "
                + "executor) and write the latents dataset under OUTPUT/_data; examples that already have a row "
                + "for this VAE are skipped, so a rerun does only new work.",
                "Exit 0: all concepts done; 3: some failed (e.g. one not prepared); 2: bad job file, or no concept "
                + "prepared yet (naming the stage to run first); 1: anything else."})
final class LatentsCommand extends StageCommand {
    LatentsCommand() {
        super(LatentsJob.STAGE, reported((job, spark) -> {
            LatentsJob.requireInputs(job, HadoopConf.of(spark.sparkContext().hadoopConfiguration(), job.hadoop())
                    .get());
            return LatentsJob.run(job, spark);
        }));
    }
}
