package org.sdti.jobs.train;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.dataprep.PreparationResult;
import org.sdti.dataprep.PrepareOptions;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.evaluate.ConceptEvaluation;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.config.TrainSettings;
import org.sdti.jobs.prepare.Preflight;
import org.sdti.jobs.runtime.RunFailedException;
import org.sdti.model.BadInputException;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.embeddings.EmbeddingFormat;
import org.sdti.model.inversion.BatchSampler;
import org.sdti.model.inversion.Checkpoints;
import org.sdti.model.inversion.ConceptData;
import org.sdti.model.inversion.EmbeddingExport;
import org.sdti.model.inversion.InversionGraph;
import org.sdti.model.inversion.InversionStep;
import org.sdti.model.inversion.LatentEncoder;
import org.sdti.model.inversion.LocalRound;
import org.sdti.model.inversion.LossLog;
import org.sdti.model.inversion.NewToken;
import org.sdti.model.inversion.NonFiniteLossException;
import org.sdti.model.inversion.RowGradients;
import org.sdti.model.inversion.Trainer;
import org.sdti.model.inversion.TrainerState;
import org.sdti.model.inversion.TrainingConfig;
import org.sdti.model.io.ModelSource;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.pipelines.TextToImage;
import org.sdti.model.schedulers.NoiseSchedule;
import org.sdti.model.schedulers.Prediction;
import org.sdti.model.source.ModelSources;
import org.sdti.model.text.ClipTokenizer;

/**
 * {@code sdti train} on one machine: one concept of a job ({@link JobConfig}), one replica. Everything a user can get
 * wrong is checked before any weight loads: the token, the initializer, the image folder, the resolution, an output
 * folder holding another run. Then the images are prepared and VAE-encoded once, the concept trained
 * ({@link Trainer}) and {@code OUTPUT/learned_embeds.safetensors} written.
 */
public final class LocalTraining {
    /** Output options of the command line (not job-file settings). */
    public record Options(boolean resume, boolean a1111, int progressEvery) {}

    private final JobConfig job;
    private final ConceptSpec concept;
    private final Options options;
    private final Configuration conf;
    private final Consumer<String> log;

    public LocalTraining(JobConfig job, Options options, Configuration conf, Consumer<String> log) {
        if (job.concepts().size() != 1) {
            throw new BadInputException(job.concepts().isEmpty()
                    ? "nothing to train: give --token, --init-token and --images (or one concept in the job file)"
                    : "sdti train trains one concept on this machine; the job file lists " + job.concepts().size()
                            + " (give --token, --init-token and --images to pick one)");
        }
        this.job = job;
        this.concept = job.concepts().get(0);
        this.options = options;
        this.conf = conf;
        this.log = log;
    }

    /** The trainer's settings from the job's; on one machine there is one replica. */
    static TrainingConfig trainingConfig(TrainSettings t) {
        if (t.replicas() != 1) {
            throw new BadInputException("sdti.train.replicas = " + t.replicas() + ": replicas are trained by the "
                    + "Spark job; sdti train on one machine runs 1");
        }
        return new TrainingConfig(t.steps(), t.lr(), t.scaleLr(), t.lrSchedule(), t.lrWarmupSteps(), t.batchSize(),
                t.gradientAccumulation(), t.seed(), t.adam());
    }

    /**
     * What a finished run made: the written {@code learned_embeds.safetensors} (and the A1111 {@code .pt}, or null),
     * the steps trained in all and in this process, this process's seconds, and the last line of the loss curve.
     */
    public record Result(String embedding, String a1111, long steps, long stepsThisRun, double seconds,
                         LossLog.Entry last, ConceptEvaluation.Result evaluation) {}

