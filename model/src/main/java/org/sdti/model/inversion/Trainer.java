package org.sdti.model.inversion;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.sdti.model.BadInputException;
import org.sdti.model.io.OutputFolder;

/**
 * Trains one concept on one machine: local rounds (replica 0) between checkpoints, a checkpoint every N steps
 * and at the end, validation images every M steps, the loss curve in {@code loss.csv} and a progress line every
 * few steps. A NaN or infinite loss stops the run with an error naming the last good checkpoint, which is kept.
 *
 * <p>Resuming ({@link #start}) takes the latest checkpoint; since every draw is keyed by the step, the resumed run
 * reproduces the uninterrupted one bit for bit.
 */
public final class Trainer {
    /**
     * When things happen, in steps.
     *
     * @param checkpointEvery a checkpoint after every multiple of this (and after the last step); 0: only the last
     * @param validationEvery validation after every multiple of this and after the last step; 0: only after the last
     * @param progressEvery   a progress line after every multiple of this, the first and last steps, and at least
     *                        every 30 s ({@link ProgressLine#due})
     */
    public record Options(int checkpointEvery, int validationEvery, int progressEvery) {
        public Options {
            if (checkpointEvery < 0 || validationEvery < 0 || progressEvery < 1) {
                throw new IllegalArgumentException("checkpoint and validation intervals must be >= 0, the progress "
                        + "interval >= 1");
            }
        }
    }

    /** Renders validation images for a state (e.g. prompts with the learned token); null for none. */
    @FunctionalInterface
    public interface Validation {
        void render(TrainerState state) throws IOException;
    }

    private final LocalRound round;
    private final TrainingConfig cfg;
    private final Options options;
    private final OutputFolder folder;
    private final Checkpoints checkpoints;
    private final EmbeddingExport export;
    private final Validation validation;
    private final Consumer<String> log;

    public Trainer(LocalRound round, TrainingConfig cfg, Options options, OutputFolder folder, EmbeddingExport export,
            Validation validation, Consumer<String> log) {
        this.round = Objects.requireNonNull(round, "round");
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.options = Objects.requireNonNull(options, "options");
        this.folder = Objects.requireNonNull(folder, "folder");
        this.checkpoints = new Checkpoints(folder);
        this.export = Objects.requireNonNull(export, "export");
        this.validation = validation;
        this.log = Objects.requireNonNull(log, "log");
    }

    public Checkpoints checkpoints() {
        return checkpoints;
    }

    /**
     * The state to train from: {@code initial} for a new run; with {@code resume}, the latest checkpoint (or
     * {@code initial} when there is none yet). A new run refuses a folder that already holds checkpoints, and a
     * resume refuses a checkpoint made with other settings (only {@code steps} may change), since neither would
     * continue one trajectory.
     */
    public TrainerState start(TrainerState initial, boolean resume) throws IOException {
        Optional<Checkpoint> latest = checkpoints.latest();
        if (latest.isEmpty()) {
            if (resume) {
                log.accept("no checkpoint in " + checkpoints.location() + " yet: starting at step 0");
            }
            return initial;
        }
        Checkpoint c = latest.get();
        if (!resume) {
            throw new BadInputException(folder.location() + " already holds checkpoints up to step "
                    + c.step() + "; pass --resume to continue that run, or choose another output folder");
        }
        checkCompatible(c, initial);
        log.accept("resuming from " + c.location() + " (step " + c.step() + ")");
        return c.state();
    }

    private void checkCompatible(Checkpoint c, TrainerState initial) {
        checkResumable(c, cfg, export.token(), initial.concept(), initial.numVectors(), initial.hidden());
    }

    /**
     * Fails unless {@code c} can be continued by a run of these settings: same token, concept, vectors, hidden
     * size and training settings but {@code steps}, and not past {@code cfg.steps()}; throws
     * {@link CheckpointMismatchException} otherwise. Cheap: callers may check
     * before loading any weights.
     */
    public static void checkResumable(Checkpoint c, TrainingConfig cfg, String token, String concept, int numVectors,
            int hidden) {
        List<String> diffs = new ArrayList<>();
        TrainerState s = c.state();
        compare(diffs, "token", c.metadata().get("token"), token);
        compare(diffs, "concept", s.concept(), concept);
        compare(diffs, "vectors", Integer.toString(s.numVectors()), Integer.toString(numVectors));
        compare(diffs, "hidden size", Integer.toString(s.hidden()), Integer.toString(hidden));
        Map<String, String> then = Checkpoints.training(c);
        cfg.describe().forEach((k, now) -> {
            if (!k.equals("steps")) {
                compare(diffs, k, then.get(k), now);
            }
        });
        if (!diffs.isEmpty()) {
            throw new CheckpointMismatchException(c.location(), "it was made with " + String.join(", ", diffs)
                    + " (only the number of steps may change)");
        }
        if (c.step() > cfg.steps()) {
            throw new CheckpointMismatchException(c.location(), "it is at step " + c.step() + ", past the "
                    + cfg.steps() + " steps asked for");
        }
    }

    private static void compare(List<String> diffs, String key, String then, String now) {
        if (!Objects.equals(then, now)) {
            diffs.add(key + " " + then + " where this run has " + now);
        }
    }

    /** Trains from {@code start} to {@code cfg.steps()} and returns the final state (also checkpointed). */
    public TrainerState run(TrainerState start, ConceptData data) throws IOException {
        LossLog losses = folder.readText(LossLog.FILE).map(csv -> LossLog.parse(csv, start.step()))
                .orElseGet(LossLog::new);
        ProgressLine progress = new ProgressLine(cfg.steps());
        TrainerState s = start;
        String lastCheckpoint = start.step() > 0 ? checkpoints.uri(start.step()) + " (step " + start.step() + ")"
                : null;
        while (s.step() < cfg.steps()) {
            long until = Math.min(cfg.steps(), Math.min(next(s.step(), options.checkpointEvery()),
                    next(s.step(), options.validationEvery())));
            progress.started(s.step());
            LocalRound.Result r;
            try {
                r = round.run(s, data, 0, (int) (until - s.step()), rec -> {
                    LossLog.Entry e = losses.add(rec);
                    if (progress.due(e.step(), options.progressEvery())) {
                        log.accept(progress.line(e));
                    }
                });
            } catch (NonFiniteLossException e) {
                folder.writeText(LossLog.FILE, losses.toCsv());
                throw e.with(lastCheckpoint == null ? "no checkpoint had been written yet"
                        : "the last good checkpoint is kept: " + lastCheckpoint);
            }
            s = r.state();
            folder.writeText(LossLog.FILE, losses.toCsv());
            if (due(s.step(), options.checkpointEvery())) {
                String file = checkpoints.save(s, cfg, export);
                lastCheckpoint = file + " (step " + s.step() + ")";
                log.accept("checkpoint " + file);
            }
            if (validation != null && due(s.step(), options.validationEvery())) {
                validation.render(s);
            }
        }
        return s;
    }

    /** The next multiple of {@code every} after {@code step}; unbounded when {@code every} is 0. */
    private static long next(long step, int every) {
        return every <= 0 ? Long.MAX_VALUE : (step / every + 1) * every;
    }

    private boolean due(long step, int every) {
        return step == cfg.steps() || (every > 0 && step % every == 0);
    }
}
