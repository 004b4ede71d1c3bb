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
import org.sdti.model.models.TrainedModelFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sdti init-model}: a diffusers-layout model folder for trying sdti out: the trained toy model sdti ships
 * (a byte-identical copy), or seeded random weights of any bundled architecture.
 */
@Command(name = "init-model",
        header = "Write a model folder: the trained toy model, or a bundled SD 2 architecture with random weights.",
        mixinStandardHelpOptions = true,
        description = {"Write a model folder (diffusers layout). For toy it is the trained toy model sdti ships "
                + "(a byte-identical copy of models/toy/): it draws 32 x 32 pictures of coloured shapes "
                + "(docs/world.md), so concepts of that world are learned for real and scored.",
                "Every other preset, and toy with --random, gets seeded random weights: the networks run at real "
                + "size and speed, but images mean nothing. Real results need the real Stable Diffusion 2.1 "
                + "weights (see README)."})
final class InitModelCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "PRESET",
            description = "Architecture: tiny (the test fixture's), toy (the trained toy model; the architecture pretrain "
                    + "trains, with the analytic identity VAE), midsize (the benchmark model), sd21-base "
                    + "(SD 2.1-base, 512 px) or sd21 (SD 2.1, 768 px v-prediction).")
    String preset;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Folder to write (plain path, file:, hdfs: or s3a:); must not hold a model already.")
    String output;

    @Option(names = "--random", description = "Seeded random weights even where a trained model ships (toy).")
    boolean random;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of random weights (default 0).")
    Long seed;

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
        boolean trained = TrainedModelFolder.has(preset) && !random;
        if (trained && seed != null) {
            throw new BadInputException("--seed " + seed + ": the trained " + preset + " model has no seed; --seed "
                    + "applies only to random weights (add --random)");
        }
        Configuration conf = SdtiConfig.hadoop(SdtiConfig.load(null, Map.of()));
        hadoop.forEach(conf::set);
        // a file in the way is refused even with --force: --force replaces a model, not a file
        HadoopLocation at = HadoopLocation.of(output, conf).refuseFile("--output");
        if (!force) {
            refuseToOverwrite(at);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (trained) {
            writeTrained(at.root(), conf, out);
        } else {
            writeRandom(at.root(), seed == null ? 0 : seed, conf, out);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void writeTrained(Path root, Configuration conf, PrintWriter out) throws IOException {
        long t0 = System.nanoTime();
        TrainedModelFolder.copy(preset, root.toString(), conf);
        out.printf("wrote the trained %s model (byte-identical copies of the files sdti ships, models/%s/) to %s in "
                + "%.1f s%n", preset, preset, root, (System.nanoTime() - t0) / 1e9);
        out.println("it draws 32 x 32 pictures of coloured shapes (docs/world.md), so concepts of that world are "
                + "learned for real and scored; pictures of anything else need the real Stable Diffusion 2.1 weights");
    }

    private void writeRandom(Path root, long s, Configuration conf, PrintWriter out) throws IOException {
        long t0 = System.nanoTime();
        RandomModelFolder.write(preset, root.toString(), s, conf);
        out.printf("wrote a %s model with seeded random weights (seed %d) to %s in %.1f s%n", preset, s, root,
                (System.nanoTime() - t0) / 1e9);
        out.println("random weights make meaningless images: real results need the real Stable Diffusion 2.1 "
                + "weights (set sdti.model to a diffusers folder of stabilityai/stable-diffusion-2-1-base)");
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
