package org.sdti.jobs.cli;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sdti.dataprep.PromptTemplates;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.train.LocalTraining;
import org.sdti.jobs.train.TrainJob;
import org.sdti.model.BadInputException;
import org.sdti.model.inversion.ProgressLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sdti train}: with {@code --token} (and {@code --images}, {@code --init-token}), textual inversion of that one
 * concept on this machine; with a {@code --config} job file alone, the Spark {@code train} stage over all the job's
 * concepts.
 */
@Command(name = "train",
        header = "Learn a new token from images (textual inversion), on this machine or as a job's Spark stage.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Two forms. With --token, --init-token and --images: one concept on this machine, its images "
                + "prepared and encoded here (a --config file gives defaults only), written to "
                + "OUTPUT/learned_embeds.safetensors (diffusers layout; loads in diffusers, sdti generate and A1111).",
                "",
                "With a --config job file alone: the Spark stage over every concept of the job, from the data "
                + "`sdti prepare` and `sdti latents` committed (exit 2 naming the stage to run first when none has "
                + "it). R = sdti.train.replicas copies per concept train for sdti.train.average-every steps, then "
                + "their rows and AdamW moments are averaged; results go to OUTPUT/NAME/ (learned_embeds.safetensors, "
                + "loss.csv, checkpoints/, validation/). A rerun continues every concept from its latest checkpoint "
                + "and leaves finished ones alone (--resume is implied). Exit 3 when some concepts failed (the others "
                + "are done). Also: spark-submit --class org.sdti.jobs.cli.Main sdti.jar train --config JOB.",
                "",
                "The initializer: a word that is one token starts every vector from its embedding (the reference); "
                + "a text of exactly --vectors tokens is spread one token per vector ('teddy bear' with --vectors 2); "
                + "any other token count is rejected, naming the pieces.",
                "",
                "Runs are seeded and reproducible bit for bit. OUTPUT/checkpoints/ gets a checkpoint every "
                + "--checkpoint-every steps and after the last; --resume continues from the latest exactly. The loss "
                + "curve is OUTPUT/loss.csv; validation images go to OUTPUT/validation/STEP/. A progress line (step, "
                + "loss, steps/s, ETA) comes every 10 steps and at least every 30 s, a summary at the end. A NaN or "
                + "infinite loss stops the run (exit 1) and keeps the last good checkpoint. Bad input exits 2 with the "
                + "reason (a token the vocabulary already has, a missing image folder, an initializer that is not one "
                + "vocabulary token).",
                "",
                "Flags override the --config job file, which overrides conf/reference.conf: sdti.train, "
                + "sdti.prepare and sdti.concept-defaults hold every default."})
final class TrainCommand implements Callable<Integer> {
    /** Progress lines: every 10 steps (and the first and last). */
    static final int PROGRESS_EVERY = 10;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    JobOptions.Optional options = new JobOptions.Optional();

    @Option(names = "--images", paramLabel = "DIR", description = "Folder of the concept's images.")
    String images;

    @Option(names = "--token", paramLabel = "TOKEN", description = "The new placeholder token, e.g. '<cat-toy>'.")
    String token;

    @Option(names = "--init-token", paramLabel = "WORD", description = "The word the vectors start from (see above).")
    String initToken;

    @Option(names = "--property", paramLabel = "object|style",
            description = "Template list: 'a photo of a {}'... or 'a painting in the style of {}'... "
                    + "(default ${bundle:sdti.concept-defaults.property}).")
    String property;

