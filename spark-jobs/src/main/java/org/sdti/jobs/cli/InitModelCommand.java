package org.sdti.jobs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.model.BadInputException;
import org.sdti.model.io.HadoopLocation;
import org.sdti.model.models.RandomModelFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sdti init-model}: a diffusers-layout model folder with seeded random weights, for trying sdti out. */
@Command(name = "init-model",
        header = "Write a model folder of a bundled SD 2 architecture with seeded random weights.",
        mixinStandardHelpOptions = true,
        description = {"Write a model folder (diffusers layout) of a bundled SD 2 architecture with seeded random "
                + "weights: the networks run at real size and speed, but images mean nothing.",
                "Real results need the real Stable Diffusion 2.1 weights (see README)."})
final class InitModelCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "PRESET",
            description = "Architecture: tiny (the test fixture's), toy (the architecture pretrain trains; its VAE is the analytic identity), midsize (the benchmark model), sd21-base "
                    + "(SD 2.1-base, 512 px) or sd21 (SD 2.1, 768 px v-prediction).")
    String preset;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Folder to write (plain path, file:, hdfs: or s3a:); must not hold a model already.")
    String output;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--force", description = "Overwrite a model folder that is already there.")
    boolean force;

    @Option(names = "--hadoop", paramLabel = "KEY=VALUE",
            description = "A Hadoop setting for the output's file system (e.g. fs.s3a.endpoint=...); repeatable. "
                    + "Also read: sdti.hadoop of -Dconfig.file or system properties.")
    Map<String, String> hadoop = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
        if (!RandomModelFolder.PRESETS.contains(preset)) {
            throw new BadInputException("--config " + preset + ": unknown preset (expected one of "
                    + String.join(", ", RandomModelFolder.PRESETS) + ")");
        }
        Configuration conf = SdtiConfig.hadoop(SdtiConfig.load(null, Map.of()));
        hadoop.forEach(conf::set);
        // a file in the way is refused even with --force: --force replaces a model, not a file
        HadoopLocation at = HadoopLocation.of(output, conf).refuseFile("--output");
        if (!force) {
            refuseToOverwrite(at);
        }
        Path root = at.root();
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        RandomModelFolder.write(preset, root.toString(), seed, conf);
        out.printf("wrote a %s model with seeded random weights (seed %d) to %s in %.1f s%n", preset, seed, root,
                (System.nanoTime() - t0) / 1e9);
        out.println("random weights make meaningless images: real results need the real Stable Diffusion 2.1 "
                + "weights (set sdti.model to a diffusers folder of stabilityai/stable-diffusion-2-1-base)");
        out.flush();
        return ExitCodes.OK;
    }

    private static void refuseToOverwrite(HadoopLocation at) throws IOException {
        for (String marker : List.of("model_index.json", "unet", "vae", "text_encoder")) {
            if (at.fs().exists(new Path(at.root(), marker))) {
                throw new BadInputException("--output " + at.root() + " already holds a model (" + marker
                        + "); pass --force to overwrite it");
            }
        }
    }
}
