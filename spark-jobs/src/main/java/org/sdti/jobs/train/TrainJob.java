package org.sdti.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.config.JobConfigException;
import org.sdti.jobs.latents.LatentsJob;
import org.sdti.jobs.prepare.PrepareJob;
import org.sdti.jobs.prepare.Preflight;
import org.sdti.jobs.runtime.Commits;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.JavaBytes;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.jobs.runtime.ModelIds;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.jobs.runtime.StageReport.ConceptResult;
import org.sdti.jobs.runtime.StageReport.Status;
import org.sdti.model.BadInputException;
import org.sdti.model.embeddings.EmbeddingFormat;
import org.sdti.model.inversion.Checkpoint;
import org.sdti.model.inversion.CheckpointMismatchException;
import org.sdti.model.inversion.Checkpoints;
import org.sdti.model.inversion.ConceptData;
import org.sdti.model.inversion.EmbeddingExport;
import org.sdti.model.inversion.LossLog;
import org.sdti.model.inversion.StepRecord;
import org.sdti.model.inversion.Trainer;
import org.sdti.model.inversion.TrainerState;
import org.sdti.model.inversion.TrainingConfig;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.SafeTensorsException;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.pipelines.TextToImage;
import org.sdti.model.schedulers.Prediction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Driver side of {@code train}: every concept of the job whose prepare and latents data are committed is trained
 * in rounds with parameter averaging.
 *
 * <p>A round takes K = {@code sdti.train.average-every} local steps (fewer in a concept's last round) in R =
 * {@code replicas} copies of each concept. The (concept, replica) units are grouped, {@code units-per-pass} at a
 * time among units of the same batch geometry; the groups and their concepts' data (built once on the executors and
 * cached, {@link TrainingData}) meet in a cogroup with one group per partition, and each task runs its group through
 * shared U-Net passes ({@link TrainTask}). The replica results are averaged per concept with {@code aggregateByKey}
 * (rows and both AdamW moments, {@link ReplicaRound#average}), and the driver checkpoints every concept, appends its
 * loss curve and logs one line per concept. Only per-concept states travel (in the round's work items); the model is
 * never shipped, executors load it once per JVM ({@link ModelCache}).
 *
 * <p>Per concept: a rerun resumes from its latest checkpoint (refusing one made with other settings); a concept
 * whose final checkpoint and {@code learned_embeds.safetensors} exist is not touched; one whose loss becomes NaN or
 * infinite is reported failed (its last checkpoint stays) and the others go on. A finished concept gets its
 * validation images (rendered on the executors), then {@code learned_embeds.safetensors} (and the A1111 {@code .pt}
 * when asked), written last so that its presence marks the concept complete.
 */
public final class TrainJob {
    public static final String STAGE = "train";
    /** Embedding property: prepare's fingerprint of the examples trained on. */
    static final String EXAMPLES_FINGERPRINT = "examples_fingerprint";
    /** Each replica's loss curve (replicas > 1), beside loss.csv's mean. */
    static final String REPLICA_LOSSES = "loss-replicas.csv";
    static final String REPLICA_LOSSES_HEADER = "step,replica,loss,gradient_norm";
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private TrainJob() {}

    /** The accumulators {@code sdti.train.concepts_done} and {@code .concepts_failed}, added as concepts end. */
    private record Ended(LongAccumulator done, LongAccumulator failed) {}

    /** A concept's training as the driver follows it. */
    private static final class Run {
        final ConceptSpec spec;
        final TrainingConfig cfg;
        final int replicas;
        final OutputFolder out;
        final Checkpoints checkpoints;
        final EmbeddingExport export;
        /** null while at step 0 (the executors initialise the rows). */
        TrainerState state;
        long startStep;
        /** Examples prepare committed: the data read must have them all. */
        long examples;
        LossLog losses;
        /** Lines of {@link #REPLICA_LOSSES} up to the current step (replicas > 1). */
        List<String> replicaLosses = new ArrayList<>();
        String lastCheckpoint;
        ConceptResult result;
        final Ended ended;

        Run(ConceptSpec spec, OutputFolder out, EmbeddingExport export, Ended ended) {
            this.spec = spec;
            this.ended = ended;
            this.cfg = spec.train().trainingConfig();
            this.replicas = spec.train().replicas();
            this.out = out;
            this.checkpoints = new Checkpoints(out);
            this.export = export;
        }

        String name() {
            return spec.name();
        }

        long step() {
            return state == null ? 0 : state.step();
        }

        boolean training() {
            return result == null && step() < cfg.steps();
        }

        /** The concept's result, counted in the accumulators as soon as it is known (not after the last round). */
        void conclude(ConceptResult r) {
            result = r;
            (r.status() == Status.DONE ? ended.done() : ended.failed()).add(1);
        }
    }

    public static StageReport run(JobConfig job, SparkSession spark) throws IOException {
        Instant started = Instant.now();
        job.requireConcepts(STAGE);
        HadoopConf hadoop = HadoopConf.of(spark.sparkContext().hadoopConfiguration(), job.hadoop());
        ModelFolder model = Preflight.model(job, hadoop.get());
        Prediction prediction = prediction(model);
        int resolution = Preflight.resolution(job, model);
        int hidden = model.textEncoderConfig().hiddenSize();
        String vaeId = ModelIds.of(model, ModelFolder.VAE);
        OutputLayout layout = OutputLayout.open(job.output(), hadoop.get());
        Commits prepared = new Commits(layout, PrepareJob.STAGE);
        Commits latents = new Commits(layout, LatentsJob.STAGE);
        SparkContext sc = spark.sparkContext();
        LongAccumulator replicaSteps = sc.longAccumulator("sdti.train.replica_steps");
        LongAccumulator conceptsDone = sc.longAccumulator("sdti.train.concepts_done");
        LongAccumulator conceptsFailed = sc.longAccumulator("sdti.train.concepts_failed");
        Ended ended = new Ended(conceptsDone, conceptsFailed);
        String baseModel = LocalTraining.baseModelName(model);

        List<Run> runs = new ArrayList<>();
        for (ConceptSpec c : job.concepts()) {
            OutputFolder out = OutputFolder.open(layout.conceptFolder(c.name()).toString(), hadoop.get());
            Optional<JsonNode> prep = prepared.read(c.name());
            String examplesFingerprint = prep.map(p -> p.path("fingerprint").asText()).orElse("");
            Run r = new Run(c, out, new EmbeddingExport(c.token(), baseModel,
                    properties(c, resolution, prediction, examplesFingerprint)), ended);
            runs.add(r);
            String missing = missingInputs(c, prepared, latents, vaeId, layout);
            if (missing != null) {
                r.conclude(failed(r, missing));
                continue;
            }
            r.examples = prep.orElseThrow().path("examples").asLong();
            plan(r, hidden, job.train().averageEvery());
        }

        // trained to the end by an earlier run that stopped before its final files
        List<Run> finishing = runs.stream().filter(r -> r.result == null && r.step() == r.cfg.steps()).toList();
        validate(job, spark, model.location(), hadoop, layout, finishing);
        for (Run r : finishing) {
            finish(r);
        }
        List<Run> training = runs.stream().filter(Run::training).toList();
        long rounds = 0;
        if (!training.isEmpty()) {
            rounds = train(job, spark, model.location(), hadoop, layout, vaeId, model.vaeConfig().scalingFactor(),
                    training, replicaSteps, runs.size());
        }

        StageReport report = new StageReport(STAGE, layout.root().toString(), model.location(), started);
        for (Run r : runs) {
            report.add(r.result);
        }
        report.counter("replica_steps", replicaSteps.value()).counter("rounds", rounds).finish(Instant.now());
        report.write(layout);
        return report;
    }

    /** The model's prediction type, refusing one textual inversion cannot train (names {@code sdti.model}). */
    private static Prediction prediction(ModelFolder model) throws IOException {
        Prediction prediction = Prediction.of(model.schedulerConfig());
        if (prediction == Prediction.SAMPLE) {
            throw new JobConfigException("sdti.model", model.location() + ": prediction_type sample; textual "
                    + "inversion trains epsilon and v_prediction models (as the reference does)");
        }
        return prediction;
    }

    /**
     * What {@link #run} checks of the job before any work, without needing earlier stages' data: for
     * {@code pipeline}, which runs every stage's checks before its first stage starts.
     */
    public static void check(JobConfig job, Configuration conf) throws IOException {
        ModelFolder model = Preflight.model(job, conf);
        prediction(model);
        Preflight.resolution(job, model);
    }

    /**
     * Fails (bad input, exit 2) when no concept of the job can be trained because an earlier stage has not run,
     * naming the stage to run first; the command line checks this before running the stage. (Concepts that only
     * some lack are reported failed by {@link #run}, and the others trained.)
     */
    public static void requireInputs(JobConfig job, Configuration conf) throws IOException {
        job.requireConcepts(STAGE);
        OutputLayout layout = OutputLayout.open(job.output(), conf);
        Commits prepared = new Commits(layout, PrepareJob.STAGE);
        Commits latents = new Commits(layout, LatentsJob.STAGE);
        boolean anyPrepared = false;
        for (ConceptSpec c : job.concepts()) {
            if (prepared.read(c.name()).isPresent()) {
                anyPrepared = true;
                if (latents.read(c.name()).isPresent()) {
                    return;
                }
            }
        }
        String stage = anyPrepared ? LatentsJob.STAGE : PrepareJob.STAGE;
        throw new BadInputException("nothing to train: no concept of the job has " + (anyPrepared ? "latents"
                : "prepared examples") + " in " + layout.root() + "; run `sdti " + stage + " --config JOB` first"
                + (anyPrepared ? "" : " (then `sdti latents --config JOB`)"));
    }

    /** Why a concept cannot be trained from the committed data, or null. */
    private static String missingInputs(ConceptSpec c, Commits prepared, Commits latents, String vaeId,
            OutputLayout layout) throws IOException {
        JsonNode prep = prepared.read(c.name()).orElse(null);
        if (prep == null) {
            return "not prepared: prepare has not committed it (run `sdti prepare` with this job first; see "
                    + layout.report(PrepareJob.STAGE) + ")";
        }
        if (prep.path("examples").asLong() < 1) {
            return "prepare committed no example for it";
        }
        JsonNode lat = latents.read(c.name()).orElse(null);
        boolean current = lat != null && prep.path("fingerprint").asText().equals(
                lat.path("examples_fingerprint").asText());
        boolean forThisVae = false;
        if (current) {
            for (JsonNode n : lat.path("complete_for")) {
                forThisVae |= vaeId.equals(n.asText());
            }
        }
        if (!forThisVae) {
            return "no latents of its " + (lat == null ? "" : "current ") + "examples for this model's VAE: run "
                    + "`sdti latents` with this job first";
        }
        return null;
    }

    /** Where a concept starts: its latest checkpoint if it can be continued, or step 0. */
    private static void plan(Run r, int hidden, int averageEvery) throws IOException {
        ConceptSpec c = r.spec;
        Optional<Checkpoint> latest = Optional.empty();
        try {
            latest = r.checkpoints.latest();
            if (latest.isPresent()) {
                Trainer.checkResumable(latest.get(), r.cfg, c.token(), c.name(), c.vectors(), hidden);
                checkRounds(latest.get(), r.replicas, averageEvery);
                checkExamples(latest.get(), r.export.properties().get(EXAMPLES_FINGERPRINT));
            }
        } catch (CheckpointMismatchException | SafeTensorsException e) {
            // other settings or examples, or an unreadable checkpoint: this concept only (I/O errors stop the job);
            // reported at the step it stands at (the refused checkpoint's)
            if (latest.isPresent()) {
                r.state = latest.get().state();
                r.startStep = r.step();
            }
            r.conclude(failed(r, e.getMessage() + "; delete " + r.checkpoints.location() + " to start over"));
            return;
        }
        LossLog fresh = new LossLog();
        if (latest.isPresent()) {
            r.state = latest.get().state();
            r.lastCheckpoint = latest.get().location();
            if (r.step() == r.cfg.steps() && r.out.exists(EmbeddingExport.FILE)
                    && (!c.train().a1111() || r.out.exists(LocalTraining.a1111Name(c.token())))) {
                r.startStep = r.step();
                r.losses = r.out.readText(LossLog.FILE).map(csv -> LossLog.parse(csv, r.startStep)).orElse(fresh);
                r.conclude(done(r, "up-to-date"));
                LOG.info("train {}: up to date ({} steps, {})", c.name(), r.step(), r.out.uri(EmbeddingExport.FILE));
                return;
            }
        }
        r.startStep = r.step();
        r.losses = r.out.readText(LossLog.FILE).map(csv -> LossLog.parse(csv, r.startStep)).orElse(fresh);
        // as loss.csv: the lines up to the checkpoint resumed from (a killed run may have written more)
        r.out.readText(REPLICA_LOSSES).ifPresent(csv -> csv.lines().skip(1)
                .filter(l -> Long.parseLong(l.substring(0, l.indexOf(','))) <= r.startStep)
                .forEach(r.replicaLosses::add));
        if (r.training() && r.startStep > 0) {
            LOG.info("train: resuming {} from step {} ({})", c.name(), r.startStep, r.lastCheckpoint);
        }
        if (r.training()) {
            // a concept trained further (more steps) is complete again only when its new embedding is written
            for (String f : List.of(EmbeddingExport.FILE, LocalTraining.a1111Name(c.token()))) {
                r.out.fileSystem().delete(r.out.path(f), false);
            }
        }
    }

    /** Replicas and rounds shape the trajectory too: a checkpoint continues only with the same. */
    private static void checkRounds(Checkpoint c, int replicas, int averageEvery) {
        String thenReplicas = c.metadata().get("embedding.replicas");
        String thenEvery = c.metadata().get("embedding.average_every");
        String nowEvery = replicas > 1 ? Integer.toString(averageEvery) : null;
        if (!Integer.toString(replicas).equals(thenReplicas) || !java.util.Objects.equals(thenEvery, nowEvery)) {
            throw new CheckpointMismatchException(c.location(), "it was made with replicas " + thenReplicas
                    + (thenEvery != null ? ", average-every " + thenEvery : "") + " where this run has replicas "
                    + replicas + (nowEvery != null ? ", average-every " + nowEvery : ""));
        }
    }

    /**
     * A checkpoint continues only on the examples it was trained on: other pictures (or the same ones prepared
     * otherwise, renamed, ...) would not continue one trajectory, and a finished concept would silently keep an
     * embedding of images it no longer has.
     */
    private static void checkExamples(Checkpoint c, String now) {
        String then = c.metadata().get("embedding." + EXAMPLES_FINGERPRINT);
        if (!java.util.Objects.equals(then, now)) {
            throw new CheckpointMismatchException(c.location(), "it was trained on other examples (prepare "
                    + "fingerprint " + then + ", now " + now + ": its images or their preparation changed)");
        }
    }

    /** Rounds until every concept is trained or failed; returns the number of rounds. */
    private static long train(JobConfig job, SparkSession spark, String model, HadoopConf hadoop,
            OutputLayout layout, String vaeId, double scalingFactor, List<Run> training, LongAccumulator steps,
            int concepts) throws IOException {
        SparkContext sc = spark.sparkContext();
        sc.setJobDescription("sdti train: reading the data of " + training.size() + " concept(s)");
        JavaPairRDD<String, byte[]> data = TrainingData.read(spark, layout,
                training.stream().map(Run::name).toList(), vaeId, scalingFactor)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Map<String, long[]> shapes = new HashMap<>(data.mapValues(b -> {
                ConceptData d = JavaBytes.read(b, ConceptData.class);
                return new long[] {d.examples().size(), d.channels(), d.height(), d.width()};
            }).collectAsMap());
            for (Run r : training) {
                long[] shape = shapes.get(r.name());
                long found = shape == null ? 0 : shape[0];
                if (found != r.examples) {
                    r.conclude(failed(r, "latent rows of this model's VAE for " + found + " of its " + r.examples
                            + " examples: run `sdti latents` with this job first"));
                }
            }
            // rounds are numbered from the start of training: a resumed run goes on from its checkpoints' round
            int every = job.train().averageEvery();
            long round = training.stream().filter(Run::training).mapToLong(r -> r.step() / every).min().orElse(0);
            long rounds = 0;
            while (true) {
                List<Run> active = training.stream().filter(Run::training).toList();
                if (active.isEmpty()) {
                    return rounds;
                }
                rounds++;
                round++;
                round(job, spark, model, hadoop, layout, data, shapes, active, round, steps, concepts);
            }
        } finally {
            data.unpersist(false);
            sc.setJobDescription(null);
        }
    }

    /** A unit of a round with what decides which units may share a pass. */
    private record Unit(ReplicaRound.Work work, String geometry) {}

    private static void round(JobConfig job, SparkSession spark, String model, HadoopConf hadoop,
            OutputLayout layout, JavaPairRDD<String, byte[]> data, Map<String, long[]> shapes, List<Run> active,
            long round, LongAccumulator steps, int concepts) throws IOException {
        int every = job.train().averageEvery();
        List<Unit> units = new ArrayList<>();
        Map<String, Integer> roundSteps = new HashMap<>();
        for (Run r : active) {
            long until = Math.min(r.cfg.steps(), (r.step() / every + 1) * every);
            int n = (int) (until - r.step());
            roundSteps.put(r.name(), n);
            long[] s = shapes.get(r.name());
            String geometry = r.cfg.batchSize() + "/" + r.cfg.gradientAccumulation() + "/" + s[1] + "x" + s[2] + "x"
                    + s[3] + "/" + n;
            for (int i = 0; i < r.replicas; i++) {
                units.add(new Unit(new ReplicaRound.Work(r.name(), i, r.state, n), geometry));
            }
        }
        // units of the same geometry share passes, a concept's replicas side by side
        units.sort(Comparator.comparing(Unit::geometry));
        int perPass = job.train().unitsPerPass();
        List<Tuple2<Integer, byte[]>> work = new ArrayList<>();
        Map<String, List<Integer>> groupsOf = new HashMap<>();
        int groups = 0;
        String geometry = null;
        int inGroup = 0;
        for (Unit u : units) {
            if (!u.geometry().equals(geometry) || inGroup == perPass) {
                groups++;
                inGroup = 0;
                geometry = u.geometry();
            }
            inGroup++;
            int g = groups - 1;
            work.add(new Tuple2<>(g, JavaBytes.of(u.work())));
            List<Integer> of = groupsOf.computeIfAbsent(u.work().concept(), k -> new ArrayList<>());
            if (of.isEmpty() || of.get(of.size() - 1) != g) {
                of.add(g);
            }
        }
        SparkContext sc = spark.sparkContext();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        sc.setJobDescription(String.format(Locale.ROOT, "sdti train: round %d, %d concept(s), %d unit(s) in %d "
                + "group(s)", round, active.size(), units.size(), groups));
        Broadcast<Map<String, List<Integer>>> route = jsc.broadcast(groupsOf);
        JavaPairRDD<Integer, byte[]> dataByGroup = data.flatMapToPair(t -> {
            List<Integer> gs = route.value().get(t._1());
            List<Tuple2<Integer, byte[]>> out = new ArrayList<>();
            if (gs != null) {
                gs.forEach(g -> out.add(new Tuple2<>(g, t._2())));
            }
            return out.iterator();
        });
        long t0 = System.nanoTime();
        Map<String, byte[]> averaged;
        try {
            averaged = dataByGroup
                    .cogroup(jsc.parallelizePairs(work, groups), new HashPartitioner(groups))
                    .mapPartitionsToPair(new TrainTask(job, model, hadoop, steps))
                    .aggregateByKey(new ArrayList<byte[]>(), (l, b) -> {
                        l.add(b);
                        return l;
                    }, (a, b) -> {
                        a.addAll(b);
                        return a;
                    })
                    .mapValues(results -> JavaBytes.of(ReplicaRound.average(results.stream()
                            .map(b -> JavaBytes.read(b, ReplicaRound.Result.class)).toList())))
                    .collectAsMap();
        } finally {
            route.destroy();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Run> validate = new ArrayList<>();
        for (Run r : active) {
            byte[] bytes = averaged.get(r.name());
            if (bytes == null) {
                throw new IllegalStateException("round " + round + " returned nothing for concept '" + r.name() + "'");
            }
            ReplicaRound.Averaged a = JavaBytes.read(bytes, ReplicaRound.Averaged.class);
            if (a.failure() != null) {
                r.conclude(failed(r, a.failure() + "; " + (r.lastCheckpoint == null ? "no checkpoint had been "
                        + "written yet" : "the last good checkpoint is kept: " + r.lastCheckpoint)));
                LOG.warn("train {}: failed in round {}: {}", r.name(), round, r.result.reason());
                continue;
            }
            long before = r.step();
            r.state = a.state();
            double lossSum = 0;
            for (StepRecord s : a.steps().records()) {
                r.losses.add(s);
                lossSum += s.loss();
            }
            r.out.writeText(LossLog.FILE, r.losses.toCsv());
            if (r.replicas > 1) {
                for (int i = 0; i < a.steps().size(); i++) {
                    for (int k = 0; k < a.perReplica().size(); k++) {
                        ReplicaRound.Steps mine = a.perReplica().get(k);
                        r.replicaLosses.add(mine.step()[i] + "," + k + "," + mine.loss()[i] + ","
                                + mine.gradientNorm()[i]);
                    }
                }
                r.out.writeText(REPLICA_LOSSES, REPLICA_LOSSES_HEADER + "\n" + String.join("\n", r.replicaLosses)
                        + "\n");
            }
            r.lastCheckpoint = r.checkpoints.save(r.state, r.cfg, r.export);
            int n = roundSteps.get(r.name());
            LOG.info(String.format(Locale.ROOT, "train %s: round %d, steps %d-%d of %d, loss %.5f (mean of %d "
                            + "step(s) x %d replica(s)), %.2f steps/s, checkpoint %s", r.name(), round, before + 1,
                    r.step(), r.cfg.steps(), lossSum / n, n, r.replicas, n / seconds, r.lastCheckpoint));
            int vEvery = r.spec.train().validation().every();
            if (r.step() == r.cfg.steps() || vEvery > 0 && before / vEvery != r.step() / vEvery) {
                validate.add(r);
            }
        }
        validate(job, spark, model, hadoop, layout, validate);
        // a concept that reached its steps is complete now, whatever the others still do
        for (Run r : validate) {
            if (r.step() == r.cfg.steps()) {
                finish(r);
            }
        }
        // the job's progress from the accumulators (what the Spark UI shows), steps counted over every replica
        long replicaSteps = active.stream().mapToLong(r -> (long) roundSteps.get(r.name()) * r.replicas).sum();
        Ended ended = active.get(0).ended;
        LOG.info(String.format(Locale.ROOT, "train: round %d: %d of %d concepts done, %d failed, %.2f steps/s", round,
                ended.done().value(), concepts, ended.failed().value(), replicaSteps / seconds));
    }

    /** Renders the validation images of the concepts' current states on the executors, one task per concept. */
    private static void validate(JobConfig job, SparkSession spark, String model, HadoopConf hadoop,
            OutputLayout layout, List<Run> runs) {
        List<Tuple2<String, byte[]>> todo = new ArrayList<>();
        for (Run r : runs) {
            if (r.spec.train().validation().images() > 0) {
                todo.add(new Tuple2<>(r.name(), JavaBytes.of(r.state)));
            }
        }
        if (todo.isEmpty()) {
            return;
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        spark.sparkContext().setJobDescription("sdti train: validation images of " + todo.size() + " concept(s)");
        jsc.parallelizePairs(todo, todo.size()).foreachPartition(new Render(job, model, hadoop,
                layout.root().toString()));
    }

    /** Executor side of the validation images. */
    private static final class Render implements VoidFunction<Iterator<Tuple2<String, byte[]>>> {
        private static final long serialVersionUID = 1L;
        private final JobConfig job;
        private final String model;
        private final HadoopConf conf;
        private final String root;

        Render(JobConfig job, String model, HadoopConf conf, String root) {
            this.job = job;
            this.model = model;
            this.conf = conf;
            this.root = root;
        }

        @Override
        public void call(Iterator<Tuple2<String, byte[]>> states) throws IOException {
            TextToImage pipeline = null;
            while (states.hasNext()) {
                Tuple2<String, byte[]> t = states.next();
                if (pipeline == null) {
                    pipeline = new TextToImage(ModelCache.stableDiffusion(model, conf));
                }
                ConceptSpec c = job.concept(t._1()).orElseThrow();
                OutputFolder out = OutputFolder.open(new Path(root, c.name()).toString(), conf.get());
                Logger log = LoggerFactory.getLogger(TrainJob.class);
                new ValidationImages(pipeline, c, out, line -> log.info("train {}: {}", c.name(), line))
                        .render(JavaBytes.read(t._2(), TrainerState.class));
            }
        }
    }

    /** The final embedding files, written after the validation images: their presence marks a concept done. */
    private static void finish(Run r) throws IOException {
        if (r.spec.train().a1111()) {
            r.export.write(r.out, LocalTraining.a1111Name(r.spec.token()), r.state, EmbeddingFormat.A1111_PT);
        }
        r.export.write(r.out, EmbeddingExport.FILE, r.state, EmbeddingFormat.DIFFUSERS_SAFETENSORS);
        LOG.info("train {}: done, {}", r.name(), r.out.uri(EmbeddingExport.FILE));
        r.conclude(done(r, r.startStep == r.step() ? "finished" : r.startStep > 0 ? "resumed" : "trained"));
    }

    /**
     * The embedding's properties: the single-machine trainer's, plus what else fixes the trajectory of the job's
     * run (replicas, rounds, the examples), which a resume compares.
     */
    private static Map<String, String> properties(ConceptSpec c, int resolution, Prediction prediction,
            String examplesFingerprint) {
        TrainingConfig cfg = c.train().trainingConfig();
        int replicas = c.train().replicas();
        Map<String, String> p = LocalTraining.properties(c, cfg, resolution, prediction, replicas);
        p.put("replicas", Integer.toString(replicas));
        if (replicas > 1) {
            p.put("average_every", Integer.toString(c.train().averageEvery()));
        }
        p.put(EXAMPLES_FINGERPRINT, examplesFingerprint);
        return p;
    }

    private static Map<String, Long> counts(Run r) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("steps", r.step());
        m.put("trained", r.step() - r.startStep);
        m.put("replicas", (long) r.replicas);
        return m;
    }

    /** The final smoothed loss of the concept's curve (what loss.csv ends with), when it has one. */
    private static Map<String, Double> metrics(Run r) {
        if (r.losses == null || r.losses.entries().isEmpty()) {
            return Map.of();
        }
        return Map.of("loss", r.losses.entries().get(r.losses.entries().size() - 1).smoothed());
    }

    private static ConceptResult done(Run r, String action) {
        return new ConceptResult(r.name(), r.spec.token(), Status.DONE, action, null, counts(r), List.of(),
                metrics(r));
    }

    private static ConceptResult failed(Run r, String reason) {
        return new ConceptResult(r.name(), r.spec.token(), Status.FAILED, "-", reason, counts(r), List.of(),
                metrics(r));
    }
}