    @Option(names = "--vectors", paramLabel = "N", description = "Vectors of the token (default ${bundle:sdti.concept-defaults.vectors}).")
    Integer vectors;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (default ${bundle:sdti.train.steps}).")
    Integer steps;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default ${bundle:sdti.train.lr}).")
    Double lr;

    @Option(names = "--batch-size", paramLabel = "N", description = "Samples per pass (default ${bundle:sdti.train.batch-size}).")
    Integer batchSize;

    @Option(names = "--gradient-accumulation", paramLabel = "N",
            description = "Passes averaged into one optimizer step (default "
                    + "${bundle:sdti.train.gradient-accumulation}).")
    Integer accumulation;

    @Option(names = "--resolution", paramLabel = "PX",
            description = "Training size (default: the U-Net's sample_size x the VAE's factor: 512 for SD 2.1-base, "
                    + "768 for SD 2.1).")
    Integer resolution;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every random draw (default ${bundle:sdti.train.seed}).")
    Long seed;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Checkpoint every N steps and after the last (sdti.train.average-every, default "
                    + "${bundle:sdti.train.average-every}).")
    Integer checkpointEvery;

    @Option(names = "--resume", description = "Continue from the latest checkpoint in OUTPUT, exactly where it stopped.")
    boolean resume;

    @Option(names = "--validation-prompt", paramLabel = "TEXT",
            description = "A validation prompt with {} where the token goes; repeatable (default: the first template).")
    List<String> validationPrompts;

    @Option(names = "--validation-every", paramLabel = "N",
            description = "Also render the validation images every N steps (default "
                    + "${bundle:sdti.train.validation.every}; 0: after the last step only).")
    Integer validationEvery;

    @Option(names = "--validation-images", paramLabel = "N",
            description = "Validation images per prompt (default ${bundle:sdti.train.validation.images}; 0: "
                    + "none).")
    Integer validationImages;

    @Option(names = "--validation-steps", paramLabel = "N", description = "Sampler steps of a validation image "
            + "(default ${bundle:sdti.train.validation.steps}).")
    Integer validationSteps;

    @Option(names = "--a1111", description = "Also write OUTPUT/<token>.pt for AUTOMATIC1111 (sdti.train.a1111).")
    boolean a1111;

    /** The end of a run on this machine: what was done, where the embedding is and how to use it. */
    static List<String> summary(LocalTraining.Result r, JobConfig job) {
        ConceptSpec c = job.concepts().get(0);
        List<String> lines = new ArrayList<>();
        String loss = r.last() == null ? "" : String.format(Locale.ROOT, ", final loss %.4f (smoothed %.4f)",
                r.last().loss(), r.last().smoothed());
        lines.add(String.format(Locale.ROOT, "done: %s trained for %d steps (%d in this run, %s)%s", c.token(),
                r.steps(), r.stepsThisRun(), ProgressLine.duration(r.seconds()), loss));
        if (r.evaluation() != null) {
            lines.add("hit rate: " + r.evaluation().summary() + " for " + r.evaluation().expected());
        }
        lines.add("embedding: " + r.embedding() + (r.a1111() == null ? "" : " (AUTOMATIC1111: " + r.a1111() + ")"));
        String modelConfig = job.modelConfig() == null ? "" : " --model-config " + job.modelConfig();
        lines.add("use it: bin/sdti generate --model " + job.model() + modelConfig + " --embedding " + r.embedding()
                + " --prompt \"" + PromptTemplates.of(c.property()).get(0).replace(PromptTemplates.SLOT, c.token())
                + "\" --output DIR");
        return lines;
    }

    @Override
    public Integer call() throws IOException {
        Config cfg = options.load(flags());
        JobConfig job = JobConfig.from(cfg);
        if (options.config != null && token == null) {
            return StageCommand.runStage(spec, job, TrainJob.STAGE, (j, spark) -> {
                TrainJob.requireInputs(j, HadoopConf.of(spark.sparkContext().hadoopConfiguration(), j.hadoop())
                        .get());
                return TrainJob.run(j, spark);
            });
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        LocalTraining training = new LocalTraining(job, new LocalTraining.Options(resume, a1111, PROGRESS_EVERY),
                SdtiConfig.hadoop(cfg), line -> {
                    err.println("train: " + line);
                    err.flush();
                });
        LocalTraining.Result r = training.run();
        for (String line : summary(r, job)) {
            err.println("train: " + line);
        }
        err.flush();
        out.println(r.embedding()); // stdout: the embedding alone, for scripts
        out.flush();
        return ExitCodes.OK;
    }

    private Map<String, Object> flags() {
        if (token == null && (initToken != null || images != null || property != null || vectors != null)) {
            throw new BadInputException("--init-token, --images, --property and --vectors describe the concept of "
                    + "--token; give --token too");
        }
        Map<String, Object> f = new HashMap<>();
        if (token != null) {
            if (initToken == null || images == null) {
                throw new BadInputException("missing " + (initToken == null ? "--init-token" : "--images")
                        + ": a concept needs --token, --init-token and --images");
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("token", token);
            c.put("init", initToken);
            c.put("images", images);
            if (property != null) {
                c.put("property", property);
            }
            if (vectors != null) {
                c.put("vectors", vectors);
            }
            f.put("sdti.concepts", List.of(c));
        }
        String t = "sdti.train.";
        f.put(t + "steps", steps);
        f.put(t + "lr", lr);
        f.put(t + "batch-size", batchSize);
        f.put(t + "gradient-accumulation", accumulation);
        f.put(t + "seed", seed);
        f.put(t + "average-every", checkpointEvery);
        f.put(t + "validation.prompts", validationPrompts);
        f.put(t + "validation.every", validationEvery);
        f.put(t + "validation.images", validationImages);
        f.put(t + "validation.steps", validationSteps);
        f.put("sdti.prepare.resolution", resolution);
        if (a1111) {
            f.put(t + "a1111", true);
        }
        return f;
    }
}
