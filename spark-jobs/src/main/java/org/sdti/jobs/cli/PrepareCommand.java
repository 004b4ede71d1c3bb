package org.sdti.jobs.cli;

import org.sdti.jobs.prepare.PrepareJob;
import picocli.CommandLine.Command;

/** {@code sdti prepare}: concept images to example and prompt datasets. */
@Command(name = "prepare",
        header = "Prepare every concept's images into training examples and prompts (Spark stage).",
        mixinStandardHelpOptions = true,
        description = {"Read every concept's images on the executors, prepare them (decode, crop, resize, flip) and "
                + "write the examples and prompts datasets under OUTPUT/_data; OUTPUT/_reports/prepare.json says "
                + "per concept what was done and which files were rejected, and why.",
                "Exit 0: all concepts done; 3: some failed (the others done); 2: bad job file; 1: anything else."})
final class PrepareCommand extends StageCommand {
    PrepareCommand() {
        super(PrepareJob.STAGE, reported(PrepareJob::run));
    }
}
