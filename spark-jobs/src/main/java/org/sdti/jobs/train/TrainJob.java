package org.sdti.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.config.JobConfigException;
import org.sdti.jobs.prepare.Preflight;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.ModelIds;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.model.inversion.EmbeddingExport;
import org.sdti.model.inversion.TrainerState;
import org.sdti.model.io.ModelSource;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.schedulers.Prediction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver of {@code train}: every concept of the job whose prepare and latents data are committed is trained in
 * rounds with parameter averaging.
 *
 * <p>A round takes K = {@code sdti.train.average-every} local steps (fewer in a concept's last round) in R =
 * {@code replicas} copies of each concept: what it runs is planned here ({@link RoundPlan}) and run as one Spark job
 * ({@link SparkRounds}), which returns each concept's replicas averaged; each concept ({@link ConceptRun}) then
 * writes its loss curves and a checkpoint, and one line per concept and one per round are logged.
 *
 * <p>Per concept: a rerun resumes from its latest checkpoint (refusing one made with other settings); a concept
 * whose final checkpoint and {@code learned_embeds.safetensors} exist is not touched; one whose loss becomes NaN or
 * infinite, or whose task work throws (an Error too: {@link Isolation}), is reported failed (its last checkpoint
 * stays) and the others go on. A finished concept gets its
 * validation images (rendered on the executors), then {@code learned_embeds.safetensors} (and the A1111 {@code .pt}
 * when asked), written last so that its presence marks the concept complete. The report: {@link TrainReport}.
 */
public final class TrainJob {
    public static final String STAGE = "train";
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private final JobConfig job;
    private final SparkRounds spark;
    private final TrainCounters counters;
    /** Every concept of the job, in its order. */
    private final List<ConceptRun> runs;
    private final Map<String, ConceptRun> byName;
    private final RoundTimes times = new RoundTimes();
    private final ConceptWrites writes;

    private TrainJob(JobConfig job, SparkRounds spark, TrainCounters counters, List<ConceptRun> runs,
            ConceptWrites writes) {
        this.job = job;
        this.spark = spark;
        this.counters = counters;
        this.writes = writes;
        this.runs = List.copyOf(runs);
        this.byName = runs.stream().collect(Collectors.toMap(ConceptRun::name, Function.identity()));
    }

    /** The model as the stage checks it before any work: its prediction type (one it can train) and resolution. */
    private record Model(ModelSource folder, Prediction prediction, int resolution) {
        /** Refuses a model textual inversion cannot train (naming {@code sdti.model}) or a bad resolution. */
        static Model check(JobConfig job, Configuration conf) throws IOException {
            ModelSource model = Preflight.model(job, conf);
            Prediction prediction = Prediction.of(model.schedulerConfig());
            if (prediction == Prediction.SAMPLE) {
                throw new JobConfigException("sdti.model", model.location() + ": prediction_type sample; textual "
                        + "inversion trains epsilon and v_prediction models (as the reference does)");
            }
            return new Model(model, prediction, Preflight.resolution(job, model));
        }
    }

    public static StageReport run(JobConfig job, SparkSession spark) throws IOException {
        return run(job, spark, Isolation.NONE);
    }

    /** {@link #run} with the tasks' units isolated by {@code isolation} (tests inject faults there). */
    static StageReport run(JobConfig job, SparkSession spark, Isolation isolation) throws IOException {
        Instant started = Instant.now();
        job.requireConcepts(STAGE);
        HadoopConf hadoop = HadoopConf.of(spark.sparkContext().hadoopConfiguration(), job.hadoop());
        Model model = Model.check(job, hadoop.get());
        int hidden = model.folder().textEncoderConfig().hiddenSize();
        String vaeId = ModelIds.of(model.folder(), ModelSource.VAE);
        OutputLayout layout = OutputLayout.open(job.output(), hadoop.get());
        TrainInputs inputs = new TrainInputs(layout);
        TrainCounters counters = TrainCounters.register(spark.sparkContext());
        String baseModel = LocalTraining.baseModelName(model.folder());

        List<ConceptRun> runs = new ArrayList<>();
        for (ConceptSpec c : job.concepts()) {
            OutputFolder out = OutputFolder.open(layout.conceptFolder(c.name()).toString(), hadoop.get());
            Optional<JsonNode> prep = inputs.prepared(c.name());
            String examplesFingerprint = prep.map(p -> p.path("fingerprint").asText()).orElse("");
            ConceptRun r = new ConceptRun(c, out, new EmbeddingExport(c.token(), baseModel,
                    ConceptRun.properties(c, model.resolution(), model.prediction(), examplesFingerprint)),
                    prep.map(p -> p.path("examples").asLong()).orElse(0L), counters);
            runs.add(r);
            String missing = inputs.missing(c, vaeId);
            if (missing != null) {
                r.fail(missing);
                continue;
            }
            switch (r.resume(hidden, job.train().averageEvery())) {
                case UP_TO_DATE -> LOG.info("train {}: up to date ({} steps, {})", r.name(), r.step(), r.embedding());
                case RESUMED -> LOG.info("train: resuming {} from step {} ({})", r.name(), r.startStep(),
                        r.lastCheckpoint());
                default -> { }
            }
        }

        String location = model.folder().location();
        TaskSettings tasks = new TaskSettings(job, ModelRef.of(model.folder()), hadoop, layout.root().toString(),
                LOG.getName(), model.folder().modelIndex().world(), model.resolution(), isolation);
        StageReport report;
        try (ConceptWrites writes = new ConceptWrites(ConceptWrites.THREADS)) {
            TrainJob stage = new TrainJob(job, new SparkRounds(spark, tasks, counters.replicaSteps(),
                    counters.stepNanos()), counters, runs, writes);
            long rounds = stage.train(layout, vaeId, model.folder().vaeConfig().scalingFactor());
            report = TrainReport.of(new StageReport(STAGE, layout.root().toString(), location, started), runs,
                    counters.replicaSteps().value(), rounds, stage.times);
        }
        report.write(layout);
        return report;
    }

    /**
     * What {@link #run} checks of the job before any work, without needing earlier stages' data: for
     * {@code pipeline}, which runs every stage's checks before its first stage starts.
     */
    public static void check(JobConfig job, Configuration conf) throws IOException {
        Model.check(job, conf);
    }

    /**
     * Fails (bad input, exit 2) when no concept of the job can be trained because an earlier stage has not run,
     * naming the stage to run first; the command line checks this before running the stage. (Concepts that only
     * some lack are reported failed by {@link #run}, and the others trained.)
     */
    public static void requireInputs(JobConfig job, Configuration conf) throws IOException {
        job.requireConcepts(STAGE);
        TrainInputs.requireAny(job, conf);
    }

    /**
     * Finishes the concepts an earlier run trained to the end but stopped before their final files, then trains
     * the others over their data of this VAE; returns the number of rounds run.
     */
    private long train(OutputLayout layout, String vaeId, double scalingFactor) throws IOException {
        validateAndFinish(runs.stream().filter(r -> r.ending() == null && r.step() == r.config().steps()).toList());
        List<ConceptRun> training = runs.stream().filter(ConceptRun::training).toList();
        if (training.isEmpty()) {
            return 0;
        }
        try (SparkRounds.Data data = spark.cache(layout, training.stream().map(ConceptRun::name).toList(), vaeId,
                scalingFactor)) {
            return rounds(data, training);
        }
    }

    /** Rounds until every concept in training is trained or failed; returns the number of rounds. */
    private long rounds(SparkRounds.Data data, List<ConceptRun> training) throws IOException {
        Map<String, SparkRounds.DataShape> shapes = data.shapes();
        for (ConceptRun r : training) {
            SparkRounds.DataShape shape = shapes.get(r.name());
            if (shape != null && shape.failure() != null) {
                LOG.warn("train {}: failed: {}", r.name(), r.failRound(shape.failure()));
                continue;
            }
            long found = shape == null ? 0 : shape.examples();
            if (found != r.examples()) {
                r.fail("latent rows of this model's VAE for " + found + " of its " + r.examples()
                        + " examples: run `sdti latents` with this job first");
            }
        }
        int every = job.train().averageEvery();
        long round = RoundPlan.next(active(training).stream().map(ConceptRun::step).toList(), every);
        long rounds = 0;
        for (List<ConceptRun> active = active(training); !active.isEmpty(); active = active(training)) {
            List<RoundPlan.Trainee> trainees = active.stream().map(r -> new RoundPlan.Trainee(r.name(), r.step(),
                    r.config(), r.replicas(), shapes.get(r.name()).latent())).toList();
            round(data, RoundPlan.of(round++, trainees, every, job.train().unitsPerPass()));
            rounds++;
        }
        return rounds;
    }

    private static List<ConceptRun> active(List<ConceptRun> training) {
        return training.stream().filter(ConceptRun::training).toList();
    }

    /**
     * Runs one round, then takes each concept's result, renders what validation is due and finishes concepts; logs
     * where the round's time went ({@link RoundTimes}).
     */
    private void round(SparkRounds.Data data, RoundPlan plan) throws IOException {
        long t0 = System.nanoTime();
        long stepNanos = counters.stepNanos().value();
        Map<String, ReplicaRound.Averaged> averaged = data.round(plan, c -> byName.get(c).state());
        long t1 = System.nanoTime();
        double seconds = (t1 - t0) / 1e9;
        double stepSeconds = (counters.stepNanos().value() - stepNanos) / 1e9;
        List<RoundPlan.Part> advancing = new ArrayList<>();
        for (RoundPlan.Part p : plan.parts()) {
            ConceptRun r = byName.get(p.concept());
            ReplicaRound.Averaged a = averaged.get(p.concept());
            if (r.ranRound(a.attempts(), a.threads(), seconds)) {
                LOG.warn("train {}: its tasks ran with different threads per op; results match no single cluster "
                        + "shape bit for bit (give every task the same cores)", r.name());
            }
            if (a.failure() != null) {
                String reason = r.failRound(a.failure());
                LOG.warn("train {}: failed in round {}: {}", r.name(), plan.round(), reason);
                continue;
            }
            advancing.add(p);
        }
        // each concept's loss files and checkpoint, the concepts side by side
        List<Double> lossSums = writes.each(advancing, p -> byName.get(p.concept()).advance(averaged.get(
                p.concept())));
        List<ConceptRun> validate = new ArrayList<>();
        for (int i = 0; i < advancing.size(); i++) {
            RoundPlan.Part p = advancing.get(i);
            ConceptRun r = byName.get(p.concept());
            double lossSum = lossSums.get(i);
            int n = p.steps();
            LOG.info(String.format(Locale.ROOT, "train %s: round %d, steps %d-%d of %d, loss %.5f (mean of %d "
                            + "step(s) x %d replica(s)), %.2f steps/s, checkpoint %s", r.name(), plan.round(),
                    p.from() + 1, r.step(), r.config().steps(), lossSum / n, n, r.replicas(), n / seconds,
                    r.lastCheckpoint()));
            if (p.validationDue(r.spec().train().validation().every())) {
                validate.add(r);
            }
        }
        long t2 = System.nanoTime();
        // a concept that reached its steps is complete now, whatever the others still do
        validateAndFinish(validate);
        RoundTimes.Round time = new RoundTimes.Round(seconds, stepSeconds, (t2 - t1) / 1e9,
                (System.nanoTime() - t2) / 1e9);
        times.add(time);
        // the job's progress from the accumulators (what the Spark UI shows), steps counted over every replica
        LOG.info(String.format(Locale.ROOT, "train: round %d: %d of %d concepts done, %d failed, %.2f steps/s; %s",
                plan.round(), counters.conceptsDone().value(), runs.size(), counters.conceptsFailed().value(),
                plan.replicaSteps() / seconds, time.describe()));
    }

    /**
     * Renders the validation images of these concepts' current states (of those that ask for images), then finishes
     * each that reached its steps.
     */
    private void validateAndFinish(List<ConceptRun> due) throws IOException {
        Map<String, TrainerState> states = new LinkedHashMap<>();
        for (ConceptRun r : due) {
            if (r.spec().train().validation().images() > 0) {
                states.put(r.name(), r.state());
            }
        }
        spark.validate(states).forEach((name, reason) -> {
            LOG.warn("train {}: failed: {}", name, byName.get(name).failRound(reason));
        });
        Map<String, TrainerState> finishing = new LinkedHashMap<>();
        for (ConceptRun r : due) {
            if (r.ending() == null && r.step() == r.config().steps() && r.spec().train().evaluation().seeds() > 0) {
                finishing.put(r.name(), r.state());
            }
        }
        spark.evaluate(finishing).forEach((name, metrics) -> byName.get(name).evaluated(metrics));
        List<ConceptRun> done = due.stream().filter(r -> r.ending() == null && r.step() == r.config().steps())
                .toList();
        writes.each(done, r -> {
            r.writeFinalFiles();
            return r;
        });
        for (ConceptRun r : done) {
            r.finished();
            LOG.info("train {}: done, {}", r.name(), r.embedding());
        }
    }
}
