package org.sdti.jobs.train;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.TrainSettings;
import org.sdti.jobs.runtime.StageReport.Status;
import org.sdti.model.embeddings.EmbeddingFormat;
import org.sdti.model.inversion.Checkpoint;
import org.sdti.model.inversion.CheckpointMismatchException;
import org.sdti.model.inversion.Checkpoints;
import org.sdti.model.inversion.EmbeddingExport;
import org.sdti.model.inversion.Trainer;
import org.sdti.model.inversion.TrainerState;
import org.sdti.model.inversion.TrainingConfig;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.io.SafeTensorsException;
import org.sdti.model.schedulers.Prediction;

/**
 * One concept's training as the driver follows it through the stage, and its files: where it stands (its state, and
 * the step this run started from), its loss curves ({@link LossFiles}), its checkpoints, and once known how it
 * ended. A concept resumes from its latest checkpoint when that continues these settings; after each round it
 * rewrites its loss curves and writes a checkpoint; when it finishes it writes its embedding files, last, so their
 * presence marks it complete.
 */
final class ConceptRun {
    /** Embedding property: prepare's fingerprint of the examples trained on. */
    static final String EXAMPLES_FINGERPRINT = "examples_fingerprint";

    /** How a concept ended: its report row's status and action, or why it failed. */
    record Ending(Status status, String action, String reason) {}

    /** Where {@link #resume} left a concept. */
    enum Start {
        /** its checkpoint cannot be continued: failed */
        REFUSED,
        /** finished and its final files written by an earlier run: done, nothing to write */
        UP_TO_DATE,
        /** trained to the end by an earlier run that stopped before its final files */
        FINISHING,
        /** trains on from its latest checkpoint */
        RESUMED,
        /** trains from step 0 */
        NEW
    }

    private final ConceptSpec spec;
    private final TrainingConfig cfg;
    private final OutputFolder out;
    private final Checkpoints checkpoints;
    private final EmbeddingExport export;
    /** Examples prepare committed: the data read must have them all. */
    private final long examples;
    private final TrainCounters counters;
    /** null while at step 0 (the executors initialise the rows). */
    private TrainerState state;
    private long startStep;
    private LossFiles losses;
    private String lastCheckpoint;
    private Ending ending;
    private Map<String, Double> evaluation = Map.of();
    /** The most Spark task attempts one of its rounds' tasks took in this run (0: it ran no round). */
    private int attempts;
    private final RoundThreads threads = new RoundThreads();
    /** Wall time of the rounds it trained in during this run. */
    private double seconds;

    ConceptRun(ConceptSpec spec, OutputFolder out, EmbeddingExport export, long examples, TrainCounters counters) {
        this.spec = spec;
        this.cfg = spec.train().trainingConfig();
        this.out = out;
        this.checkpoints = new Checkpoints(out);
        this.export = export;
        this.examples = examples;
        this.counters = counters;
    }