    /** Trains, writes the embedding files last and says what it made. */
    public Result run() throws IOException {
        long started = System.nanoTime();
        TrainingConfig cfg = trainingConfig(concept.train());
        ModelSource folder = ModelSources.open(job.model(), job.modelConfig(), conf);
        ClipTokenizer base = ClipTokenizer.load(folder.tokenizerFiles());
        NewToken newToken = new NewToken(concept.token(), concept.vectors(), concept.init());
        ClipTokenizer tokenizer;
        try {
            tokenizer = newToken.addChecked(base, "--vectors");
        } catch (NewToken.Rejected e) {
            throw new BadInputException(e.getMessage(), e);
        }
        UNetConfig ucfg = folder.unetConfig();
        VaeConfig vcfg = folder.vaeConfig();
        PrepareOptions prepare = job.prepare().options(resolution(ucfg, vcfg));
        Prediction prediction = Prediction.of(folder.schedulerConfig());
        if (prediction == Prediction.SAMPLE) {
            throw new BadInputException(folder.location() + ": prediction_type sample; textual inversion trains "
                    + "epsilon and v_prediction models (as the reference does)");
        }
        List<String> templates = Preflight.templates(concept, conf);
        OutputFolder out = OutputFolder.open(job.output(), conf);
        checkOutput(new Checkpoints(out), cfg, folder.textEncoderConfig().hiddenSize());
        ConceptLoader loader = new ConceptLoader(concept, conf, log);
        PreparationResult prepared = loader.prepare(prepare);
        List<List<int[]>> prompts = loader.prompts(prepared, templates, tokenizer);

        log.accept("loading " + folder.location());
        try (StableDiffusion sd = StableDiffusion.load(folder)) {
            ConceptData data = loader.encode(prepared, prompts, new LatentEncoder(sd.vae()), prepare.resolution());
            float[][] rows = newToken.initialRows(base, sd.textEncoder().embedding());
            NoiseSchedule schedule = NoiseSchedule.from(sd.schedulerConfig());
            InversionGraph graph = InversionGraph.build(sd.textEncoder(), sd.unet(), cfg.batchSize(),
                    Nd4j.create(rows), data.channels(), data.height(), data.width());
            InversionStep step = new InversionStep(sd.textEncoder().embedding(), RowGradients.of(graph), schedule,
                    prediction, cfg, 1);
            LocalRound round = new LocalRound(step, BatchSampler.of(cfg, schedule.numTrainTimesteps()));
            EmbeddingExport export = new EmbeddingExport(concept.token(), baseModelName(folder),
                    properties(concept, cfg, prepare.resolution(), prediction, 1));
            ValidationImages validation = new ValidationImages(new TextToImage(sd), concept, prepare.resolution(),
                    out, log);
            Trainer.Options run = new Trainer.Options(concept.train().averageEvery(),
                    validation.enabled() ? concept.train().validation().every() : 0, options.progressEvery());
            Trainer trainer = new Trainer(round, cfg, run, out, export, validation.enabled() ? validation : null,
                    log);
            // the concept's name keys the random streams, as in the Spark job (replicas = 1 trains the same way)
            TrainerState start = trainer.start(TrainerState.initial(concept.name(), cfg.seed(), rows),
                    options.resume());
            log.accept(String.format(Locale.ROOT, "training %s (%d vector%s from \"%s\") for %d steps: batch %d x %d, "
                            + "lr %.3g %s, seed %d", concept.token(), concept.vectors(),
                    concept.vectors() == 1 ? "" : "s", concept.init(), cfg.steps(), cfg.batchSize(),
                    cfg.gradientAccumulation(), cfg.peakLearningRate(1),
                    cfg.lrSchedule().name().toLowerCase(Locale.ROOT), cfg.seed()));
            TrainerState trained;
            try {
                trained = trainer.run(start, data);
            } catch (NonFiniteLossException e) {
                throw new RunFailedException(e.getMessage(), e);
            }
            export.write(out, EmbeddingExport.FILE, trained, EmbeddingFormat.DIFFUSERS_SAFETENSORS);
            String a1111 = null;
            if (options.a1111() || concept.train().a1111()) {
                String name = a1111Name(concept.token());
                export.write(out, name, trained, EmbeddingFormat.A1111_PT);
                a1111 = out.uri(name);
            }
            List<LossLog.Entry> curve = LossLog.parse(out.readText(LossLog.FILE).orElse(""), trained.step()).entries();
            ConceptEvaluation.Result evaluation = Evaluations.evaluate(folder.modelIndex().world(), concept,
                    prepared, new TextToImage(sd), rows, trained.rowMatrix(), out, log);
            return new Result(out.uri(EmbeddingExport.FILE), a1111, trained.step(), trained.step() - start.step(),
                    (System.nanoTime() - started) / 1e9, curve.isEmpty() ? null : curve.get(curve.size() - 1),
                    evaluation);
        }
    }

    /**
     * A new run needs a folder without checkpoints; a resumed one, a checkpoint these settings continue. Checked
     * before any weight loads.
     */
    private void checkOutput(Checkpoints checkpoints, TrainingConfig cfg, int hidden) throws IOException {
        List<Long> done = checkpoints.steps();
        if (done.isEmpty()) {
            return;
        }
        if (!options.resume()) {
            throw new BadInputException(checkpoints.location() + " already holds checkpoints up to step "
                    + done.get(done.size() - 1) + "; pass --resume to continue that run, or choose another --output");
        }
        Trainer.checkResumable(checkpoints.load(done.get(done.size() - 1)), cfg, concept.token(), concept.name(),
                concept.vectors(), hidden);
    }

    /** The job's resolution, or the U-Net's sample size in pixels; a multiple of both networks' factors. */
    private int resolution(UNetConfig u, VaeConfig v) {
        int f = v.downscale() * u.downscale();
        Integer asked = job.prepare().resolution();
        int r = asked != null ? asked : u.sampleSize() * v.downscale();
        if (r % f != 0) {
            throw new BadInputException("resolution " + r + " is not a multiple of " + f + " (the VAE's factor "
                    + v.downscale() + " times the U-Net's " + u.downscale() + ")");
        }
        return r;
    }

    /** The embedding's metadata properties; the learning rate is the peak rate of {@code replicas}. */
    static Map<String, String> properties(ConceptSpec concept, TrainingConfig cfg, int resolution,
            Prediction prediction, int replicas) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("initializer_token", concept.init());
        p.put("num_vectors", Integer.toString(concept.vectors()));
        p.put("learnable_property", concept.property().name().toLowerCase(Locale.ROOT));
        p.put("resolution", Integer.toString(resolution));
        p.put("prediction_type", prediction.configValue());
        p.put("learning_rate", Double.toString(cfg.peakLearningRate(replicas)));
        p.put("batch_size", Integer.toString(cfg.batchSize()));
        p.put("gradient_accumulation", Integer.toString(cfg.gradientAccumulation()));
        p.put("seed", Long.toString(cfg.seed()));
        return p;
    }

    /**
     * What A1111 shows as the checkpoint name: the folder's last path segment, a single file's without its extension
     * (the name PNGs give the model), so a folder and its single-file copy write the same embedding bytes.
     */
    static String baseModelName(ModelSource folder) {
        return org.sdti.jobs.generate.GenerationInfo.modelName(folder);
    }

    /** The token as a portable file name: letters, digits, '.', '_' and '-' only. */
    static String a1111Name(String token) {
        String name = token.replaceAll("[^A-Za-z0-9._-]", "");
        return (name.isEmpty() || name.startsWith(".") ? "embedding" + name : name) + ".pt";
    }
}