    /**
     * The embedding's properties: the single-machine trainer's, plus what else fixes the trajectory of the job's
     * run (replicas, rounds, the examples), which a resume compares.
     */
    static Map<String, String> properties(ConceptSpec c, int resolution, Prediction prediction,
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

    String name() {
        return spec.name();
    }

    ConceptSpec spec() {
        return spec;
    }

    TrainingConfig config() {
        return cfg;
    }

    int replicas() {
        return spec.train().replicas();
    }

    long examples() {
        return examples;
    }

    /** The current state; null at step 0. */
    TrainerState state() {
        return state;
    }

    long step() {
        return state == null ? 0 : state.step();
    }

    long startStep() {
        return startStep;
    }

    /** The mean loss curve, when it has been read (a concept that failed before has none). */
    Optional<LossFiles> losses() {
        return Optional.ofNullable(losses);
    }

    /** Where its {@code learned_embeds.safetensors} is (or will be). */
    String embedding() {
        return out.uri(EmbeddingExport.FILE);
    }

    String lastCheckpoint() {
        return lastCheckpoint;
    }

    /**
     * Counts one round it took part in: the attempts its tasks took, their threads per op and the round's time.
     *
     * @return whether this round's threads made the run's differ (true once per run, for a warning)
     */
    boolean ranRound(int roundAttempts, int roundThreads, double roundSeconds) {
        attempts = Math.max(attempts, roundAttempts);
        seconds += roundSeconds;
        return threads.add(roundThreads);
    }

    /** Threads per op of this run's rounds: 0 when it ran none or they differed ({@link RoundThreads}). */
    int threads() {
        return threads.value();
    }

    int attempts() {
        return attempts;
    }

    double seconds() {
        return seconds;
    }

    /** How it ended; null while it is training. */
    Ending ending() {
        return ending;
    }

    boolean training() {
        return ending == null && step() < cfg.steps();
    }

    /** Where the concept starts: its latest checkpoint if it can be continued, or step 0. */
    Start resume(int hidden, int averageEvery) throws IOException {
        ConceptSpec c = spec;
        Optional<Checkpoint> latest = Optional.empty();
        try {
            latest = checkpoints.latest();
            if (latest.isPresent()) {
                Trainer.checkResumable(latest.get(), cfg, c.token(), c.name(), c.vectors(), hidden);
                checkRounds(latest.get(), replicas(), averageEvery);
                checkExamples(latest.get(), export.properties().get(EXAMPLES_FINGERPRINT));
            }
        } catch (CheckpointMismatchException | SafeTensorsException e) {
            // other settings or examples, or an unreadable checkpoint: this concept only (I/O errors stop the job);
            // reported at the step it stands at (the refused checkpoint's)
            if (latest.isPresent()) {
                state = latest.get().state();
                startStep = step();
            }
            fail(e.getMessage() + "; delete " + checkpoints.location() + " to start over");
            return Start.REFUSED;
        }
        if (latest.isPresent()) {
            state = latest.get().state();
            lastCheckpoint = latest.get().location();
            if (step() == cfg.steps() && out.exists(EmbeddingExport.FILE)
                    && (!c.train().a1111() || out.exists(LocalTraining.a1111Name(c.token())))) {
                startStep = step();
                losses = LossFiles.finished(out, replicas(), startStep);
                conclude(Status.DONE, "up-to-date", null);
                return Start.UP_TO_DATE;
            }
        }
        startStep = step();
        losses = LossFiles.read(out, replicas(), startStep);
        if (!training()) {
            return Start.FINISHING;
        }
        // a concept trained further (more steps) is complete again only when its new embedding is written
        for (String f : List.of(EmbeddingExport.FILE, LocalTraining.a1111Name(c.token()))) {
            out.fileSystem().delete(out.path(f), false);
        }
        return startStep > 0 ? Start.RESUMED : Start.NEW;
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

    /**
     * Takes a round's averaged state: rewrites the loss curves, writes a checkpoint, deletes the ones beyond
     * {@code keep-last}, and returns the sum of the round's (mean) step losses. Touches this concept's state and files
     * only, so concepts advance side by side ({@link ConceptWrites}).
     */
    double advance(ReplicaRound.Averaged round) throws IOException {
        state = round.state();
        double lossSum = losses.add(round);
        lastCheckpoint = checkpoints.save(state, cfg, export);
        // only now that the new one is whole: a kill anywhere leaves a checkpoint to resume from
        if (spec.train().keepLast() != TrainSettings.KEEP_ALL) {
            checkpoints.keepNewest(spec.train().keepLast());
        }
        return lossSum;
    }

    /**
     * Fails the concept with a failure of its round (a NaN or infinite loss, an error of its task) or of its
     * validation images: its checkpoints stay as they are.
     * Returns the reason reported.
     */
    String failRound(String failure) {
        fail(failure + "; " + (lastCheckpoint == null ? "no checkpoint had been written yet"
                : "the last good checkpoint is kept: " + lastCheckpoint));
        return ending.reason();
    }

    /** The hit rates of the finished concept (empty: not evaluated). */
    void evaluated(Map<String, Double> metrics) {
        evaluation = Map.copyOf(metrics);
    }

    Map<String, Double> evaluation() {
        return evaluation;
    }

    void fail(String reason) {
        conclude(Status.FAILED, "-", reason);
    }

    /**
     * The final embedding files, written after the validation images: their presence marks the concept done. Touches
     * this concept's files only (concepts write theirs side by side); {@link #finished} then counts it.
     */
    void writeFinalFiles() throws IOException {
        if (spec.train().a1111()) {
            export.write(out, LocalTraining.a1111Name(spec.token()), state, EmbeddingFormat.A1111_PT);
        }
        export.write(out, EmbeddingExport.FILE, state, EmbeddingFormat.DIFFUSERS_SAFETENSORS);
    }

    /** Done, after {@link #writeFinalFiles}. */
    void finished() {
        conclude(Status.DONE, startStep == step() ? "finished" : startStep > 0 ? "resumed" : "trained", null);
    }

    /** The concept's ending, counted in the accumulators as soon as it is known (not after the last round). */
    private void conclude(Status status, String action, String reason) {
        ending = new Ending(status, action, reason);
        (status == Status.DONE ? counters.conceptsDone() : counters.conceptsFailed()).add(1);
    }
}
